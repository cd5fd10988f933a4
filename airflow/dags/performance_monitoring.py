"""performance_monitoring: function latencies and rates, store sizes, archive size.

1. function_latencies: GET {gateway}/system/functions, then `samples` timed calls of each running
   function's /_/health through the gateway; invocations per minute from the growth of the
   gateway's invocationCount over `window_seconds` (this DAG's own probes left out). Fails when a
   probe does not answer 2xx or a function's median probe time exceeds `max_health_ms`.
2. store_sizes: GET {gateway}/function/monitor (hot store size and order count, archive files and
   bytes) and GET {gateway}/function/archive-check (its last reading, when it has run). Fails when
   the hot store exceeds `max_hot_store_mb` (default: 1.5 × archive-check's threshold, i.e.
   archiving is not keeping up) or the archive exceeds `max_archive_mb` (off by default).
Every 5 minutes; it only reads. docs/airflow.md.
"""

from __future__ import annotations

import statistics
import time

from airflow.sdk import Param, dag, task

from _orderpulse import DEFAULT_ARGS, START_DATE, call, endpoint_params, fail_if, functions_of, gateway_url, health_probe, monitor


@dag(
    dag_id="performance_monitoring",
    schedule="*/5 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["orderpulse", "monitoring"],
    doc_md=__doc__,
    params={
        **endpoint_params(),
        "samples": Param(3, type="integer", minimum=1, maximum=50),
        "max_health_ms": Param(2000, type="number", minimum=0, description="Fail when a function's median /_/health time exceeds this"),
        "window_seconds": Param(30, type="integer", minimum=1, maximum=600, description="Window over which invocation rates are measured"),
        "max_hot_store_mb": Param(None, type=["null", "number"], description="Fail above this; default 1.5 x archive-check's threshold"),
        "max_archive_mb": Param(None, type=["null", "number"], description="Fail above this; default off"),
        "group_prefix": Param("orderpulse-", type="string"),
    },
)
def performance_monitoring():
    @task
    def function_latencies(**context):
        params = context["params"]
        gw = gateway_url(context)
        t0 = time.monotonic()
        before = {f["name"]: int(f.get("invocationCount") or 0) for f in functions_of(gw)}
        running = [f["name"] for f in functions_of(gw) if int(f.get("replicas") or 0) > 0]
        problems, stats = [], {}
        for name in running:
            times = []
            for _ in range(params["samples"]):
                ans = health_probe(gw, name)
                if not ans.ok:
                    problems.append(f"{name}: /_/health answered HTTP {ans.status} {ans.body}")
                    break
                times.append(ans.ms)
            if times:
                med = statistics.median(times)
                stats[name] = {"median_ms": round(med, 1), "max_ms": round(max(times), 1), "probes": len(times)}
                if med > params["max_health_ms"]:
                    problems.append(f"{name}: median /_/health {med:.0f} ms > max_health_ms {params['max_health_ms']}")
            else:
                stats[name] = {"probes": 1}
        time.sleep(max(0.0, params["window_seconds"] - (time.monotonic() - t0)))
        elapsed = time.monotonic() - t0
        after = {f["name"]: int(f.get("invocationCount") or 0) for f in functions_of(gw)}
        for name in stats:
            own = stats[name]["probes"]
            stats[name]["invocations_per_minute"] = round(max(0, after.get(name, 0) - before.get(name, 0) - own) * 60.0 / elapsed, 1)
        for name, s in stats.items():
            print(f"{name}: {s}")
        fail_if(problems, "function latencies")
        return stats

    @task
    def store_sizes(**context):
        params = context["params"]
        gw = gateway_url(context)
        reading = monitor(gw, params["group_prefix"])
        hot, archive = reading.get("hot_store") or {}, reading.get("archive") or {}
        last = call("GET", f"{gw}/function/archive-check", timeout=30)
        check = last.body if last.ok and isinstance(last.body, dict) else None
        problems = []
        if hot.get("error"):
            problems.append(f"hot store: {hot['error']}")
        if archive.get("error"):
            problems.append(f"archive: {archive['error']}")
        hot_mb = hot.get("size_mb")
        limit = params["max_hot_store_mb"]
        if limit is None and check and check.get("threshold_mb") is not None:
            limit = 1.5 * float(check["threshold_mb"])
        if limit is not None and hot_mb is not None and hot_mb > limit:
            problems.append(f"hot store {hot_mb} MB > {limit} MB: archiving is not keeping up")
        archive_mb = None if archive.get("bytes") is None else archive["bytes"] / 1048576
        if params["max_archive_mb"] is not None and archive_mb is not None and archive_mb > params["max_archive_mb"]:
            problems.append(f"archive {archive_mb:.1f} MB > max_archive_mb {params['max_archive_mb']}")
        print(f"hot store {hot.get('orders')} orders, {hot_mb} MB (limit {limit}); archive {archive.get('files')} files, {archive_mb} MB in {archive.get('partitions')} partitions; archive-check last: {None if check is None else (check.get('at'), check.get('decision'), check.get('size_mb'))}")
        fail_if(problems, "store sizes")
        return {"hot_store_mb": hot_mb, "hot_orders": hot.get("orders"), "archive_mb": archive_mb, "archive_files": archive.get("files")}

    [function_latencies(), store_sizes()]


performance_monitoring()
