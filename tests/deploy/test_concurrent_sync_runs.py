"""Two runs of a sync DAG finishing together both succeed and both publish their asset event.

Real Airflow (the production shape: CeleryExecutor with two workers, PostgreSQL metadata), a
fresh metadata database so no asset exists yet. The test holds the ERP tables the three sync
DAGs read first until two runs of each wait on them, then lets them all go at once, so each
DAG's two runs finish within milliseconds of each other on an asset nobody created yet.
"""

from __future__ import annotations

import secrets
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.contract import contract_knobs
from vtex_demo.generator import generate, load_into
from vtex_local.databases import create_database, database_url, drop_database
from vtex_local.shape import ProductionShape
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]

PROJECT_DIR = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
ACCOUNT = "racingshop"
APP_KEY = "vtexappkey-racing"
APP_TOKEN = f"racing-token-{secrets.token_hex(8)}"
# each sync DAG and the ERP table it reads first
SYNCS = {"vtex_price_sync": "prices", "vtex_inventory_sync": "stock", "vtex_catalog_sync": "products"}
FLOWS = {"vtex_price_sync": "prices", "vtex_inventory_sync": "inventory", "vtex_catalog_sync": "catalog"}
RUNS = 2  # the sync DAGs' max_active_runs


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[ProductionShape, str]]:
    missing = [name for name, port in (("PostgreSQL", 5432), ("Redis", 6379)) if not _listening(port)]
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
    """Sessions waiting for a lock on one of `tables` (the sync tasks held at their first read)."""
    query = text("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                 "WHERE NOT l.granted AND c.relname = ANY(:tables)")
    return int(conn.execute(query, {"tables": tables}).scalar())


def runs_of(shape: ProductionShape, dag_id: str) -> list[dict[str, Any]]:
    return shape.api("GET", f"/api/v2/dags/{dag_id}/dagRuns?limit=100")["dag_runs"]


def asset_events(shape: ProductionShape, uri: str) -> list[dict[str, Any]]:
    assets = shape.api("GET", "/api/v2/assets", params={"uri_pattern": uri, "limit": 100})["assets"]
    ids = [a["id"] for a in assets if a["uri"] == uri]
    if not ids:
        return []
    found = shape.api("GET", "/api/v2/assets/events", params={"asset_id": ids[0], "limit": 100})
    return list(found["asset_events"])


def test_sync_runs_finishing_together_all_succeed_and_all_publish(world: tuple[ProductionShape, str]) -> None:
    shape, erp_url = world
    holder = create_engine(erp_url)
    tables = list(SYNCS.values())
    with holder.connect() as hold, holder.connect() as watch:
        hold.execute(text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"))
        for dag_id in SYNCS:
            for _ in range(RUNS):
                shape.trigger(dag_id)
        deadline = time.monotonic() + 300
        while waiting_on(watch, tables) < RUNS * len(SYNCS) and time.monotonic() < deadline:
            time.sleep(0.5)
        held = waiting_on(watch, tables)
        hold.rollback()  # every held run goes on at the same instant
    holder.dispose()
    assert held == RUNS * len(SYNCS), f"only {held} sync tasks reached the ERP read"

    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        runs = {dag_id: runs_of(shape, dag_id) for dag_id in SYNCS}
        if all(r["state"] in ("success", "failed") for found in runs.values() for r in found):
            break
        time.sleep(2)
    for dag_id, flow_runs in runs.items():
        states = Counter(r["state"] for r in flow_runs)
        assert states == {"success": len(flow_runs)}, (dag_id, states)
        flow = FLOWS[dag_id]
        events = asset_events(shape, f"vtex://{ACCOUNT}/{flow}")
        assert len(events) == len(flow_runs), f"{dag_id}: {len(events)} asset events, {len(flow_runs)} runs"
        assert {e["source_run_id"] for e in events} == {r["dag_run_id"] for r in flow_runs}
