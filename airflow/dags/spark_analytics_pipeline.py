"""spark_analytics_pipeline: the batch analytics over all history (hot store + archive) on Spark.

POST {gateway}/function/analytics {"engine": "spark"}: the analytics function runs the queries
on the engine asked for and stores the results (engine, as_of) for /api/history/*. The task fails
when the call does not answer 2xx. Hourly: the analytics function's own cron already runs the
embedded DuckDB engine every minute; this DAG adds the distributed run. docs/airflow.md.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task

from _orderpulse import DEFAULT_ARGS, START_DATE, call_ok, endpoint_params, gateway_url


@dag(
    dag_id="spark_analytics_pipeline",
    schedule="0 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["orderpulse", "analytics"],
    doc_md=__doc__,
    params={
        **endpoint_params(),
        "engine": Param("spark", enum=["spark", "duckdb"], description="Engine the analytics function runs"),
        "timeout_seconds": Param(900, type="integer", minimum=1),
    },
)
def spark_analytics_pipeline():
    @task
    def run_analytics(**context):
        params = context["params"]
        gw = gateway_url(context)
        url = f"{gw}/function/analytics"
        body = call_ok(f"analytics on {params['engine']}", "POST", url, {"engine": params["engine"]}, timeout=params["timeout_seconds"])
        summary = {k: body.get(k) for k in ("engine", "as_of", "took_ms")} if isinstance(body, dict) else {"answer": body}
        print(f"analytics done: {summary}")
        return summary

    run_analytics()


spark_analytics_pipeline()
