"""Shared helpers of the OrderPulse DAGs (not a DAG file: listed in .airflowignore).

Every task talks to OrderPulse over HTTP only: the functions through the gateway
(`/function/<name>`, `/system/functions`) and the dashboard's JSON API. Where to find them:
the run's conf or params `gateway_url` / `dashboard_url` when given, else the Airflow
connections `orderpulse_gateway` / `orderpulse_dashboard` (dev/stack/airflow.ts sets them from
the environment as AIRFLOW_CONN_ORDERPULSE_GATEWAY / _DASHBOARD).

The gateway needs HTTP basic auth on every route but /healthz. Its credentials, first found wins:
the login and password of the connection `orderpulse_gateway` (e.g.
AIRFLOW_CONN_ORDERPULSE_GATEWAY=http://admin:PASSWORD@gateway:8080), else the environment's
GATEWAY_USER (default admin) with GATEWAY_PASSWORD, or the password in GATEWAY_PASSWORD_FILE
(dev/stack/airflow.ts points it at the local pipeline's <ORDERPULSE_HOME>/gateway/password).
Every call to a URL under the gateway gets them; no other URL does.

A check that does not hold raises CheckFailed (an AirflowFailException: the task fails at once,
without retries), so a DAG run ends failed instead of printing a warning. docs/airflow.md.
"""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Any

from airflow.sdk import BaseHook, Param
from airflow.sdk.exceptions import AirflowFailException

START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)

DEFAULT_ARGS = {"owner": "orderpulse", "retries": 0}

PIPELINE_HINT = "is the pipeline running? (npm run pipeline, or npm run demo)"


class CheckFailed(AirflowFailException):
    """A check of an OrderPulse DAG did not hold: the task fails (no retry)."""


def endpoint_params() -> dict[str, Param]:
    """The params every DAG takes to point it at another gateway or dashboard (tests do)."""
    return {
        "gateway_url": Param(None, type=["null", "string"], description="Gateway base URL; default: connection orderpulse_gateway"),
        "dashboard_url": Param(None, type=["null", "string"], description="Dashboard base URL; default: connection orderpulse_dashboard"),
    }


def _connection(conn_id: str) -> Any:
    try:
        return BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - an absent connection means "no default"
        return None


def _from_connection(conn_id: str) -> str | None:
    conn = _connection(conn_id)
    if conn is None or not conn.host:
        return None
    scheme = conn.schema if conn.schema in ("http", "https") else "http"
    port = f":{conn.port}" if conn.port else ""
    return f"{scheme}://{conn.host}{port}"


def _base_url(context: dict[str, Any], key: str, conn_id: str) -> str:
    params = context.get("params") or {}
    dag_run = context.get("dag_run")
    conf = (getattr(dag_run, "conf", None) or {}) if dag_run is not None else {}
    url = params.get(key) or conf.get(key) or _from_connection(conn_id)
    if not url:
        raise CheckFailed(f"no {key}: pass it in the run's conf or set the Airflow connection {conn_id} (AIRFLOW_CONN_{conn_id.upper()})")
    return str(url).rstrip("/")


# Gateway base URL -> Authorization header; call() adds it to every URL under that base.
_GATEWAY_AUTH: dict[str, str] = {}


def gateway_credentials(environ: dict[str, str] | None = None, conn: Any = None) -> tuple[str, str] | None:
    """(user, password) for the gateway: the connection's login/password, else the environment."""
    env = os.environ if environ is None else environ
    if conn is not None and getattr(conn, "password", None):
        return (getattr(conn, "login", None) or "admin", conn.password)
    user = env.get("GATEWAY_USER") or "admin"
    if env.get("GATEWAY_PASSWORD"):
        return (user, env["GATEWAY_PASSWORD"])
    path = env.get("GATEWAY_PASSWORD_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                password = f.read().strip()
        except OSError:
            return None
        if password:
            return (user, password)
    return None


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def gateway_url(context: dict[str, Any]) -> str:
    url = _base_url(context, "gateway_url", "orderpulse_gateway")
    creds = gateway_credentials(conn=_connection("orderpulse_gateway"))
    if creds is not None:
        _GATEWAY_AUTH[url] = basic_auth(*creds)
    return url


def dashboard_url(context: dict[str, Any]) -> str:
    return _base_url(context, "dashboard_url", "orderpulse_dashboard")


class Answer:
    def __init__(self, status: int, body: Any, ms: float) -> None:
        self.status = status
        self.body = body
        self.ms = ms

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def call(method: str, url: str, body: Any = None, timeout: float = 30.0) -> Answer:
    """One HTTP call; JSON in and out. Unreachable or timed out => CheckFailed."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json", "accept": "application/json"}
    for base, auth in _GATEWAY_AUTH.items():
        if url == base or url.startswith(base + "/"):
            headers["authorization"] = auth
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            status, raw = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
        raise CheckFailed(f"{method} {url}: unreachable ({e}); {PIPELINE_HINT}") from e
    ms = (time.monotonic() - t0) * 1000
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed: Any = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return Answer(status, parsed, ms)


def require_ok(what: str, method: str, url: str, ans: Answer) -> Any:
    if not ans.ok:
        hint = ""
        if ans.status == 401:
            hint = " (the gateway needs basic auth: set the connection orderpulse_gateway's login/password, or GATEWAY_PASSWORD / GATEWAY_PASSWORD_FILE; docs/airflow.md)"
        raise CheckFailed(f"{what}: {method} {url} answered HTTP {ans.status}: {json.dumps(ans.body)[:1000]}{hint}")
    return ans.body


def call_ok(what: str, method: str, url: str, body: Any = None, timeout: float = 30.0) -> Any:
    return require_ok(what, method, url, call(method, url, body, timeout))


def fail_if(problems: list[str], what: str) -> None:
    """Raise one CheckFailed listing every problem found (none: the check holds)."""
    if problems:
        raise CheckFailed(f"{what}: " + "; ".join(problems))


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def functions_of(gw: str) -> list[dict[str, Any]]:
    """The gateway's functions (OpenFaaS /system/functions)."""
    body = call_ok("list functions", "GET", f"{gw}/system/functions")
    if not isinstance(body, list):
        raise CheckFailed(f"GET {gw}/system/functions did not answer a list: {json.dumps(body)[:300]}")
    return body


def health_probe(gw: str, name: str, timeout: float = 10.0) -> Answer:
    """GET /function/<name>/_/health (the template answers it from the handler's health())."""
    return call("GET", f"{gw}/function/{name}/_/health", timeout=timeout)


def monitor(gw: str, group_prefix: str) -> dict[str, Any]:
    """The `monitor` function's reading: consumer lag per group/topic/partition, hot store, archive."""
    body = call_ok("monitor", "GET", f"{gw}/function/monitor?group_prefix={urllib.request.quote(group_prefix)}", timeout=60)
    if not isinstance(body, dict):
        raise CheckFailed(f"monitor answered {json.dumps(body)[:300]}")
    return body
