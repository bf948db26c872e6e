"""End to end on the bulk path: prices as Bulk Pricing files, stock as batch inventory, against
the sandbox over HTTP (its contract checks on): VTEX ends up equal to the ERP, no per-SKU price
or stock call is made, and a second run sends no batch and no call."""

from __future__ import annotations

import json

import pytest

from tests.setup.conftest import Store
from tests.setup.test_initial_setup import assert_export_matches_erp
from vtex_sync.flows.report import merge


@pytest.fixture
def bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {"bulk_threshold": 10, "batch_inventory": True, "bulk_poll_seconds": 0.2}
    monkeypatch.setenv("AIRFLOW_VAR_VTEX_SYNC_SETTINGS", json.dumps(settings))


def test_bulk_setup_makes_vtex_equal_the_erp_and_a_second_run_sends_nothing(
    store: Store, erp_data: dict, bulk: None
) -> None:
    totals = merge(store.run())
    assert_export_matches_erp(store, erp_data)
    assert all(t.get("failed", 0) == 0 for t in totals.values()), totals
    assert totals["prices"].get("batches", 0) >= 1 and totals["inventory"].get("batches", 0) == 1
    assert totals["prices"]["calls"] < len(erp_data["prices"]) / 2  # files, not a PUT per SKU

    store.reset_stats()
    again = merge(store.run())
    assert store.writes() == 0
    assert all(t.get("created", 0) == t.get("updated", 0) == 0 for t in again.values())
    assert "batches" not in again["prices"] and "batches" not in again["inventory"]
