"""End to end: the initial setup against the sandbox over HTTP and a real ERP database."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from decimal import Decimal

from sqlalchemy import create_engine, text

from tests.setup.conftest import APP_TOKEN, Store
from tests.setup.expected import category_paths_from_erp, category_paths_from_vtex, expected_view, vtex_view
from vtex_sync.flows.report import merge
from vtex_sync.state import StateStore


def assert_export_matches_erp(store: Store, erp: dict) -> None:
    export = store.export()
    paths = category_paths_from_vtex(export)
    assert sorted(paths) == sorted(category_paths_from_erp(erp)), "category tree differs"
    assert len(paths) == len(set(paths)), "a category was created twice"
    got, want = vtex_view(export), expected_view(erp)
    for key in want:
        assert got[key] == want[key], f"{key} differs between VTEX and the ERP"
    for kind, natural_key in (("products", "RefId"), ("skus", "RefId"), ("brands", "Name")):
        counts = Counter(row[natural_key] for row in export[kind])
        assert max(counts.values()) == 1, f"duplicate {kind}: {counts.most_common(3)}"


def test_initial_setup_makes_vtex_equal_the_erp(store: Store, erp_data: dict) -> None:
    results = store.run()
    assert_export_matches_erp(store, erp_data)
    totals = merge(results)
    assert totals["products"]["created"] == len(erp_data["products"])
    assert all(t.get("failed", 0) == 0 for t in totals.values())


def test_second_run_makes_no_write_calls(store: Store) -> None:
    store.run()
    store.reset_stats()
    totals = merge(store.run())
    assert store.writes() == 0
    assert all(t.get("created", 0) == t.get("updated", 0) == 0 for t in totals.values())


def test_converges_under_faults_without_duplicates(store: Store, erp_data: dict) -> None:
    store.faults(error_5xx=0.1, rate_429=0.1, lost_response=0.05)
    retried: Counter = Counter()
    for _attempt in range(5):  # what Airflow retries and the next runs do
        results = store.run()
        for result in results:
            retried.update(result.get("retries", {}))
        if not any(t.get("failed") for t in merge(results).values()):
            break
    assert sum(retried.values()) > 0, "the run reported no retries under faults"
    store.faults(error_5xx=0, rate_429=0, lost_response=0)
    assert_export_matches_erp(store, erp_data)


def test_killed_run_resumes_without_duplicates(store: Store, erp_data: dict, tmp_path) -> None:
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys
        sys.path[:0] = {[os.getcwd(), *sys.path]!r}
        from tests.setup.conftest import Store
        Store("", "", "", None, None).run()
    """)
    )
    child = subprocess.Popen(
        [sys.executable, str(script)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # kill it in the middle of creating the catalog
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not store.export()["skus"]:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert store.export()["skus"], "the run was not killed mid-way"
    store.run()
    assert_export_matches_erp(store, erp_data)


def test_bad_rows_are_quarantined_and_good_rows_land(store: Store, erp_data: dict) -> None:
    engine = create_engine(store.erp_url)
    sku = erp_data["skus"][0]["ref_id"]
    brand = erp_data["products"][0]["brand_code"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE prices SET base_price = -5 WHERE sku_ref_id = :s"), {"s": sku})
        conn.execute(text("UPDATE skus SET ean = '1234567890123' WHERE ref_id = :s"), {"s": sku})
        conn.execute(
            text("UPDATE brands SET name = :n WHERE code = :c"),
            {"n": "x" * 300, "c": brand},
        )
    results = store.run()
    state = StateStore(store.state_url)
    quarantined = {(q.entity, q.erp_key): q for q in state.open_quarantine("setupshop")}
    price = quarantined[("prices", sku)]
    assert (price.field, Decimal(price.value), price.rule) == ("base_price", Decimal(-5), "negative")
    assert quarantined[("skus", sku)].field == "ean"
    assert quarantined[("brands", brand)].field == "name", sorted(quarantined)
    totals = merge(results)
    assert totals["prices"]["quarantined"] == 1
    export = store.export()
    # the brand's products wait for it, their SKUs (and prices) for them; everything else lands
    waiting_products = {p["ref_id"] for p in erp_data["products"] if p["brand_code"] == brand}
    missing_skus = {sku} | {s["ref_id"] for s in erp_data["skus"] if s["product_ref_id"] in waiting_products}
    assert waiting_products and totals["products"]["waiting_parent"] == len(waiting_products)
    assert {p["RefId"] for p in export["products"]} == {
        p["ref_id"] for p in erp_data["products"]
    } - waiting_products
    assert {s["RefId"] for s in export["skus"]} == {s["ref_id"] for s in erp_data["skus"]} - missing_skus
    assert len(export["prices"]) == len({p["sku_ref_id"] for p in erp_data["prices"]} - missing_skus)


def test_dry_run_writes_nothing_and_plans_what_the_run_does(store: Store) -> None:
    plan = merge(store.run({"dry_run": True}))
    assert store.writes() == 0
    assert store.export()["products"] == []
    done = merge(store.run())
    for entity, counts in done.items():
        for key in ("created", "updated", "unchanged", "waiting_parent", "quarantined"):
            assert plan[entity].get(key, 0) == counts.get(key, 0), f"{entity} {key}: plan != run"


def test_customers_import_is_idempotent_and_links_addresses(store: Store, erp_data: dict) -> None:
    store.run_all()
    store.run_all()
    docs = store.admin.get("/_sandbox/export").json()["documents"]
    profiles = [d for d in docs if d["dataEntityId"] == "CL"]
    addresses = [d for d in docs if d["dataEntityId"] == "AD"]
    emails = Counter(p["email"] for p in profiles)
    assert len(profiles) == len(erp_data["customers"]) and max(emails.values()) == 1
    assert len(addresses) == len(erp_data["customer_addresses"])
    profile_ids = {p["id"] for p in profiles}
    assert all(a["userId"] in profile_ids for a in addresses)


def test_app_token_never_reaches_results_or_logs(store: Store, capfd, caplog) -> None:
    caplog.set_level(logging.INFO)  # the records too, whatever handlers earlier tests left behind
    store.faults(error_5xx=0.2, lost_response=0.1)
    results = store.run({"entities": ["categories", "brands", "products"]})
    out, err = capfd.readouterr()
    out += caplog.text
    assert "retried" in out + err, "faults left no trace in the logs (the step's retries line)"
    assert APP_TOKEN not in repr(results)
    assert APP_TOKEN not in out + err


def test_fixed_rows_leave_quarantine_and_land(store: Store, erp_data: dict) -> None:
    engine = create_engine(store.erp_url)
    good, bad = erp_data["prices"][0]["sku_ref_id"], erp_data["prices"][1]["sku_ref_id"]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE prices SET base_price = -1 WHERE sku_ref_id IN (:a, :b)"), {"a": good, "b": bad}
        )
    store.run()
    state = StateStore(store.state_url)
    assert {q.erp_key for q in state.open_quarantine("setupshop", "prices")} == {good, bad}
    with engine.begin() as conn:  # the ERP fixes one of them
        conn.execute(text("UPDATE prices SET base_price = 10 WHERE sku_ref_id = :a"), {"a": good})
    store.reset_stats()
    store.run({"entities": ["prices"]})
    assert {q.erp_key for q in state.open_quarantine("setupshop", "prices")} == {bad}
    assert store.writes() == 1, "only the fixed price is sent"
    assert len(store.export()["prices"]) == len(erp_data["prices"]) - 1
