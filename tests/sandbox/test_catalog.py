"""Catalog routes and VTEX's validation rules, over real HTTP."""

from __future__ import annotations

import httpx

SKU = {"Name": "S", "PackagedHeight": 1, "PackagedLength": 2, "PackagedWidth": 3, "PackagedWeightKg": 250}


def _catalog(vtex: httpx.Client) -> dict[str, int]:
    dept = vtex.post("/api/catalog/pvt/category", json={"Name": "Dept", "IsActive": True}).json()["Id"]
    leaf_body = {"Name": "Leaf", "FatherCategoryId": dept, "IsActive": True}
    leaf = vtex.post("/api/catalog/pvt/category", json=leaf_body).json()["Id"]
    brand = vtex.post("/api/catalog/pvt/brand", json={"Name": "Acme", "Active": True}).json()["Id"]
    product = vtex.post(
        "/api/catalog/pvt/product",
        json={"Name": "Shirt", "CategoryId": leaf, "BrandId": brand, "RefId": "P-1", "IsActive": True},
    ).json()["Id"]
    sku = vtex.post(
        "/api/catalog/pvt/stockkeepingunit", json={**SKU, "ProductId": product, "RefId": "S-1"}
    ).json()["Id"]
    return {"dept": dept, "leaf": leaf, "brand": brand, "product": product, "sku": sku}


def test_category_tree_and_tree_path(vtex: httpx.Client) -> None:
    ids = _catalog(vtex)
    leaf = vtex.get(f"/api/catalog/pvt/category/{ids['leaf']}", params={"includeTreePath": "true"}).json()
    assert leaf["TreePath"] == ["Dept", "Leaf"]
    assert leaf["TreePathIds"] == [ids["dept"], ids["leaf"]]
    tree = vtex.get("/api/catalog_system/pub/category/tree/1").json()
    assert [(n["id"], n["hasChildren"], n["children"]) for n in tree] == [(ids["dept"], True, [])]
    deep = vtex.get("/api/catalog_system/pub/category/tree/2").json()
    assert deep[0]["children"][0]["name"] == "Leaf"


def test_missing_required_field_is_a_400_naming_it(vtex: httpx.Client) -> None:
    response = vtex.post("/api/catalog/pvt/brand", json={"Active": True})
    assert response.status_code == 400
    assert "Name" in response.json()["error"]["message"]
    response = vtex.post("/api/catalog/pvt/stockkeepingunit", json={"ProductId": 1, "Name": "x"})
    assert response.status_code == 400
    assert "PackagedHeight" in response.json()["error"]["message"]


def test_custom_id_is_kept_and_moves_the_counter(vtex: httpx.Client) -> None:
    assert vtex.post("/api/catalog/pvt/brand", json={"Id": 2000, "Name": "Custom"}).json()["Id"] == 2000
    assert vtex.post("/api/catalog/pvt/brand", json={"Name": "Auto"}).json()["Id"] > 2000


def test_brand_names_keep_trailing_spaces(vtex: httpx.Client) -> None:
    first = vtex.post("/api/catalog/pvt/brand", json={"Name": "Acme"}).json()["Id"]
    second = vtex.post("/api/catalog/pvt/brand", json={"Name": "Acme "}).json()["Id"]
    assert first != second
    assert vtex.post("/api/catalog/pvt/brand", json={"Name": "Acme"}).status_code == 400
    names = sorted(b["name"] for b in vtex.get("/api/catalog_system/pvt/brand/list").json())
    assert names == ["Acme", "Acme "]
    paged = vtex.get("/api/catalog_system/pvt/brand/pagedlist", params={"page": 2, "pageSize": 1}).json()
    assert paged["paging"] == {"page": 2, "perPage": 1, "total": 2, "pages": 2}
    assert len(paged["items"]) == 1


