"""data_generation_monitoring: is data flowing? Kafka and hot-store health, events per minute, consumer lag.

1. pipeline_health: GET {gateway}/function/<name>/_/health for the ingest path's functions
   (`functions` param): fails on a non-2xx answer.
2. kafka_and_hot_store: GET {gateway}/function/monitor: Kafka end offsets vs the committed offsets
   of the connector's consumer groups `<group_prefix><function>` per topic and partition, and
   the hot store's order count. Fails when Kafka or the hot store cannot be read, or when a
   group's lag exceeds `max_lag`.
3. events_per_minute: GET {dashboard}/api/kpis/summary twice, `window_seconds` apart: the growth
   of `orders` is the rate. Fails when `max_idle_minutes` > 0 (off by default: set it while the
   generator is supposed to run) and no order reached the KPIs for that long (`as_of`).
Every 5 minutes; it only reads. docs/airflow.md.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from airflow.sdk import Param, dag, task

from _orderpulse import DEFAULT_ARGS, START_DATE, CheckFailed, call_ok, dashboard_url, endpoint_params, fail_if, gateway_url, health_probe, monitor, parse_time


@dag(
    dag_id="data_generation_monitoring",
    schedule="*/5 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["orderpulse", "monitoring"],
    doc_md=__doc__,
    params={
        **endpoint_params(),
        "functions": Param(["ingest", "aggregate", "cache-write"], type="array", description="Functions whose health is checked"),
        "group_prefix": Param("orderpulse-", type="string", description="Consumer group prefix of the Kafka connector"),
        "max_lag": Param(50000, type="integer", minimum=0, description="Fail when a consumer group lags more messages than this"),
        "window_seconds": Param(30, type="integer", minimum=1, maximum=600, description="Window over which events per minute are measured"),
        "max_idle_minutes": Param(0, type="integer", minimum=0, description="Fail when no order arrived for this long; 0 = off"),
    },
)
def data_generation_monitoring():
    @task
    def pipeline_health(**context):
        gw = gateway_url(context)
        problems, seen = [], {}
        for name in context["params"]["functions"]:
            ans = health_probe(gw, name)
            seen[name] = {"status": ans.status, "ms": round(ans.ms, 1)}
            if not ans.ok:
                problems.append(f"{name}: /_/health answered HTTP {ans.status} {ans.body}")
        print(f"health: {seen}")
        fail_if(problems, "function health")
        return seen

    @task
    def kafka_and_hot_store(**context):
        params = context["params"]
        reading = monitor(gateway_url(context), params["group_prefix"])
        kafka, hot = reading.get("kafka") or {}, reading.get("hot_store") or {}
        problems = []
        if kafka.get("error"):
            problems.append(f"Kafka: {kafka['error']}")
        if hot.get("error"):
            problems.append(f"hot store: {hot['error']}")
        groups = kafka.get("groups") or []
        if not kafka.get("error") and not groups:
            problems.append(f"no consumer group named {params['group_prefix']}* has committed offsets: is the Kafka connector running?")
        for g in groups:
            print(f"group {g.get('group')} topic {g.get('topic')}: lag {g.get('lag')} ({len(g.get('partitions') or [])} partitions)")
            if int(g.get("lag") or 0) > params["max_lag"]:
                problems.append(f"group {g.get('group')} lags {g.get('lag')} messages on {g.get('topic')} (max_lag {params['max_lag']})")
        print(f"hot store: {hot.get('orders')} orders, {hot.get('size_mb')} MB; total lag {kafka.get('total_lag')}")
        fail_if(problems, "Kafka and hot store")
        return {"total_lag": kafka.get("total_lag"), "hot_orders": hot.get("orders")}

    @task
    def events_per_minute(**context):
        params = context["params"]
        url = f"{dashboard_url(context)}/api/kpis/summary"
        first = call_ok("KPI summary", "GET", url)
        t0 = time.monotonic()
        time.sleep(params["window_seconds"])
        second = call_ok("KPI summary", "GET", url)
        elapsed = time.monotonic() - t0
        if not isinstance(first, dict) or not isinstance(second, dict):
            raise CheckFailed(f"{url} did not answer the summary object")
        rate = (int(second.get("orders") or 0) - int(first.get("orders") or 0)) * 60.0 / elapsed
        as_of = parse_time(second.get("as_of"))
        idle_min = None if as_of is None else (datetime.now(timezone.utc) - as_of).total_seconds() / 60
        print(f"{rate:.1f} orders/min over {elapsed:.1f} s; {second.get('orders')} orders; last KPI update {second.get('as_of')}")
        limit = params["max_idle_minutes"]
        if limit > 0 and rate == 0 and (idle_min is None or idle_min > limit):
            raise CheckFailed(f"no order reached the KPIs for {'ever' if idle_min is None else f'{idle_min:.1f} min'} (max_idle_minutes {limit}): is the generator running? is ingest keeping up?")
        return {"orders_per_minute": round(rate, 1), "orders": second.get("orders"), "as_of": second.get("as_of")}

    pipeline_health() >> kafka_and_hot_store() >> events_per_minute()


data_generation_monitoring()
