"""VTEX's documented rules that a schema cannot express, each checked over HTTP.

``strict`` is a sandbox enforcing VTEX's contract (bodies from ``vtex_bodies`` are VTEX-valid);
``vtex`` is the default sandbox, which applies the state-dependent rules too.
"""

from __future__ import annotations

import httpx

from tests.sandbox import vtex_bodies as vb
from tests.sandbox.test_catalog import SKU, _catalog

SKU_URL = "/api/catalog/pvt/stockkeepingunit"


def _is_active(client: httpx.Client, sku_id: int) -> bool:
    return vb.ok(client.get(f"{SKU_URL}/{sku_id}"))["IsActive"]


# --- SKU activation (guide skus.md, "Activating an SKU") --------------------------------------


def test_sku_created_active_is_a_400_on_both_sandboxes(strict: httpx.Client, vtex: httpx.Client) -> None:
    ids = vb.catalog(strict)
    refused = strict.post(SKU_URL, json=vb.sku(ids["product"], "A-1", IsActive=True))
    assert refused.status_code == 400 and "IsActive" in refused.json()["error"]["message"]
    lenient = _catalog(vtex)
    active = {**SKU, "ProductId": lenient["product"], "IsActive": True}
    assert vtex.post(SKU_URL, json=active).status_code == 400


def test_activate_if_possible_waits_for_the_first_image(strict: httpx.Client) -> None:
    ids = vb.catalog(strict)
    sku = vb.ok(strict.post(SKU_URL, json=vb.sku(ids["product"], "A-2", ActivateIfPossible=True)))
    assert sku["IsActive"] is False
    vb.ok(strict.post(f"{SKU_URL}/{sku['Id']}/file", json=vb.IMAGE))
    assert _is_active(strict, sku["Id"]) is True


def test_an_ean_instead_of_a_refid_is_enough(strict: httpx.Client) -> None:
    ids = vb.catalog(strict)
    sku = vb.ok(strict.post(SKU_URL, json=vb.sku(ids["product"], None, ActivateIfPossible=True)))
    vb.ok(strict.post(f"{SKU_URL}/{sku['Id']}/ean/7890000000017"))
    assert _is_active(strict, sku["Id"]) is False  # no image yet
    vb.ok(strict.post(f"{SKU_URL}/{sku['Id']}/file", json=vb.IMAGE))
    assert _is_active(strict, sku["Id"]) is True


def test_activate_if_possible_checks_when_an_image_lands_not_later(strict: httpx.Client) -> None:
    """VTEX activates "once associated with an image": a requirement met after the image (here
    the EAN of a SKU without RefId) leaves the SKU inactive until the next image or SKU write."""
    ids = vb.catalog(strict)
    body = vb.sku(ids["product"], None, ActivateIfPossible=True)
    sku = vb.ok(strict.post(SKU_URL, json=body))
    vb.ok(strict.post(f"{SKU_URL}/{sku['Id']}/file", json=vb.IMAGE))
    vb.ok(strict.post(f"{SKU_URL}/{sku['Id']}/ean/7890000000024"))
    assert _is_active(strict, sku["Id"]) is False
    vb.ok(strict.post(f"{SKU_URL}/{sku['Id']}/file", json={**vb.IMAGE, "Name": "second", "IsMain": False}))
    assert _is_active(strict, sku["Id"]) is True


def test_manual_activation_names_what_is_missing(strict: httpx.Client) -> None:
    ids = vb.catalog(strict)
    body = vb.sku(ids["product"], f"S-{ids['brand']}", IsActive=True)
    refused = strict.put(f"{SKU_URL}/{ids['sku']}", json=body)
    assert refused.status_code == 400 and "at least one image" in refused.json()["error"]["message"]
    vb.ok(strict.post(f"{SKU_URL}/{ids['sku']}/file", json=vb.IMAGE))
    assert vb.ok(strict.put(f"{SKU_URL}/{ids['sku']}", json=body))["IsActive"] is True


def test_inactive_brand_or_category_keeps_the_sku_inactive(strict: httpx.Client) -> None:
    ids = vb.catalog(strict)
    brand_url = f"/api/catalog/pvt/brand/{ids['brand']}"
    vb.ok(strict.put(brand_url, json=vb.brand(ids["brand"], "Off", active=False)))
    sku = vb.ok(strict.post(SKU_URL, json=vb.sku(ids["product"], "A-3", ActivateIfPossible=True)))
    vb.ok(strict.post(f"{SKU_URL}/{sku['Id']}/file", json=vb.IMAGE))
    assert _is_active(strict, sku["Id"]) is False
    refused = strict.put(f"{SKU_URL}/{sku['Id']}", json=vb.sku(ids["product"], "A-3", IsActive=True))
    assert "an active brand" in refused.json()["error"]["message"]
    vb.ok(strict.put(brand_url, json=vb.brand(ids["brand"], "On")))
    leaf = vb.category("Leaf", ids["dept"], active=False)
    vb.ok(strict.put(f"/api/catalog/pvt/category/{ids['leaf']}", json=leaf))
    refused = strict.put(f"{SKU_URL}/{sku['Id']}", json=vb.sku(ids["product"], "A-3", IsActive=True))
    assert refused.status_code == 400 and "an active category" in refused.json()["error"]["message"]