def test_full_replace_put_wipes_omitted_fields(vtex: httpx.Client) -> None:
    ids = _catalog(vtex)
    brand_id = vtex.post("/api/catalog/pvt/brand", json={"Name": "B", "Active": True, "Text": "t"}).json()[
        "Id"
    ]
    brand = vtex.put(f"/api/catalog/pvt/brand/{brand_id}", json={"Name": "B"}).json()
    assert (brand["Active"], brand["Text"]) == (False, None)
    product = vtex.put(
        f"/api/catalog/pvt/product/{ids['product']}",
        json={"Name": "Shirt", "CategoryId": ids["leaf"], "BrandId": ids["brand"]},
    ).json()
    assert (product["IsActive"], product["RefId"]) == (False, None)
    sku = vtex.put(
        f"/api/catalog/pvt/stockkeepingunit/{ids['sku']}", json={**SKU, "ProductId": ids["product"]}
    ).json()
    assert (sku["IsActive"], sku["RefId"]) == (False, None)
    category = vtex.put(f"/api/catalog/pvt/category/{ids['dept']}", json={"Name": "Dept"}).json()
    assert category["IsActive"] is False


def test_unknown_references_are_rejected(vtex: httpx.Client) -> None:
    ids = _catalog(vtex)
    bad_product = vtex.post("/api/catalog/pvt/product", json={"Name": "X", "CategoryId": 999, "BrandId": 1})
    bad_brand = vtex.post(
        "/api/catalog/pvt/product", json={"Name": "X", "CategoryId": ids["leaf"], "BrandId": 99}
    )
    bad_sku = vtex.post("/api/catalog/pvt/stockkeepingunit", json={**SKU, "ProductId": 999})
    bad_group = vtex.post(
        "/api/catalog/pvt/specification", json={"Name": "F", "FieldTypeId": 1, "FieldGroupId": 9}
    )
    bad_parent = vtex.post("/api/catalog/pvt/category", json={"Name": "C", "FatherCategoryId": 999})
    for response in (bad_product, bad_brand, bad_sku, bad_group, bad_parent):
        assert 400 <= response.status_code < 500
    assert vtex.get("/api/catalog/pvt/product/999").status_code == 404


def test_product_by_names_creates_category_path_and_brand(vtex: httpx.Client) -> None:
    product = vtex.post(
        "/api/catalog/pvt/product", json={"Name": "Mug", "CategoryPath": "Home/Kitchen", "BrandName": "Mugs"}
    ).json()
    category = vtex.get(f"/api/catalog/pvt/category/{product['CategoryId']}?includeTreePath=true").json()
    assert category["TreePath"] == ["Home", "Kitchen"]
    assert product["DepartmentId"] == category["TreePathIds"][0]
    assert vtex.get(f"/api/catalog/pvt/brand/{product['BrandId']}").json()["Name"] == "Mugs"


def test_sku_cannot_be_created_active_and_activates_when_possible(vtex: httpx.Client) -> None:
    ids = _catalog(vtex)
    active = vtex.post(
        "/api/catalog/pvt/stockkeepingunit", json={**SKU, "ProductId": ids["product"], "IsActive": True}
    )
    assert active.status_code == 400
    sku = vtex.post(
        "/api/catalog/pvt/stockkeepingunit",
        json={**SKU, "ProductId": ids["product"], "RefId": "S-2", "ActivateIfPossible": True},
    ).json()
    assert sku["IsActive"] is False
    files = vtex.post(
        f"/api/catalog/pvt/stockkeepingunit/{sku['Id']}/file",
        json={"Name": "front", "Url": "https://img.example/front.jpg", "IsMain": True},
    ).json()
    assert isinstance(files, list) and files[0]["Position"] == 0
    assert vtex.get(f"/api/catalog/pvt/stockkeepingunit/{sku['Id']}").json()["IsActive"] is True
    bad = {"Name": "doc", "Url": "https://img.example/manual.pdf"}
    assert vtex.post(f"/api/catalog/pvt/stockkeepingunit/{sku['Id']}/file", json=bad).status_code == 400


