"""mongodb_archiving_pipeline: archive the oldest orders only when the hot store needs it.

1. check: POST {gateway}/function/archive-check. It reads the hot store's size and, only when over
   ARCHIVE_THRESHOLD_MB (or a batch is left unfinished), asks archive-move asynchronously. Fails
   on a non-2xx answer or a reading carrying an error (e.g. archive-move could not be invoked).
2. batches: GET {gateway}/function/archive-move: the batches in flight. Fails when one is stuck in
   a failed state: its last attempt failed (last_error, e.g. a verification mismatch) at least
   `max_verify_failures` times, or it has not moved for `stuck_minutes` while no move holds the lease.
Every 10 minutes: archive-check's own cron runs every minute; both are idempotent and a second
move never starts while one holds the lease, so this adds supervision, not work. docs/airflow.md.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import Param, dag, task

from _orderpulse import DEFAULT_ARGS, START_DATE, CheckFailed, call_ok, endpoint_params, fail_if, gateway_url, parse_time


@dag(
    dag_id="mongodb_archiving_pipeline",
    schedule="*/10 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["orderpulse", "archive"],
    doc_md=__doc__,
    params={
        **endpoint_params(),
        "max_verify_failures": Param(1, type="integer", minimum=1, description="Fail when an in-flight batch failed verification this often"),
        "stuck_minutes": Param(30, type="integer", minimum=1, description="Fail when an in-flight batch has not moved for this long and no move runs"),
    },
)
def mongodb_archiving_pipeline():
    @task
    def check(**context):
        gw = gateway_url(context)
        reading = call_ok("archive-check", "POST", f"{gw}/function/archive-check", {}, timeout=60)
        if not isinstance(reading, dict):
            raise CheckFailed(f"archive-check answered {reading!r}")
        print(f"hot store {reading.get('size_mb')} MB (threshold {reading.get('threshold_mb')} MB): {reading.get('decision')}, orders to move {reading.get('orders_to_move')}, invoked {reading.get('invoked')}")
        problems = []
        if reading.get("error"):
            problems.append(f"archive-check reported an error: {reading['error']}")
        invoked = reading.get("invoked")
        if isinstance(invoked, dict) and not 200 <= int(invoked.get("status", 0)) < 300:
            problems.append(f"archive-move was not accepted: {invoked}")
        fail_if(problems, "archive-check")
        return {k: reading.get(k) for k in ("decision", "size_mb", "threshold_mb", "orders_to_move")}

    @task
    def batches(**context):
        params = context["params"]
        gw = gateway_url(context)
        listing = call_ok("archive-move batches", "GET", f"{gw}/function/archive-move", timeout=60)
        in_flight = listing.get("in_flight", []) if isinstance(listing, dict) else []
        lease = listing.get("lease") if isinstance(listing, dict) else None
        now = datetime.now(timezone.utc)
        problems = []
        for b in in_flight:
            bid, step = b.get("_id"), b.get("step")
            if b.get("last_error") and int(b.get("verify_failures") or 0) >= params["max_verify_failures"]:
                problems.append(f"batch {bid} at step {step} failed {b.get('verify_failures')} time(s): {b['last_error']}")
            updated = parse_time(b.get("updated_at"))
            if lease is None and updated is not None and (now - updated).total_seconds() > params["stuck_minutes"] * 60:
                problems.append(f"batch {bid} has been at step {step} since {b.get('updated_at')} and no move is running")
        print(f"{len(in_flight)} batch(es) in flight; lease {lease}; recent: {[(b.get('_id'), b.get('deleted')) for b in listing.get('recent', [])]}")
        fail_if(problems, "archive-move")
        return {"in_flight": len(in_flight)}

    check() >> batches()


mongodb_archiving_pipeline()
