"""``--contract``: every request checked against VTEX's own OpenAPI documents, over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.contract import contract_folder_or_skip
from tests.sandbox import vtex_bodies as vb
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.contract_exceptions import markdown_table
from vtex_sandbox.server import SandboxServer, auth_headers

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sandbox-contract.md"
FEED_CONFIG = {
    "filter": {"type": "FromWorkflow", "status": ["ready-for-handling"]},
    "queue": {"visibilityTimeoutInSeconds": 250, "MessageRetentionPeriodInSeconds": 345600},
}


def violations(response: httpx.Response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    found = {(v["field"], v["rule"]) for v in error["violations"]}
    for field, _rule in found:  # the message names every field
        assert field.split(".", 1)[-1] in error["message"]
    return found


def test_undocumented_route_is_refused(strict: httpx.Client) -> None:
    response = strict.post("/api/catalog_system/pvt/specification/group", json={"CategoryId": 1, "Name": "G"})
    assert violations(response) == {("route", "route")}
    assert violations(strict.get("/api/catalog/pvt/specificationgroup/1")) == {("route", "method")}


def test_required_query_parameters_and_headers(strict: httpx.Client) -> None:
    strict.post("/api/orders/feed/config", json=FEED_CONFIG).raise_for_status()
    assert violations(strict.get("/api/orders/feed")) == {("query.maxlot", "required")}
    assert strict.get("/api/orders/feed", params={"maxlot": 5}).status_code == 200
    search = "/api/dataentities/CL/search"
    assert ("header.rest-range", "required") in violations(strict.get(search, params={"_fields": "email"}))
    ranged = strict.get(search, params={"_fields": "email"}, headers={"REST-Range": "resources=0-10"})
    assert ranged.status_code == 200
    no_accept = strict.get("/api/catalog_system/pvt/brand/list", headers={"Accept": ""})
    assert ("header.accept", "required") in violations(no_accept)


def test_body_required_types_nullable_and_enums(strict: httpx.Client) -> None:
    assert ("body.Keywords", "required") in violations(
        strict.post("/api/catalog/pvt/category", json={"Name": "X"})
    )
    sku = _seeded_sku(strict)
    wrong_type = strict.put(f"/pricing/prices/{sku}", json={"basePrice": "10", "listPrice": 12})
    assert violations(wrong_type) == {("body.basePrice", "type")}
    not_nullable = {"basePrice": 10, "fixedPrices": [{"tradePolicyId": "1", "value": 9, "listPrice": None,
                                                     "minQuantity": 1}]}  # fmt: skip
    assert violations(strict.put(f"/pricing/prices/{sku}", json=not_nullable)) == {
        ("body.fixedPrices.0.listPrice", "type")
    }
    address = {"addressType": "house", "userId": "x", "street": "Main"}
    assert ("body.addressType", "enum") in violations(
        strict.post("/api/dataentities/AD/documents", json=address)
    )
    invoice = strict.post("/api/oms/pvt/orders/1-01/invoice", json={"type": "Output", "invoiceNumber": "1"})
    assert {("body.issuanceDate", "required"), ("body.items", "required")} <= violations(invoice)


def test_pricing_is_checked_on_every_prefix(strict: httpx.Client) -> None:
    sku = _seeded_sku(strict)
    for prefix in ("/pricing", "/strictshop/pricing", "/api/pricing"):
        assert violations(strict.put(f"{prefix}/prices/{sku}", json={"basePrice": "x"})) == {
            ("body.basePrice", "type")
        }
        assert strict.put(f"{prefix}/prices/{sku}", json={"basePrice": 10}).status_code == 200
    ops = {o["operation"]: o for o in strict.get("/_sandbox/stats").json()["contract"]["by_operation"]}
    assert ops["PUT /pricing/prices/{itemId}"]["validated"] == 6
    assert ops["PUT /pricing/prices/{itemId}"]["violations"] == 3


def test_guide_exceptions_are_accepted(strict: httpx.Client) -> None:
    ids = vb.catalog(strict)
    nulls = {"Height": None, "Length": None, "Width": None, "WeightKg": None, "RewardValue": None}
    created = strict.post("/api/catalog/pvt/stockkeepingunit",
                          json=vb.sku(ids["product"], "G-1", **nulls))  # fmt: skip
    assert created.status_code == 200, created.text
    lowercase = {"queue": {"visibilityTimeoutInSeconds": 250, "messageRetentionPeriodInSeconds": 345600}}
    assert strict.post("/api/orders/feed/config", json=lowercase).status_code == 200
    vb.stock_place(strict)
    inventory = f"/api/logistics/pvt/inventory/skus/{ids['sku']}/warehouses/wh1"
    assert strict.put(inventory, json={"unlimitedQuantity": False}).status_code == 200
    guide_address = {"addressName": "Home", "addressType": "residential", "userId": "u", "street": "Baker"}
    assert strict.post("/api/dataentities/AD/documents", json=guide_address).status_code in (200, 201)
    # ...but a body the guide does not show is still refused:
    assert ("body.Height", "type") in violations(
        strict.post(
            "/api/catalog/pvt/stockkeepingunit", json=vb.sku(ids["product"], "G-2", Height="1")
        )
    )


def test_report_mode_counts_but_does_not_refuse() -> None:
    config = SandboxConfig(
        account="reportshop", contract_dir=contract_folder_or_skip(), contract_mode="report"
    )
    headers = {**auth_headers(config), "Accept": "application/json", "Content-Type": "application/json"}
    with SandboxServer(config) as url, httpx.Client(base_url=url, headers=headers) as client:
        client.post("/api/orders/feed/config", json=FEED_CONFIG).raise_for_status()
        assert client.get("/api/orders/feed").status_code == 200  # maxlot missing: only counted
        assert client.get("/api/orders/feed", params={"maxlot": 1}).status_code == 200
        contract = client.get("/_sandbox/stats").json()["contract"]
        assert (contract["mode"], contract["validated"], contract["violations"]) == ("report", 3, 1)
        feed = next(o for o in contract["by_operation"] if o["operation"] == "GET /api/orders/feed")
        rule = feed["rules"][0]
        assert (rule["field"], rule["rule"], rule["count"]) == ("query.maxlot", "required", 1)
        assert "maxlot" in rule["example"]
        client.post("/_sandbox/stats/reset").raise_for_status()
        after = client.get("/_sandbox/stats").json()["contract"]
        assert (after["validated"], after["since_start"]["validated"]) == (0, 3)


def test_docs_list_exactly_the_declared_exceptions() -> None:
    assert markdown_table() in DOCS.read_text(encoding="utf-8")


def _seeded_sku(client: httpx.Client) -> int:
    return vb.catalog(client)["sku"]
