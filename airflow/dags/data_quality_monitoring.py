"""data_quality_monitoring: do the live KPIs agree with the batch recomputation over all history?

POST {gateway}/function/quality: the quality function compares the live KPIs with the batch
results field by field, checks that every accepted order is in exactly one place (hot store or
archive, no duplicate archive rows) and counts the DLQ by reason; it answers a QualityReport
{as_of, engine, mismatches, checked_fields, orders_hot, orders_archived, duplicates_archived,
dlq_by_reason, details}. The task fails when the call fails or `mismatches` > 0 (listing them).
Every 15 minutes (the quality function has no cron of its own). docs/airflow.md.
"""

from __future__ import annotations

import json

from airflow.sdk import Param, dag, task

from _orderpulse import DEFAULT_ARGS, START_DATE, CheckFailed, call_ok, endpoint_params, gateway_url


@dag(
    dag_id="data_quality_monitoring",
    schedule="*/15 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["orderpulse", "quality"],
    doc_md=__doc__,
    params={**endpoint_params(), "timeout_seconds": Param(600, type="integer", minimum=1)},
)
def data_quality_monitoring():
    @task
    def quality(**context):
        gw = gateway_url(context)
        report = call_ok("quality", "POST", f"{gw}/function/quality", {}, timeout=context["params"]["timeout_seconds"])
        if not isinstance(report, dict) or not isinstance(report.get("mismatches"), int):
            raise CheckFailed(f"quality answered something that is not a QualityReport: {json.dumps(report)[:500]}")
        print(f"quality ({report.get('engine')}, {report.get('as_of')}): {report['mismatches']} mismatch(es) of {report.get('checked_fields')} fields; hot {report.get('orders_hot')}, archived {report.get('orders_archived')}, duplicates {report.get('duplicates_archived')}, DLQ {report.get('dlq_by_reason')}")
        if report["mismatches"] > 0:
            raise CheckFailed(f"{report['mismatches']} mismatch(es) between the live KPIs and the batch results: {json.dumps(report.get('details'))[:2000]}")
        return {k: report.get(k) for k in ("mismatches", "checked_fields", "orders_hot", "orders_archived", "duplicates_archived")}

    quality()


data_quality_monitoring()