def test_sku_lookups_by_ref(vtex: httpx.Client) -> None:
    ids = _catalog(vtex)
    assert vtex.get("/api/catalog/pvt/stockkeepingunit", params={"RefId": "S-1"}).json()["Id"] == ids["sku"]
    assert vtex.get("/api/catalog_system/pvt/sku/stockkeepingunitidbyrefid/S-1").json() == str(ids["sku"])
    bulk = vtex.post("/api/catalog_system/pub/sku/stockkeepingunitidsbyrefids", json=["S-1", "nope"])
    assert bulk.json() == {"S-1": str(ids["sku"]), "nope": None}
    dupes = vtex.post("/api/catalog_system/pub/sku/stockkeepingunitidsbyrefids", json=["S-1", "S-1"])
    assert dupes.status_code == 500
    by_product = vtex.get(f"/api/catalog_system/pvt/sku/stockkeepingunitByProductId/{ids['product']}").json()
    assert [s["Id"] for s in by_product] == [ids["sku"]]
    duplicate_ref = vtex.post(
        "/api/catalog/pvt/stockkeepingunit", json={**SKU, "ProductId": ids["product"], "RefId": "S-1"}
    )
    assert duplicate_ref.status_code == 400
    by_ref = vtex.get("/api/catalog_system/pvt/products/productgetbyrefid/P-1").json()
    assert by_ref["Id"] == ids["product"] and by_ref["ListStoreId"] == []


def test_specifications_and_sku_field_types(vtex: httpx.Client) -> None:
    ids = _catalog(vtex)
    group = vtex.post(
        "/api/catalog/pvt/specificationgroup", json={"CategoryId": ids["dept"], "Name": "G"}
    ).json()
    text_sku_field = {
        "Name": "Note",
        "FieldTypeId": 1,
        "FieldGroupId": group["Id"],
        "IsStockKeepingUnit": True,
    }
    refused = vtex.post("/api/catalog/pvt/specification", json=text_sku_field)
    assert refused.status_code == 400 and "Radio or Combo" in refused.json()["error"]["message"]
    legacy = vtex.post(
        "/api/catalog_system/pvt/specification/field",
        json={**text_sku_field, "Name": "Size", "FieldTypeId": 5, "CategoryId": ids["dept"]},
    )
    field_id = legacy.json()
    assert isinstance(field_id, int)
    assert (
        vtex.get(f"/api/catalog_system/pub/specification/fieldGet/{field_id}").json()["FieldId"] == field_id
    )
    value = vtex.post("/api/catalog/pvt/specificationvalue", json={"FieldId": field_id, "Name": "M"}).json()
    listed = vtex.get(f"/api/catalog_system/pub/specification/fieldvalue/{field_id}").json()
    assert [v["Value"] for v in listed] == ["M"]
    spec = vtex.post(
        f"/api/catalog/pvt/stockkeepingunit/{ids['sku']}/specification",
        json={"FieldId": field_id, "FieldValueId": value["FieldValueId"]},
    ).json()
    assert spec["Text"] == "M"
    text_field = vtex.post(
        "/api/catalog/pvt/specification", json={"Name": "Care", "FieldTypeId": 1, "FieldGroupId": group["Id"]}
    ).json()
    not_sku_type = vtex.post(
        f"/api/catalog/pvt/stockkeepingunit/{ids['sku']}/specification", json={"FieldId": text_field["Id"]}
    )
    assert not_sku_type.status_code == 400
    product_spec = vtex.post(
        f"/api/catalog/pvt/product/{ids['product']}/specification",
        json={"FieldId": text_field["Id"], "Text": "Hand wash"},
    ).json()
    assert product_spec["Text"] == "Hand wash"
    legacy_view = vtex.get(f"/api/catalog_system/pvt/products/{ids['product']}/specification").json()
    assert legacy_view == [{"Value": ["Hand wash"], "Id": text_field["Id"], "Name": "Care"}]


def test_trade_policies_and_eans(vtex: httpx.Client) -> None:
    ids = _catalog(vtex)
    assert [tp["Id"] for tp in vtex.get("/api/catalog_system/pvt/saleschannel/list").json()] == [1, 2]
    assert vtex.post(f"/api/catalog/pvt/product/{ids['product']}/salespolicy/2").status_code == 200
    assert vtex.post(f"/api/catalog/pvt/product/{ids['product']}/salespolicy/9").status_code == 404
    links = vtex.get(f"/api/catalog/pvt/product/{ids['product']}/salespolicy").json()
    assert links == [{"ProductId": ids["product"], "StoreId": 2}]
    assert vtex.get("/api/catalog_system/pvt/products/productgetbyrefid/P-1").json()["ListStoreId"] == [2]
    assert vtex.post(f"/api/catalog/pvt/stockkeepingunit/{ids['sku']}/ean/789").status_code == 200
    assert vtex.get(f"/api/catalog/pvt/stockkeepingunit/{ids['sku']}/ean").json() == ["789"]
    assert vtex.delete(f"/api/catalog/pvt/stockkeepingunit/{ids['sku']}/ean/789").status_code == 200
    assert vtex.get(f"/api/catalog/pvt/stockkeepingunit/{ids['sku']}/ean").json() == []


