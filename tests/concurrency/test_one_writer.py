"""One writer per record: two initial setups at once, and a setup beside the scheduled catalog
sync, against one state store and a sandbox answering in 20 ms, leave no record created twice."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract import contract_knobs
from tests.pg import throwaway_database
from tests.setup.test_initial_setup import assert_export_matches_erp
from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers

ACCOUNT, APP_KEY, APP_TOKEN = "twoshop", "vtexappkey-two", "two-writers-token"
PRODUCTS = 30


class World:
    def __init__(self, base_url: str, config: SandboxConfig, erp_url: str, state_url: str) -> None:
        self.base_url, self.config, self.erp_url, self.state_url = base_url, config, erp_url, state_url

    def environ(self) -> dict[str, str]:
        vtex = {"conn_type": "vtex", "login": APP_KEY, "password": APP_TOKEN,
                "extra": {"account_name": ACCOUNT, "base_url": self.base_url}}
        return {
            "AIRFLOW_CONN_VTEX_DEFAULT": json.dumps(vtex),
            "AIRFLOW_CONN_ERP_DEFAULT": json.dumps({"conn_type": "generic",
                                                    "extra": {"adapter": "sql", "url": self.erp_url}}),
            "AIRFLOW_CONN_VTEX_STATE": json.dumps({"conn_type": "generic", "extra": {"url": self.state_url}}),
        }

    def export(self) -> dict[str, list[dict[str, Any]]]:
        with httpx.Client(base_url=self.base_url, headers=auth_headers(self.config), timeout=60) as admin:
            return admin.get("/_sandbox/export").json()


def _initial_setup() -> list[dict[str, Any]]:
    from vtex_sync.airflow.tasks import plan_batches, run_step
    from vtex_sync.steps import STEPS

    results = []
    for step in STEPS:
        for batch in plan_batches(step.name, {}) if step.batched else [None]:
            results.append(run_step(step.name, {}, batch=batch))
    return results


def _catalog_sync() -> list[dict[str, Any]]:
    from vtex_sync.airflow.sync_tasks import run_sync

    start, end = datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC)
    results = []
    for _ in range(3):  # the scheduled sync comes round again while the setup is still going
        results.append(run_sync("catalog", {}, start=start, end=end))
    return results


JOBS = {"setup": _initial_setup, "catalog_sync": _catalog_sync}


def _child(job: str, environ: dict[str, str], start_at: float, results: Any) -> None:
    os.environ.update(environ)
    time.sleep(max(0.0, start_at - time.time()))
    try:
        outcome = JOBS[job]()
        failures = [f for r in outcome for f in r.get("failures", [])] if job == "setup" else \
            [r["failures"] for r in outcome if r["failures"]]
        results.put((job, None, failures))
    except Exception:
        results.put((job, traceback.format_exc(), []))


def run_at_once(world: World, *jobs: str) -> None:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 1.0
    children = [context.Process(target=_child, args=(job, world.environ(), start_at, results))
                for job in jobs]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=600) for _ in children]
    for child in children:
        child.join(60)
    for job, error, failures in outcomes:
        assert error is None, f"{job} raised:\n{error}"
        assert not failures, f"{job} had failed records: {failures}"


def assert_nothing_twice(export: dict[str, list[dict[str, Any]]], erp: dict[str, list[dict]]) -> None:
    fields, groups = export["specification_fields"], export["specification_groups"]
    duplicates = {
        "sku images": Counter((f["SkuId"], f["Url"]) for f in export["sku_files"]),
        "specification fields": Counter((f.get("FieldGroupId"), f["Name"]) for f in fields),
        "specification values": Counter((v["FieldId"], v["Name"]) for v in export["specification_values"]),
        "specification groups": Counter((g.get("CategoryId"), g["Name"]) for g in groups),
        "product specifications": Counter(
            (s["ProductId"], s["FieldId"], s.get("FieldValueId")) for s in export["product_specifications"]),
        "sku specifications": Counter((s["SkuId"], s["FieldId"]) for s in export["sku_specifications"]),
    }
    twice = {kind: [k for k, n in counts.items() if n > 1] for kind, counts in duplicates.items()}
    assert not any(twice.values()), f"created twice: { {k: v[:5] for k, v in twice.items() if v} }"
    assert len(export["sku_files"]) == len(erp["sku_images"])


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[World, dict]]:
    config = SandboxConfig(account=ACCOUNT, app_key=APP_KEY, app_token=APP_TOKEN, seed=9, latency_ms=20,
                           **contract_knobs())
    server = SandboxServer(config)
    data = generate(PRODUCTS, seed=4)
    erp_url = f"sqlite:///{tmp_path / 'erp.db'}"
    load_into(erp_url, data)
    try:
        base_url = server.start()
        if request.param == "sqlite":
            world = World(base_url, config, erp_url, f"sqlite:///{tmp_path / 'state.db'}")
            for name, value in world.environ().items():
                monkeypatch.setenv(name, value)
            yield world, data
        else:
            with throwaway_database() as state_url:
                world = World(base_url, config, erp_url, state_url)
                for name, value in world.environ().items():
                    monkeypatch.setenv(name, value)
                yield world, data
    finally:
        server.stop()


def test_two_initial_setups_at_once_create_nothing_twice(world) -> None:
    world, data = world
    run_at_once(world, "setup", "setup")
    export = world.export()
    assert_nothing_twice(export, data)
    assert_export_matches_erp(_Exported(export), data)


def test_setup_and_catalog_sync_at_once_create_nothing_twice(world) -> None:
    world, data = world
    run_at_once(world, "setup", "catalog_sync")
    export = world.export()
    assert_nothing_twice(export, data)
    assert_export_matches_erp(_Exported(export), data)


class _Exported:
    """What `assert_export_matches_erp` reads from a store: its export."""

    def __init__(self, export: dict[str, list[dict[str, Any]]]) -> None:
        self._export = export

    def export(self) -> dict[str, list[dict[str, Any]]]:
        return self._export
