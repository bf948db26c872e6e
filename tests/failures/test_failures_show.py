"""Runs that fail when they should: a wrong token fails the DAG run at once, failed records
fail their task, and a row naming a parent the ERP does not have is quarantined, not left waiting."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.setup.conftest import APP_KEY, Store
from vtex_provider.exceptions import VtexAuthError
from vtex_sync.airflow.tasks import RecordsFailed, run_step
from vtex_sync.state import StateStore

DAGS = Path(__file__).resolve().parents[2] / "dags"


def wrong_token(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    vtex = {"conn_type": "vtex", "login": APP_KEY, "password": "not-the-token",
            "extra": {"account_name": "setupshop", "base_url": store.base_url}}
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_DEFAULT", json.dumps(vtex))


def vtex_calls(store: Store) -> int:
    stats = store.admin.get("/_sandbox/stats").json()
    return sum(r["count"] for r in stats["by_route"])


def test_a_wrong_token_stops_the_step_at_once_naming_the_connection(store: Store, monkeypatch) -> None:
    wrong_token(monkeypatch, store)
    store.reset_stats()
    with pytest.raises(VtexAuthError) as raised:
        run_step("categories", {})
    message = str(raised.value)
    assert "'vtex_default'" in message and "401" in message
    assert "not-the-token" not in message
    assert vtex_calls(store) <= 8, "calls went on after VTEX rejected the credentials"


@pytest.mark.airflow_db
def test_a_wrong_token_makes_the_dag_run_fail(store: Store, monkeypatch, airflow_db: None, caplog,
                                              capsys) -> None:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import DagRunState

    wrong_token(monkeypatch, store)
    dag = DagBag(dag_folder=str(DAGS / "vtex_initial_setup.py")).dags["vtex_initial_setup"]
    run = dag.test()
    assert run.state == DagRunState.FAILED
    captured = capsys.readouterr()
    log = caplog.text + captured.out + captured.err
    # an expected stop: one line naming the connection to fix, no stack trace
    assert "Traceback" not in log and "Task failed with exception" not in log, log[-3000:]
    stops = [r.getMessage() for r in caplog.records if r.name == "vtex_sync.airflow.stops"]
    assert len(stops) == 1 and "'vtex_default'" in stops[0] and "fix the app key/token" in stops[0]
    failed = {ti.task_id: ti for ti in run.get_task_instances() if ti.state == "failed"}
    assert failed, "no task failed"
    for task_id, ti in failed.items():  # the first task to call VTEX failed at once, not retried
        assert ti.try_number == 1, f"{task_id} was retried after an authentication failure"
    assert store.export()["categories"] == []
    statuses = Counter(r["status"] for r in store.admin.get("/_sandbox/stats").json()["by_route"])
    assert 401 in statuses, f"VTEX never answered 401: {statuses}"


def test_failed_records_fail_the_task_after_counting_them(store: Store) -> None:
    store.run()
    state = StateStore(store.state_url)
    sku = state.bindings("setupshop", "sku")
    victim = sorted(sku)[0]
    with state.engine.begin() as conn:  # the id map points at a SKU VTEX does not have
        conn.execute(text("UPDATE state_bindings SET vtex_id = '99999999' "
                          "WHERE entity = 'sku' AND erp_key = :k"), {"k": victim})
    with create_engine(store.erp_url).begin() as conn:  # so the price needs sending
        conn.execute(text("UPDATE prices SET base_price = base_price + 1 WHERE sku_ref_id = :k"),
                     {"k": victim})

    with pytest.raises(RecordsFailed) as raised:
        run_step("prices", {"entities": ["prices"]}, batch=[0, 1])
    assert raised.value.failed == 1 and raised.value.threshold == 0
    assert raised.value.result["counts"]["failed"] == 1
    assert [f["key"] for f in raised.value.result["failures"]] == [victim]
    tolerated = run_step("prices", {"entities": ["prices"], "max_failed_records": 1}, batch=[0, 1])
    assert tolerated["counts"]["failed"] == 1


def test_summary_counts_every_failure_not_a_sample(store: Store, monkeypatch) -> None:
    from vtex_sync.airflow.tasks import summarise

    results: list[dict[str, Any]] = [
        {"entity": "sku", "counts": {"planned": 50, "failed": 50},
         "failures": [{"key": f"S{n}", "call": "POST x", "reason": "400"} for n in range(20)]},
        {"entity": "price", "counts": {"planned": 3, "failed": 3}, "failures": []},
    ]
    summary = summarise(results, flow="initial_setup", run_id="r1", params={})
    assert summary["failures"] == 53


def test_a_row_naming_a_parent_the_erp_does_not_have_is_quarantined_not_left_waiting(store: Store) -> None:
    with create_engine(store.erp_url).begin() as conn:
        conn.execute(text("UPDATE skus SET product_ref_id = 'NO-SUCH-PRODUCT' WHERE ref_id = "
                          "(SELECT MIN(ref_id) FROM skus)"))
        victim = conn.execute(text("SELECT ref_id FROM skus WHERE product_ref_id = 'NO-SUCH-PRODUCT'"))\
            .scalar()
    results = store.run()
    skus = [r for r in results if r["entity"] == "skus"]
    assert sum(r["counts"].get("waiting_parent", 0) for r in skus) == 0
    entry = {q.erp_key: q for q in StateStore(store.state_url).open_quarantine("setupshop", "skus")}[victim]
    assert (entry.rule, entry.field, entry.value) == ("unknown_parent", "product_ref_id", "NO-SUCH-PRODUCT")
    assert "NO-SUCH-PRODUCT" in entry.message


def test_the_guard_protects_an_initial_setup_over_a_loaded_store(store: Store) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    store.run()
    with create_engine(store.erp_url).begin() as conn:  # a broken export: every stock row zero
        conn.execute(text("UPDATE stock SET quantity = 0, unlimited = 0"))
    before = store.export()["inventory"]
    store.reset_stats()
    with pytest.raises(AirflowFailException, match="stock goes to zero.*confirm_blast_radius"):
        run_step("inventory", {}, batch=[0, 1])
    assert store.writes() == 0 and store.export()["inventory"] == before
    done = run_step("inventory", {"confirm_blast_radius": True}, batch=[0, 1])
    assert done["counts"]["updated"] > 0


def test_a_record_created_twice_is_reported_and_retired_behind_a_param(store: Store) -> None:
    from vtex_provider.hooks.vtex import VtexHook
    from vtex_provider.models.catalog import SkuFileInput, SpecificationValue
    from vtex_sync.airflow.tasks import sweep_duplicates
    from vtex_sync.context import Clients

    store.run()
    state = StateStore(store.state_url)
    image_key, image = sorted(state.bindings("setupshop", "sku_image").items())[0]
    sku_id = int(state.bindings("setupshop", "sku")[image_key.split("|")[0]].vtex_id)
    catalog = Clients(VtexHook("vtex_default")).catalog
    # an image is bound as <sku id>:<position> and found by its URL: the SKU's first image is the one
    assert image.vtex_id.startswith(f"{sku_id}:")
    original = catalog.list_sku_files(sku_id)[0]
    # someone else (or a run before create leases) made the same image and value again
    extra = catalog.create_sku_file(sku_id, SkuFileInput(name=original.name, url=original.url))
    value_key, value = sorted(state.bindings("setupshop", "specification_value").items())[0]
    field_id = next(v["FieldId"] for v in store.export()["specification_values"]
                    if str(v["FieldValueId"]) == value.vtex_id)
    name = next(v.value for v in catalog.list_specification_values(field_id)
                if str(v.field_value_id) == value.vtex_id)
    twin = catalog.create_specification_value(SpecificationValue(field_id=field_id, name=name))

    report = sweep_duplicates({})
    assert report["by_action"] == {"reported": 2}
    assert {(d["entity"], d["extra"]) for d in report["sample"]} == {
        ("sku_image", str(extra.id)), ("specification_value", str(twin.field_value_id))}
    assert any(str(f.id) == str(extra.id) for f in catalog.list_sku_files(sku_id)), "reporting removed it"

    retired = sweep_duplicates({"remove_duplicates": True})
    assert retired["by_action"] == {"removed": 1, "deactivated": 1}
    assert [f.id for f in catalog.list_sku_files(sku_id) if f.url == original.url] == [original.id]
    values = {str(v.field_value_id): v for v in catalog.list_specification_values(field_id)}
    assert values[value.vtex_id].is_active and not values[str(twin.field_value_id)].is_active
    assert sweep_duplicates({})["duplicates"] == 0
