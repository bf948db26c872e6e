"""Two runs of a sync DAG finishing together both succeed and both publish their asset event.

Real Airflow (the production shape: CeleryExecutor with two workers, PostgreSQL metadata), a
fresh metadata database so no asset exists yet. The test holds the state store's watermarks
(the last thing a sync writes) until two runs of each of the three sync DAGs wait on them, then
lets them all go at once, so each DAG's two runs finish within milliseconds of each other, on
an asset nobody created yet.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.contract import contract_knobs
from tests.deploy.services import ADMIN_URL, missing_services
from vtex_demo.generator import generate, load_into
from vtex_local.databases import create_database, database_url, drop_database
from vtex_local.shape import ProductionShape
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer
from vtex_sync.state import StateStore

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]

PROJECT_DIR = Path(__file__).resolve().parents[2]
ACCOUNT = "racingshop"
APP_KEY = "vtexappkey-racing"
APP_TOKEN = f"racing-token-{secrets.token_hex(8)}"
# each sync DAG and its flow
SYNCS = {"vtex_price_sync": "prices", "vtex_inventory_sync": "inventory", "vtex_catalog_sync": "catalog"}
RUNS = 2  # the sync DAGs' max_active_runs



@pytest.fixture(scope="module")
def world() -> Iterator[tuple[ProductionShape, str]]:
    missing = missing_services()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not listening on 127.0.0.1")
    erp_name = f"vtex_race_{secrets.token_hex(4)}_erp"
    create_database(ADMIN_URL, erp_name)
    erp_url = database_url(ADMIN_URL, erp_name).render_as_string(hide_password=False)
    sandbox = SandboxServer(SandboxConfig(account=ACCOUNT, app_key=APP_KEY, app_token=APP_TOKEN,
                                          **contract_knobs()), in_subprocess=True)
    try:
        load_into(erp_url, generate("tiny", seed=5))
        env = {"VTEX_BASE_URL": sandbox.start(), "VTEX_ACCOUNT_NAME": ACCOUNT, "VTEX_APP_KEY": APP_KEY,
               "VTEX_APP_TOKEN": APP_TOKEN, "ERP_DB_URL": erp_url}
        shape = ProductionShape(PROJECT_DIR / "dags", PROJECT_DIR / "airflow_settings.yaml", env, workers=2)
        with shape.start():
            yield shape, erp_url
    finally:
        sandbox.stop()
        drop_database(ADMIN_URL, erp_name)


def waiting_on(conn: Any, tables: list[str]) -> int:
    """Sessions waiting for a lock on one of `tables` (the sync tasks held at their last write)."""
    query = text("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                 "WHERE NOT l.granted AND c.relname = ANY(:tables)")
    return int(conn.execute(query, {"tables": tables}).scalar())


def runs_of(shape: ProductionShape, dag_id: str) -> list[dict[str, Any]]:
    return shape.api("GET", f"/api/v2/dags/{dag_id}/dagRuns?limit=100")["dag_runs"]


def asset_events(shape: ProductionShape, dag_id: str, uri: str) -> list[dict[str, Any]]:
    """The asset events `dag_id` published on `uri` (an asset made through an alias is not
    listed among the DAGs' assets, its events are)."""
    found = shape.api("GET", "/api/v2/assets/events", params={"source_dag_id": dag_id, "limit": 100})
    return [event for event in found["asset_events"] if event["uri"] == uri]


def api_server_errors(shape: ProductionShape) -> list[str]:
    """The api-server's log lines about a failed database write (where Airflow says why it set
    a finished task to failed)."""
    assert shape.home is not None
    log = (shape.home / "process-logs" / "api-server.log").read_text(errors="replace")
    return [line[:300] for line in log.splitlines() if "IntegrityError" in line or "UniqueViolation" in line]


def test_sync_runs_finishing_together_all_succeed_and_all_publish(world: tuple[ProductionShape, str]) -> None:
    shape, _ = world
    StateStore(shape.state_db_url)  # the state store's schema, before any run
    holder = create_engine(shape.state_db_url)
    with holder.connect() as hold, holder.connect() as watch:
        # reads go on, writes wait: every sync runs to its last step, moving its watermark
        hold.execute(text("LOCK TABLE state_watermarks IN EXCLUSIVE MODE"))
        for dag_id in SYNCS:
            for _ in range(RUNS):
                shape.trigger(dag_id)  # without a logical date, as a user's trigger
        deadline = time.monotonic() + 300
        while waiting_on(watch, ["state_watermarks"]) < RUNS * len(SYNCS) and time.monotonic() < deadline:
            time.sleep(0.5)
        held = waiting_on(watch, ["state_watermarks"])
        hold.rollback()  # every held run finishes at the same instant
    holder.dispose()
    tasks = {dag_id: [(ti["dag_run_id"], ti["task_id"], ti["state"]) for run in runs_of(shape, dag_id)
                      for ti in shape.task_instances(dag_id, run["dag_run_id"])] for dag_id in SYNCS}
    assert held == RUNS * len(SYNCS), f"only {held} sync tasks reached their end: {tasks}"

    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        runs = {dag_id: runs_of(shape, dag_id) for dag_id in SYNCS}
        if all(r["state"] in ("success", "failed") for found in runs.values() for r in found):
            break
        time.sleep(2)
    for dag_id, flow_runs in runs.items():
        states = Counter(r["state"] for r in flow_runs)
        assert states == {"success": len(flow_runs)}, (dag_id, states, api_server_errors(shape))
        flow = SYNCS[dag_id]
        events = asset_events(shape, dag_id, f"vtex://{ACCOUNT}/{flow}")
        assert len(events) == len(flow_runs), f"{dag_id}: {len(events)} asset events, {len(flow_runs)} runs"
        assert {e["source_run_id"] for e in events} == {r["dag_run_id"] for r in flow_runs}
