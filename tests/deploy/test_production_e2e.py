"""End to end in the production shape: the real DAGs on CeleryExecutor, PostgreSQL and Redis.

Two `airflow celery worker` processes, scheduler, dag-processor, api-server and triggerer run
against throwaway PostgreSQL databases (Airflow metadata, state store, ERP) with the settings
of `airflow_settings.yaml` pointed at a VTEX sandbox. The initial setup runs on the tiny demo
catalog in small batches so its mapped tasks fan out over both workers, then a burst of
orders goes through `vtex_orders_feed`.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.contract import JSON_HEADERS, contract_knobs
from tests.deploy.services import ADMIN_URL, missing_services
from tests.setup.expected import category_paths_from_erp, category_paths_from_vtex, expected_view, vtex_view
from vtex_demo.generator import generate, load_into
from vtex_local.databases import create_database, database_url, drop_database
from vtex_local.shape import ProductionShape
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(600)]

PROJECT_DIR = Path(__file__).resolve().parents[2]
ACCOUNT = "prodshape"
APP_KEY = "vtexappkey-prodshape"
APP_TOKEN = f"prodshape-token-{secrets.token_hex(8)}"
BATCH_SIZE = 10
ORDERS = 50
SETUP = "vtex_initial_setup"
FEED = "vtex_orders_feed"



@dataclass
class World:
    """The running shape, the sandbox it talks to, the ERP it reads and the setup run."""

    shape: ProductionShape
    admin: httpx.Client
    erp_url: str
    erp_data: dict[str, list[dict[str, Any]]]
    setup_run: str = ""
    setup_state: str = ""

    def route_calls(self, method: str, fragment: str, status: int | None = None) -> int:
        rows = self.admin.get("/_sandbox/stats").json()["by_route"]
        return sum(
            r["count"]
            for r in rows
            if r["method"] == method and fragment in r["route"] and status in (None, r["status"])
        )


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    missing = missing_services()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not listening on 127.0.0.1")
    erp_name = f"vtex_e2e_{secrets.token_hex(4)}_erp"
    create_database(ADMIN_URL, erp_name)
    erp_url = database_url(ADMIN_URL, erp_name).render_as_string(hide_password=False)
    config = SandboxConfig(account=ACCOUNT, app_key=APP_KEY, app_token=APP_TOKEN, seed=7, order_clock=3600,
                           **contract_knobs())
    sandbox = SandboxServer(config, in_subprocess=True)
    failed_before = request.session.testsfailed
    try:
        erp_data = generate("tiny", seed=3)
        load_into(erp_url, erp_data)
        base_url = sandbox.start()
        env = {
            "VTEX_BASE_URL": base_url,
            "VTEX_ACCOUNT_NAME": ACCOUNT,
            "VTEX_APP_KEY": APP_KEY,
            "VTEX_APP_TOKEN": APP_TOKEN,
            "ERP_DB_URL": erp_url,
        }
        shape = ProductionShape(PROJECT_DIR / "dags", PROJECT_DIR / "airflow_settings.yaml", env, workers=2)
        admin = httpx.Client(base_url=base_url, headers={**auth_headers(config), **JSON_HEADERS}, timeout=30)
        with admin, shape.start():
            world = World(shape, admin, erp_url, erp_data)
            world.setup_run = shape.trigger(SETUP, {"batch_size": BATCH_SIZE})
            # The feed must be configured before orders become ready; it runs beside the setup.
            feed_config_run = shape.trigger("vtex_orders_feed_config", {"action": "set"})
            world.setup_state = shape.wait(SETUP, world.setup_run, timeout=420)
            assert shape.wait("vtex_orders_feed_config", feed_config_run, timeout=60) == "success"
            yield world
            if request.session.testsfailed > failed_before:
                shape.print_logs()
    finally:
        sandbox.stop()
        drop_database(ADMIN_URL, erp_name)


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _mapped(world: World) -> list[dict[str, Any]]:
    instances = world.shape.task_instances(SETUP, world.setup_run)
    return [ti for ti in instances if ti["map_index"] >= 0]


def test_initial_setup_makes_vtex_equal_the_erp(world: World) -> None:
    assert world.setup_state == "success"
    export = world.admin.get("/_sandbox/export").json()
    paths = category_paths_from_vtex(export)
    assert sorted(paths) == sorted(category_paths_from_erp(world.erp_data))
    got, want = vtex_view(export), expected_view(world.erp_data)
    for key in want:
        assert got[key] == want[key], f"{key} differs between VTEX and the ERP"
    for kind, natural_key in (("products", "RefId"), ("skus", "RefId"), ("brands", "Name")):
        counts = Counter(row[natural_key] for row in export[kind])
        assert max(counts.values()) == 1, f"duplicate {kind}: {counts.most_common(3)}"


def test_mapped_batches_fan_out_over_both_workers_at_once(world: World) -> None:
    mapped = _mapped(world)
    by_task = Counter(ti["task_id"] for ti in mapped)
    rows = len(world.erp_data["sku_specifications"])
    assert by_task["catalog.sku_specifications"] == math.ceil(rows / BATCH_SIZE)
    assert {ti["state"] for ti in mapped} == {"success"}

    workers = {ti["hostname"] for ti in mapped}
    assert workers == {f"w{n}_{world.shape.name}" for n in (1, 2)}, workers

    intervals = [(_parse(ti["start_date"]), _parse(ti["end_date"]), ti["hostname"]) for ti in mapped]
    across_workers = [
        (a, b)
        for a in intervals
        for b in intervals
        if a[2] < b[2] and a[0] < b[1] and b[0] < a[1]
    ]
    assert across_workers, "no two mapped tasks ran on different workers at the same time"


def test_no_batch_succeeded_twice(world: World) -> None:
    for ti in _mapped(world):
        tries = world.shape.task_tries(SETUP, world.setup_run, ti["task_id"], ti["map_index"])
        successes = [t for t in tries if t["state"] == "success"]
        assert len(successes) == 1, f"{ti['task_id']}[{ti['map_index']}] succeeded {len(successes)} times"
    keys = [(ti["task_id"], ti["map_index"]) for ti in _mapped(world)]
    assert len(keys) == len(set(keys))


def test_orders_burst_reaches_the_erp_once_and_starts_handling_once(world: World) -> None:
    assert world.setup_state == "success", "orders need the catalog"
    response = world.admin.post("/_sandbox/orders", json={"count": ORDERS})
    response.raise_for_status()
    order_ids = response.json()["orderIds"]
    world.admin.post("/_sandbox/orders/ready").raise_for_status()

    run_id = world.shape.trigger(FEED, {"feed_seconds": 60, "process_seconds": 120})
    assert world.shape.wait(FEED, run_id, timeout=240) == "success"

    engine = create_engine(world.erp_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT vtex_order_id, COUNT(*) FROM sales_orders GROUP BY vtex_order_id")
            ).all()
    finally:
        engine.dispose()
    assert sorted(row[0] for row in rows) == sorted(order_ids)
    assert {row[1] for row in rows} == {1}
    assert world.route_calls("POST", "start-handling") == ORDERS
    assert world.route_calls("POST", "start-handling", 204) == ORDERS
    statuses = {world.admin.get(f"/api/oms/pvt/orders/{oid}").json()["status"] for oid in order_ids}
    assert statuses == {"handling"}


def test_app_token_never_reaches_task_or_process_logs(world: World) -> None:
    assert world.shape.home is not None
    logs = [path for path in world.shape.home.rglob("*") if path.is_file() and ".log" in path.name]
    assert any("logs" in path.parts for path in logs), "no task logs were written"
    leaking = [path.name for path in logs if APP_TOKEN in path.read_text(errors="replace")]
    assert not leaking