def test_sku_specifications_must_be_filled(vtex: httpx.Client) -> None:
    ids = _catalog(vtex)
    group_body = {"CategoryId": ids["leaf"], "Name": "G"}
    group = vb.ok(vtex.post("/api/catalog/pvt/specificationgroup", json=group_body))
    field = vb.ok(vtex.post("/api/catalog/pvt/specification", json={
        "Name": "Size", "FieldTypeId": 6, "FieldGroupId": group["Id"], "CategoryId": ids["leaf"],
        "IsStockKeepingUnit": True, "IsActive": True,
    }))  # fmt: skip
    value_body = {"FieldId": field["Id"], "Name": "M"}
    value = vb.ok(vtex.post("/api/catalog/pvt/specificationvalue", json=value_body))
    sku = vb.ok(vtex.post(SKU_URL, json={**SKU, "ProductId": ids["product"], "RefId": "A-4",
                                         "ActivateIfPossible": True}))  # fmt: skip
    vb.ok(vtex.post(f"{SKU_URL}/{sku['Id']}/file", json=vb.IMAGE))
    assert _is_active(vtex, sku["Id"]) is False
    spec = {"FieldId": field["Id"], "FieldValueId": value["FieldValueId"]}
    vb.ok(vtex.post(f"{SKU_URL}/{sku['Id']}/specification", json=spec))
    assert _is_active(vtex, sku["Id"]) is False  # filled after its image: VTEX checked then
    other = vb.ok(vtex.post(SKU_URL, json={**SKU, "ProductId": ids["product"], "RefId": "A-5",
                                           "ActivateIfPossible": True}))  # fmt: skip
    vb.ok(vtex.post(f"{SKU_URL}/{other['Id']}/specification", json=spec))
    vb.ok(vtex.post(f"{SKU_URL}/{other['Id']}/file", json=vb.IMAGE))
    assert _is_active(vtex, other["Id"]) is True  # specification first, then the image


# --- full-replace PUTs -------------------------------------------------------------------


def test_full_replace_puts_wipe_omitted_fields_and_booleans(strict: httpx.Client, vtex: httpx.Client) -> None:
    lenient = _catalog(vtex)  # the schema requires every category field, so omit them on the lenient one
    category = vb.ok(vtex.put(f"/api/catalog/pvt/category/{lenient['dept']}", json={"Name": "Dept"}))
    assert (category["IsActive"], category["ShowInStoreFront"], category["Title"]) == (False, False, None)
    ids = vb.catalog(strict)
    brand_body = {"Id": ids["brand"], "Name": "B2"}
    brand = vb.ok(strict.put(f"/api/catalog/pvt/brand/{ids['brand']}", json=brand_body))
    assert (brand["Active"], brand["Text"], brand["MenuHome"]) == (False, None, False)
    minimal = {"Name": "Renamed Shirt", "CategoryId": ids["leaf"], "BrandId": ids["brand"]}
    product = vb.ok(strict.put(f"/api/catalog/pvt/product/{ids['product']}", json=minimal))
    assert (product["IsActive"], product["IsVisible"], product["RefId"], product["Description"]) == (
        False, False, None, None,
    )  # fmt: skip
    assert product["LinkId"] == "renamed-shirt"  # no LinkId sent: regenerated from the name
    kept = vb.ok(strict.put(f"/api/catalog/pvt/product/{ids['product']}", json={**minimal, "LinkId": "x-y"}))
    assert kept["LinkId"] == "x-y"
    sku_body = {k: v for k, v in vb.sku(ids["product"], None).items() if k != "ActivateIfPossible"}
    sku = vb.ok(strict.put(f"{SKU_URL}/{ids['sku']}", json=sku_body))
    assert (sku["IsActive"], sku["RefId"], sku["ActivateIfPossible"], sku["ManufacturerCode"]) == (
        False, None, False, None,
    )  # fmt: skip


# --- pricing -----------------------------------------------------------------------------