def _product_fields(client: httpx.Client, ids: dict[str, int]) -> dict[str, int]:
    """A checkbox field with values Cotton, Linen and Silk, a radio field (S, M) and a text field."""
    group = ok(client.post("/api/catalog/pvt/specificationgroup",
                           json={"CategoryId": ids["leaf"], "Name": "Fabric", "Position": 1}))
    made: dict[str, int] = {}
    for name, kind in (("Material", 7), ("Fit", 6), ("Care", 1)):
        field = ok(client.post("/api/catalog/pvt/specification", json={
            "FieldTypeId": kind, "CategoryId": ids["leaf"], "FieldGroupId": group["Id"], "Name": name,
            "IsFilter": False, "IsRequired": False, "IsOnProductDetails": True, "IsStockKeepingUnit": False,
            "IsActive": True, "Position": 1, "IsWizard": False, "IsTopMenuLinkActive": False,
            "IsSideMenuLinkActive": False, "Description": name,
        }))  # fmt: skip
        made[name] = field["Id"]
    for field, values in (("Material", ("Cotton", "Linen", "Silk")), ("Fit", ("S", "M"))):
        for position, value in enumerate(values, 1):
            ok(client.post("/api/catalog/pvt/specificationvalue", json={
                "FieldId": made[field], "Name": value, "IsActive": True, "Position": position}))
    return made


def ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201, 204), f"{response.status_code} {response.text}"
    return response.json() if response.content else {}


def test_one_call_sets_every_named_field_of_a_product_exactly(strict: httpx.Client) -> None:
    """``POST /api/catalog_system/pvt/products/{id}/specification`` (VTEX's array route): each
    field it names holds exactly the values listed, by name; fields it does not name stay."""
    from tests.sandbox import vtex_bodies as vb

    ids = vb.catalog(strict)
    fields = _product_fields(strict, ids)
    url = f"/api/catalog_system/pvt/products/{ids['product']}/specification"

    ok(strict.post(url, json=[{"Id": fields["Material"], "Value": ["Cotton", "Linen"]},
                              {"Id": fields["Fit"], "Value": ["M"]},
                              {"Name": "Care", "Value": ["Hand wash"]}]))
    assert sorted((s["Id"], tuple(s["Value"])) for s in strict.get(url).json()) == sorted([
        (fields["Material"], ("Cotton", "Linen")), (fields["Fit"], ("M",)), (fields["Care"], ("Hand wash",))])

    ok(strict.post(url, json=[{"Id": fields["Material"], "Value": ["Linen", "Silk"]}]))  # Cotton goes
    held = {s["Id"]: s["Value"] for s in strict.get(url).json()}
    assert sorted(held[fields["Material"]]) == ["Linen", "Silk"]
    assert held[fields["Fit"]] == ["M"] and held[fields["Care"]] == ["Hand wash"]  # not named: kept

    unknown = strict.post(url, json=[{"Id": fields["Fit"], "Value": ["XL"]}])
    assert unknown.status_code == 400 and "XL" in unknown.json()["error"]["message"]
    two = strict.post(url, json=[{"Id": fields["Fit"], "Value": ["S", "M"]}])
    assert two.status_code == 400 and "one value" in two.json()["error"]["message"]
    no_value = strict.post(url, json=[{"Id": fields["Fit"]}])
    assert no_value.status_code == 400 and "Value" in no_value.json()["error"]["message"]
    assert {s["Id"]: s["Value"] for s in strict.get(url).json()} == held  # nothing of a bad call landed
