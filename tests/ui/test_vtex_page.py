"""The VTEX page in a real browser, served by a real api-server from real state-store data."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.incremental.conftest import Shop
from tests.ui.conftest import ApiServer, chromium
from vtex_sync.airflow.sync_tasks import run_sync
from vtex_sync.drift.tasks import reconcile_group, store
from vtex_sync.ops.redrive import REDRIVE_DAG, run_redrive

pytestmark = [pytest.mark.slow, pytest.mark.airflow_db, pytest.mark.timeout(600)]

ACCOUNT = "sandbox"
BAD_AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)
# set to docs/vtex-page.png to refresh the README's screenshot
SCREENSHOT_ENV = "VTEX_PAGE_SCREENSHOT"


def window(at: datetime) -> tuple[datetime, datetime]:
    start = at.replace(minute=at.minute - at.minute % 5, second=0, microsecond=0)
    return start, start + timedelta(minutes=5)


def operator_data(shop: Shop) -> dict[str, Any]:
    """What an operator's morning looks like: held prices, a waiting SKU, orders, a drift report."""
    prices = shop.all_rows("prices")[:3]
    shop.change("prices", prices, BAD_AT, base_price=-5)
    start, end = window(BAD_AT)
    run_sync("prices", {}, start=start, end=end, run_id="scheduled__prices")
    held = [p["sku_ref_id"] for p in prices]
    assert {q.erp_key for q in shop.state.open_quarantine(ACCOUNT, "prices")} == set(held)
    # the ERP fixes the rows later, stamped inside a window that already ran: only a re-drive sends them
    for price, value in zip(prices, ("41.50", "42.50", "43.50"), strict=True):
        shop.change("prices", [price], BAD_AT - timedelta(days=1), base_price=value)
    run_sync("catalog", {}, start=start, end=end, run_id="scheduled__catalog")
    shop.change("stock", shop.all_rows("stock")[10:15], BAD_AT, quantity=12)
    run_sync("inventory", {}, start=start, end=end, run_id="scheduled__inventory")
    shop.state.set_status(ACCOUNT, "sku", "SKU-WAITING-1", "waiting_parent", "waiting on product PRD-NEW-1")
    for n in range(2):
        shop.state.inbox_add(
            ACCOUNT,
            {
                "orderId": f"1100{n}-01",
                "state": "ready-for-handling",
                "currentChange": f"2026-03-02T10:0{n}:00Z",
            },
        )
    shop.state.quarantine(
        ACCOUNT,
        "order",
        "10999-01",
        field="items.id",
        value="99999",
        rule="unknown_sku",
        message="SKU 99999 is not in the id map",
    )
    export = shop.export()
    stock = export["inventory"][0]
    path = f"/api/logistics/pvt/inventory/skus/{stock['skuId']}/warehouses/{stock['warehouseId']}"
    shop.vtex.put(path, json={"quantity": 999, "unlimitedQuantity": False, "leadTime": "0.00:00:00"}
                  ).raise_for_status()
    for day in range(2):
        at = BAD_AT + timedelta(days=day)
        parts = [reconcile_group(g, {}, day=at) for g in ("catalog", "prices", "inventory")]
        store(parts, run_id=f"scheduled__{at.date()}")
    return {
        "held": held,
        "fixed": {p["sku_ref_id"]: v for p, v in zip(prices, ("41.5", "42.5", "43.5"), strict=True)},
    }


def dag_run_conf(server: ApiServer, token: str, run_id: str) -> dict[str, Any]:
    response = httpx.get(
        f"{server.base_url}/api/v2/dags/{REDRIVE_DAG}/dagRuns/{run_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    return dict(response.json()["conf"])


def price_of(shop: Shop, sku_ref: str) -> float:
    ids = shop.sku_ids()
    return next(p["basePrice"] for p in shop.export()["prices"] if str(p["itemId"]) == ids[sku_ref])


def test_page_renders_every_section_and_redrives_exactly_what_was_asked(
    shop: Shop, api_server: ApiServer, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    data = operator_data(shop)
    page_url = f"{api_server.base_url}/vtex/ops/"
    assert httpx.get(page_url).status_code == 401, "the page needs an Airflow sign-in"
    assert httpx.post(f"{page_url}api/redrive", json={"rule": "x"}).status_code == 401
    token = api_server.token()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1440, "height": 1100})
        context.add_cookies([{"name": "_token", "value": token, "url": api_server.base_url}])
        page = context.new_page()
        page.goto(page_url)

        health = page.locator("[data-section=health]")
        assert health.locator("tr[data-flow=prices_sync]").inner_text().count("scheduled__prices") == 1
        assert "fresh" in health.locator("tr[data-flow=reconcile]").inner_text()
        quarantine = page.locator("[data-section=quarantine]")
        for sku in data["held"]:
            row = quarantine.locator(f"tr[data-key='prices|{sku}']")
            assert "base_price" in row.inner_text() and "-5" in row.inner_text()
        assert "SKU-WAITING-1" in page.locator("[data-section=waiting]").inner_text()
        inbox = page.locator("[data-section=inbox]")
        assert inbox.locator("[data-stat=backlog]").inner_text() == "2"
        assert inbox.locator("[data-stat=quarantined]").inner_text() == "1"
        assert "10999-01" in inbox.inner_text()
        drift = page.locator("[data-section=drift]")
        assert "999" in drift.locator("tr.drift-example").first.inner_text()
        assert drift.locator("tr[data-entity=inventory]").inner_text().split()[3] == "1"
        assert page.locator("[data-section=calls] svg rect").count() > 0
        assert page.locator("[data-section=drift-history] svg polyline").count() >= 1

        page.select_option("select[name=table]", "prices")
        page.fill("input[name=text]", data["held"][0])
        page.click("form.filters button[type=submit]")
        assert quarantine.locator("tr[data-key]").count() == 1, "the text filter keeps one record"

        page.click(f"button.redrive-one[data-key='{data['held'][0]}']")
        page.wait_for_function("document.getElementById('redrive-result').dataset.runId")
        one_run = page.locator("#redrive-result").get_attribute("data-run-id")

        page.goto(f"{page_url}?table=prices")
        rule = quarantine.locator("button.redrive-rule").first
        rule.click()
        page.wait_for_function("document.getElementById('redrive-result').dataset.runId")
        rule_run = page.locator("#redrive-result").get_attribute("data-run-id")

        page.set_viewport_size({"width": 1440, "height": 1900})
        page.goto(f"{api_server.base_url}/plugin/vtex")
        frame = page.frame_locator("iframe").first
        frame.locator("[data-section=drift-history] svg").wait_for()
        page.wait_for_timeout(500)
        screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "vtex-page.png")
        page.screenshot(path=str(screenshot), full_page=False)
        browser.close()

    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert one_run and rule_run
    one = dag_run_conf(api_server, token, one_run)
    assert one["records"] == [["prices", data["held"][0]]]
    assert sorted(map(tuple, dag_run_conf(api_server, token, rule_run)["records"])) == sorted(
        ("prices", sku) for sku in data["held"]
    )

    shop.reset_stats()
    result = run_redrive("prices", one["records"])
    assert shop.writes() == 1, "only the re-driven record is sent"
    assert result["counts"]["updated"] == 1 and result["still_quarantined"] == 0
    first, *others = data["held"]
    assert price_of(shop, first) == float(data["fixed"][first])
    assert all(price_of(shop, sku) != float(data["fixed"][sku]) for sku in others)
    held = {q.erp_key for q in shop.state.open_quarantine(ACCOUNT, "prices")}
    assert held == set(others)