def test_base_cost_and_markup_together_fail(strict: httpx.Client, vtex: httpx.Client) -> None:
    three = {"basePrice": 110, "costPrice": 100, "markup": 10}
    sku = vb.catalog(strict)["sku"]
    assert strict.put(f"/pricing/prices/{sku}", json=three).status_code == 400
    lenient = _catalog(vtex)["sku"]
    assert vtex.put(f"/pricing/prices/{lenient}", json=three).status_code == 400
    assert vtex.put(f"/pricing/prices/{lenient}", json={"costPrice": 100, "markup": 10}).status_code == 200


def test_price_put_replaces_every_fixed_price(strict: httpx.Client) -> None:
    sku = vb.catalog(strict)["sku"]
    fixed = [{"tradePolicyId": t, "value": 9.5, "listPrice": 12.0, "minQuantity": 1} for t in ("1", "2")]
    price = {"basePrice": 10, "listPrice": 12}
    vb.ok(strict.put(f"/pricing/prices/{sku}", json={**price, "fixedPrices": fixed}))
    vb.ok(strict.put(f"/pricing/prices/{sku}", json={**price, "fixedPrices": fixed[1:]}))
    assert [f["tradePolicyId"] for f in vb.ok(strict.get(f"/pricing/prices/{sku}/fixed"))] == ["2"]
    vb.ok(strict.put(f"/pricing/prices/{sku}", json={"basePrice": 10, "listPrice": 12}))
    assert vb.ok(strict.get(f"/pricing/prices/{sku}/fixed")) == []


# --- inventory ---------------------------------------------------------------------------


def _inventory(client: httpx.Client) -> str:
    sku = vb.catalog(client)["sku"]
    vb.stock_place(client)
    return f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/wh1"


def test_lead_time_only_in_the_documented_format(strict: httpx.Client) -> None:
    url = _inventory(strict)
    for wrong in ("00:00:00", "2 days", "1.25:00:00"):
        refused = strict.put(url, json={"quantity": 1, "unlimitedQuantity": False, "leadTime": wrong})
        assert refused.status_code == 400 and "dd.hh:mm:ss" in refused.json()["error"]["message"]
    ok = strict.put(url, json={"quantity": 1, "unlimitedQuantity": False, "leadTime": "1.02:30:00"})
    assert ok.status_code == 200 and ok.json() is True


def test_missing_quantity_and_lead_time_become_zero(strict: httpx.Client) -> None:
    url = _inventory(strict)
    vb.ok(strict.put(url, json={"quantity": 7, "unlimitedQuantity": True, "leadTime": "2.00:00:00"}))
    vb.ok(strict.put(url, json={}))
    balance = vb.ok(strict.get(url.rsplit("/warehouses/", 1)[0]))["balance"][0]
    assert (balance["totalQuantity"], balance["hasUnlimitedQuantity"]) == (0, False)
    assert balance["leadTime"] in ("00:00:00", "0.00:00:00")


def test_locked_sku_and_warehouse_answers_423(strict: httpx.Client) -> None:
    url = _inventory(strict)
    sku = url.split("/skus/")[1].split("/")[0]
    vb.ok(strict.post("/_sandbox/inventory-locks", json={"skuId": int(sku), "warehouseId": "wh1"}))
    locked = strict.put(url, json={"quantity": 3})
    assert locked.status_code == 423 and locked.headers["content-type"].startswith("text/plain")
    assert locked.text == f"Unable to acquire lock for key: strictshop_item_logistics_{sku}_wh1."
    strict.delete("/_sandbox/inventory-locks").raise_for_status()
    vb.ok(strict.post("/_sandbox/faults", json={"inventory_lock": 1.0}))
    assert strict.put(url, json={"quantity": 3}).status_code == 423
    vb.ok(strict.post("/_sandbox/faults", json={"inventory_lock": 0}))
    assert strict.put(url, json={"quantity": 3}).status_code == 200


# --- orders: invoice and tracking bodies as documented -----------------------------------


def test_invoice_and_tracking_bodies_as_documented(strict: httpx.Client) -> None:
    order = "/api/oms/pvt/orders/1000000000001-01/invoice"
    numeric_value = {"type": "Output", "issuanceDate": "2026-01-01T00:00:00Z", "invoiceNumber": "N1",
                     "invoiceValue": 2499, "items": []}  # fmt: skip
    refused = strict.post(order, json=numeric_value)
    assert refused.status_code == 400 and "invoiceValue" in refused.json()["error"]["message"]
    wrong_type = {**numeric_value, "invoiceValue": "2499", "type": "Sale"}
    assert "type" in strict.post(order, json=wrong_type).json()["error"]["message"]
    tracking = strict.put(f"{order}/N1/tracking", json={"events": []})
    assert tracking.status_code == 400 and "isDelivered" in tracking.json()["error"]["message"]
