"""Every client method against the local server: route, body casing and units, parsed answer."""

# The CASES table keeps one call per few lines; long literal lines are clearer than wrapped ones.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from vtex_fakes import ACCOUNT

from vtex_provider.clients import CatalogClient, LogisticsClient, MasterDataClient, OmsClient, PricingClient
from vtex_provider.models.catalog import (
    Brand,
    Category,
    Product,
    ProductSpecification,
    ProductSpecificationValues,
    Sku,
    SkuFileInput,
    SkuSpecification,
    SpecificationField,
    SpecificationGroup,
    SpecificationValue,
)
from vtex_provider.models.logistics import (
    Country,
    Dock,
    DockAddress,
    InventoryQuantityUpdate,
    InventoryUpdate,
    Warehouse,
    WarehouseDock,
)
from vtex_provider.models.oms import (
    ChangeItem,
    ChangeItems,
    ChangeRequest,
    FeedConfig,
    FeedFilter,
    Invoice,
    InvoiceItem,
    TrackingEvent,
    TrackingEvents,
    TrackingUpdate,
)
from vtex_provider.models.pricing import DateRange, FixedPrice, PriceUpdate

CLIENTS = {
    "catalog": CatalogClient,
    "pricing": PricingClient,
    "logistics": LogisticsClient,
    "oms": OmsClient,
    "md": MasterDataClient,
}
RECEIPT = {"date": "2024-02-07T15:22:56.76-02:00", "orderId": "1172452900788-01", "receipt": "38e0e47d"}
TREE = [
    {
        "id": 1,
        "name": "Pets",
        "hasChildren": True,
        "url": "https://x/pets",
        "Title": "Pets",
        "children": [{"id": 6, "name": "Cat food ", "hasChildren": False, "children": []}],
    },
    {"id": 2, "name": "Cat food", "hasChildren": False, "children": []},
]
PRODUCT = Product(name="Shirt", category_id=6, brand_id=2000000, ref_id="SH-1", is_visible=False)
SKU = Sku(
    product_id=42,
    name="Shirt M",
    ref_id="SH-1-M",
    packaged_height=10,
    packaged_length=20,
    packaged_width=5,
    packaged_weight_kg=300,
)
INVOICE = Invoice(
    issuance_date="2024-01-31T18:25:43-05:00",
    invoice_number="NF-1",
    invoice_value=2499,
    items=[InvoiceItem(id="1", price=2499, quantity=1)],
)
CHANGE = ChangeRequest(reason="stock shortage", remove=ChangeItems(items=[ChangeItem(id="1", quantity=1)]))


@dataclass
class Case:
    id: str
    client: str
    call: Callable[[Any], Any]
    reply: Any
    method: str
    path: str
    check_body: Callable[[Any], Any] | None = None
    check_result: Callable[[Any], Any] | None = None
    query: dict[str, str] | None = None
    status: int = 200


def has(expected: dict) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        for key, value in expected.items():
            assert body[key] == value, key

    return check


CASES = [
    # ---- catalog: categories
    Case(
        "create_category", "catalog",
        lambda c: c.create_category(Category(name="Pets", father_category_id=None, is_active=False)),
        {"Id": 1, "Name": "Pets", "FatherCategoryId": None, "IsActive": False},
        "POST", "/api/catalog/pvt/category",
        lambda b: (has({"Name": "Pets", "FatherCategoryId": None, "IsActive": False})(b), "Id" not in b),
        lambda r: r.id == 1 and r.father_category_id is None,
    ),
    Case(
        "update_category", "catalog",
        lambda c: c.update_category(7, Category(name="Cats", father_category_id=1, keywords="cat")),
        {"Id": 7, "Name": "Cats", "FatherCategoryId": 1},
        "PUT", "/api/catalog/pvt/category/7",
        has({"Name": "Cats", "FatherCategoryId": 1, "Keywords": "cat", "ShowInStoreFront": True}),
        lambda r: r.id == 7,
    ),
    Case("get_category", "catalog", lambda c: c.get_category(7), {"Id": 7, "Name": "Cats", "Unknown": 1},
         "GET", "/api/catalog/pvt/category/7", None, lambda r: r.name == "Cats"),
    Case("get_category_missing", "catalog", lambda c: c.get_category(8), None, "GET",
         "/api/catalog/pvt/category/8", None, lambda r: r is None, status=404),
    Case("category_tree", "catalog", lambda c: c.category_tree(2), TREE, "GET",
         "/api/catalog_system/pub/category/tree/2", None,
         lambda r: [n.id for n in r] == [1, 2] and r[0].children[0].id == 6 and r[0].has_children),
    Case("find_category_under_parent", "catalog", lambda c: c.find_category("Cat food", 1), TREE, "GET",
         "/api/catalog_system/pub/category/tree/10", None, lambda r: r.id == 6),
    Case("find_category_root", "catalog", lambda c: c.find_category("Cat food", None), TREE, "GET",
         "/api/catalog_system/pub/category/tree/10", None, lambda r: r.id == 2),
    Case("find_category_absent", "catalog", lambda c: c.find_category("Dogs", 1), TREE, "GET",
         "/api/catalog_system/pub/category/tree/10", None, lambda r: r is None),
    # ---- catalog: brands
    Case("create_brand", "catalog", lambda c: c.create_brand(Brand(id=2000000, name="Acme", menu_home=False)),
         {"Id": 2000000, "Name": "Acme", "Active": True}, "POST", "/api/catalog/pvt/brand",
         has({"Name": "Acme", "Active": True, "MenuHome": False}), lambda r: r.id == 2000000),
    Case("update_brand", "catalog", lambda c: c.update_brand(5, Brand(name="Acme", text="t")),
         {"Id": 5, "Name": "Acme"}, "PUT", "/api/catalog/pvt/brand/5",
         lambda b: (has({"Id": 5, "Name": "Acme", "Text": "t", "Active": True})(b), "MenuHome" in b),
         lambda r: r.id == 5),
    Case("get_brand", "catalog", lambda c: c.get_brand(5), {"Id": 5, "Name": "Acme", "Active": False},
         "GET", "/api/catalog/pvt/brand/5", None, lambda r: r.active is False),
    Case("list_brands", "catalog", lambda c: c.list_brands(),
         [{"id": 9280, "name": "Brand", "isActive": True, "title": "t", "imageUrl": None}],
         "GET", "/api/catalog_system/pvt/brand/list", None, lambda r: r[0].id == 9280 and r[0].is_active),
    Case("find_brand", "catalog", lambda c: c.find_brand("Acme"),
         [{"id": 1, "name": "Other"}, {"id": 2, "name": "Acme "}],
         "GET", "/api/catalog_system/pvt/brand/list", None, lambda r: r.id == 2),
    # ---- catalog: specifications
    Case("create_specification_group", "catalog",
         lambda c: c.create_specification_group(SpecificationGroup(category_id=1, name="Sizes")),
         {"Id": 10, "CategoryId": 1, "Name": "Sizes", "Position": 3}, "POST", "/api/catalog/pvt/specificationgroup",
         lambda b: b == {"CategoryId": 1, "Name": "Sizes"}, lambda r: r.id == 10 and r.position == 3),
    Case("update_specification_group", "catalog",
         lambda c: c.update_specification_group(10, SpecificationGroup(category_id=1, name="Size", position=2)),
         {"Id": 10, "CategoryId": 1, "Name": "Size", "Position": 2}, "PUT",
         "/api/catalog/pvt/specificationgroup/10",
         lambda b: b == {"Id": 10, "CategoryId": 1, "Name": "Size", "Position": 2}, lambda r: r.name == "Size"),
    Case("get_specification_group", "catalog", lambda c: c.get_specification_group(6),
         {"CategoryId": None, "Id": 6, "Name": "Sizes", "Position": None}, "GET",
         "/api/catalog_system/pub/specification/groupGet/6", None, lambda r: r.id == 6 and r.category_id is None),
    Case("list_specification_groups", "catalog", lambda c: c.list_specification_groups(1),
         [{"CategoryId": 1, "Id": 5, "Name": "Materials", "Position": 2}], "GET",
         "/api/catalog_system/pvt/specification/groupbycategory/1", None, lambda r: r[0].name == "Materials"),
    Case("create_specification_field", "catalog",
         lambda c: c.create_specification_field(
             SpecificationField(field_type_id=5, category_id=4, field_group_id=20, name="Size",
                                is_stock_keeping_unit=True)),
         {"Id": 88, "FieldTypeId": 5, "FieldGroupId": 20, "Name": "Size"}, "POST", "/api/catalog/pvt/specification",
         has({"FieldTypeId": 5, "FieldGroupId": 20, "Name": "Size", "IsStockKeepingUnit": True, "CategoryId": 4}),
         lambda r: r.id == 88),
    Case("update_specification_field", "catalog",
         lambda c: c.update_specification_field(
             88, SpecificationField(field_type_id=5, category_id=4, field_group_id=20, name="Size", is_active=False)),
         {"Id": 88, "FieldTypeId": 5, "FieldGroupId": 20, "Name": "Size", "IsActive": False}, "PUT",
         "/api/catalog/pvt/specification/88", has({"Id": 88, "IsActive": False, "IsRequired": False}),
         lambda r: r.is_active is False),
    Case("update_root_specification_field", "catalog",
         lambda c: c.update_root_specification_field(
             88, SpecificationField(field_type_id=1, field_group_id=20, name="Care"), "General"),
         88, "PUT", "/api/catalog_system/pvt/specification/field",
         lambda b: (has({"FieldId": 88, "CategoryId": None, "FieldGroupId": 20, "FieldGroupName": "General",
                         "Description": None, "DefaultValue": None, "IsActive": True})(b), "Id" not in b)),
    Case("get_specification_field", "catalog", lambda c: c.get_specification_field(32),
         {"Id": 32, "FieldTypeId": 6, "CategoryId": 10, "FieldGroupId": 11, "Name": "Peso", "DefaultValue": None},
         "GET", "/api/catalog/pvt/specification/32", None, lambda r: r.field_type_id == 6),
    Case("list_specification_fields", "catalog", lambda c: c.list_specification_fields(1),
         [{"Name": "Spec A", "CategoryId": 1, "FieldId": 33, "IsActive": True, "IsStockKeepingUnit": False}],
         "GET", "/api/catalog_system/pub/specification/field/listByCategoryId/1", None,
         lambda r: r[0].field_id == 33),
    Case("create_specification_value", "catalog",
         lambda c: c.create_specification_value(SpecificationValue(field_id=193, name="Metal")),
         {"FieldValueId": 360, "FieldId": 193, "Name": "Metal", "Text": None, "IsActive": True, "Position": 1},
         "POST", "/api/catalog/pvt/specificationvalue",
         lambda b: b == {"FieldId": 193, "Name": "Metal", "IsActive": True, "Position": 1},
         lambda r: r.field_value_id == 360),
    Case("update_specification_value", "catalog",
         lambda c: c.update_specification_value(360, SpecificationValue(field_id=193, name="Steel", position=2)),
         {"FieldValueId": 360, "FieldId": 193, "Name": "Steel"}, "PUT", "/api/catalog/pvt/specificationvalue/360",
         has({"FieldValueId": 360, "Name": "Steel", "Position": 2}), lambda r: r.name == "Steel"),
    Case("list_specification_values", "catalog", lambda c: c.list_specification_values(193),
         [{"FieldValueId": 52, "Value": "S", "IsActive": True, "Position": 1}], "GET",
         "/api/catalog_system/pub/specification/fieldvalue/193", None, lambda r: r[0].value == "S"),
    # ---- catalog: products
    Case("create_product", "catalog", lambda c: c.create_product(PRODUCT),
         {"Id": 42, "Name": "Shirt", "CategoryId": 6, "BrandId": 2000000, "RefId": "SH-1"},
         "POST", "/api/catalog/pvt/product",
         # unset fields are left out, never sent as null
         lambda b: (has({"Name": "Shirt", "CategoryId": 6, "BrandId": 2000000, "RefId": "SH-1",
                         "IsVisible": False})(b), "Id" not in b, "KeyWords" not in b, "TaxCode" not in b),
         lambda r: r.id == 42),
    Case("update_product", "catalog", lambda c: c.update_product(42, PRODUCT),
         {"Id": 42, "Name": "Shirt"}, "PUT", "/api/catalog/pvt/product/42",
         # full replace: booleans are sent explicitly; unset strings are left out, not null
         lambda b: (has({"Id": 42, "IsVisible": False, "IsActive": True, "ShowWithoutStock": True})(b),
                    None not in b.values()),
         lambda r: r.id == 42),
    Case("get_product", "catalog", lambda c: c.get_product(42), {"Id": 42, "Name": "Shirt", "IsActive": True},
         "GET", "/api/catalog/pvt/product/42", None, lambda r: r.is_active),
    Case("get_product_by_ref_id", "catalog", lambda c: c.get_product_by_ref_id("SH/1"),
         {"Id": 42, "Name": "Shirt", "RefId": "SH/1", "ListStoreId": [1]}, "GET",
         "/api/catalog_system/pvt/products/productgetbyrefid/SH%2F1", None, lambda r: r.ref_id == "SH/1"),
    Case("get_product_by_ref_id_absent", "catalog", lambda c: c.get_product_by_ref_id("nope"), "",
         "GET", "/api/catalog_system/pvt/products/productgetbyrefid/nope", None, lambda r: r is None),
    Case("add_product_specification", "catalog",
         lambda c: c.add_product_specification(42, ProductSpecification(field_id=19, field_value_id=1)),
         {"Id": 41, "FieldId": 19, "FieldValueId": 1, "Text": "x"}, "POST",
         "/api/catalog/pvt/product/42/specification", lambda b: b == {"FieldId": 19, "FieldValueId": 1},
         lambda r: r.id == 41),
    Case("set_product_specifications", "catalog",
         lambda c: c.set_product_specifications(42, [ProductSpecificationValues(id=30, value=["Iron", "Plastic"])]),
         None, "POST", "/api/catalog_system/pvt/products/42/specification",
         lambda b: b == [{"Id": 30, "Value": ["Iron", "Plastic"]}], lambda r: r is None),
    Case("list_product_specifications", "catalog", lambda c: c.list_product_specifications(1),
         [{"Id": 227, "ProductId": 1, "FieldId": 33, "FieldValueId": 135, "Text": "A"}], "GET",
         "/api/catalog/pvt/product/1/specification", None, lambda r: r[0].field_value_id == 135),
    Case("delete_product_specification", "catalog", lambda c: c.delete_product_specification(1, 227), None,
         "DELETE", "/api/catalog/pvt/product/1/specification/227", None, lambda r: r is None),
    Case("add_product_to_trade_policy", "catalog", lambda c: c.add_product_to_trade_policy(1, 2), None,
         "POST", "/api/catalog/pvt/product/1/salespolicy/2", lambda b: b is None, lambda r: r is None),
    Case("remove_product_from_trade_policy", "catalog", lambda c: c.remove_product_from_trade_policy(1, 2), None,
         "DELETE", "/api/catalog/pvt/product/1/salespolicy/2", None, lambda r: r is None),
    Case("list_product_trade_policies", "catalog", lambda c: c.list_product_trade_policies(1),
         [{"ProductId": 1, "StoreId": 1}, {"ProductId": 1, "StoreId": 2}], "GET",
         "/api/catalog/pvt/product/1/salespolicy", None, lambda r: [p.store_id for p in r] == [1, 2]),
    Case("list_trade_policies", "catalog", lambda c: c.list_trade_policies(),
         [{"Id": 1, "Name": "Main", "IsActive": True, "CurrencyCode": "BRL", "CurrencyFormatInfo": {}}],
         "GET", "/api/catalog_system/pvt/saleschannel/list", None, lambda r: r[0].currency_code == "BRL"),
    # ---- catalog: SKUs
    Case("create_sku", "catalog", lambda c: c.create_sku(SKU),
         {"Id": 70, "ProductId": 42, "IsActive": False, "Name": "Shirt M", "RefId": "SH-1-M",
          "PackagedHeight": 10.0, "PackagedLength": 10.0, "PackagedWidth": 10.0, "PackagedWeightKg": 10.0},
         "POST", "/api/catalog/pvt/stockkeepingunit",
         has({"ProductId": 42, "IsActive": False, "ActivateIfPossible": True, "PackagedWeightKg": 300,
              "RefId": "SH-1-M", "MeasurementUnit": "un"}),
         lambda r: r.id == 70),
    Case("update_sku", "catalog", lambda c: c.update_sku(70, SKU.model_copy(update={"is_active": True})),
         {"Id": 70, "ProductId": 42, "IsActive": True, "Name": "Shirt M", "PackagedHeight": 10,
          "PackagedLength": 20, "PackagedWidth": 5, "PackagedWeightKg": 300},
         "PUT", "/api/catalog/pvt/stockkeepingunit/70",
         lambda b: (has({"Id": 70, "IsActive": True, "IsKit": False, "ActivateIfPossible": True})(b),
                    "CubicWeight" not in b, None not in b.values()),
         lambda r: r.is_active),
    Case("get_sku", "catalog", lambda c: c.get_sku(70),
         {"Id": 70, "ProductId": 42, "IsActive": True, "Name": "M", "PackagedHeight": 1, "PackagedLength": 1,
          "PackagedWidth": 1, "PackagedWeightKg": 550.0, "Videos": []},
         "GET", "/api/catalog/pvt/stockkeepingunit/70", None, lambda r: r.packaged_weight_kg == 550.0),
    Case("get_sku_id_by_ref_id", "catalog", lambda c: c.get_sku_id_by_ref_id("SH-1-M"), "70", "GET",
         "/api/catalog_system/pvt/sku/stockkeepingunitidbyrefid/SH-1-M", None, lambda r: r == 70),
    Case("get_sku_id_by_ref_id_absent", "catalog", lambda c: c.get_sku_id_by_ref_id("x"), None, "GET",
         "/api/catalog_system/pvt/sku/stockkeepingunitidbyrefid/x", None, lambda r: r is None, status=404),
    Case("sku_ids_by_ref_ids", "catalog", lambda c: c.sku_ids_by_ref_ids(["a", "b", "a", "c"]),
         {"a": "435", "b": "4351", "c": None}, "POST", "/api/catalog_system/pub/sku/stockkeepingunitidsbyrefids",
         lambda b: b == ["a", "b", "c"], lambda r: r == {"a": 435, "b": 4351}),
    Case("add_sku_specification", "catalog",
         lambda c: c.add_sku_specification(70, SkuSpecification(field_id=193, field_value_id=360)),
         {"Id": 1505, "SkuId": 70, "FieldId": 193, "FieldValueId": 360, "Text": "Size 10"}, "POST",
         "/api/catalog/pvt/stockkeepingunit/70/specification",
         lambda b: b == {"FieldId": 193, "FieldValueId": 360}, lambda r: r.id == 1505),
    Case("update_sku_specification", "catalog",
         lambda c: c.update_sku_specification(70, SkuSpecification(id=1505, field_id=193, field_value_id=361)),
         [{"Id": 1505, "SkuId": 70, "FieldId": 193, "FieldValueId": 361, "Text": "Size 11"}], "PUT",
         "/api/catalog/pvt/stockkeepingunit/70/specification",
         has({"Id": 1505, "FieldId": 193, "FieldValueId": 361, "SkuId": 70}), lambda r: r[0].field_value_id == 361),
    Case("list_sku_specifications", "catalog", lambda c: c.list_sku_specifications(70),
         [{"Id": 1505, "SkuId": 70, "FieldId": 193, "FieldValueId": 360, "Text": "Size 10"}], "GET",
         "/api/catalog/pvt/stockkeepingunit/70/specification", None, lambda r: r[0].text == "Size 10"),
    Case("delete_sku_specification", "catalog", lambda c: c.delete_sku_specification(70, 1505), None,
         "DELETE", "/api/catalog/pvt/stockkeepingunit/70/specification/1505", None, lambda r: r is None),
    # ---- catalog: files and EANs
    Case("create_sku_file_array", "catalog",
         lambda c: c.create_sku_file(70, SkuFileInput(name="front", url="https://img/x.jpg", is_main=True)),
         [{"Id": 549, "ArchiveId": 155485, "SkuId": 70, "Name": "front", "IsMain": True, "Url": "https://cdn/1"}],
         "POST", "/api/catalog/pvt/stockkeepingunit/70/file",
         lambda b: b == {"Name": "front", "Url": "https://img/x.jpg", "IsMain": True},
         lambda r: r.id == 549 and r.archive_id == 155485),
    Case("create_sku_file_object", "catalog",
         lambda c: c.create_sku_file(70, SkuFileInput(name="side", url="https://img/y.png")),
         {"Id": 550, "SkuId": 70, "ArchiveId": 9, "IsMain": False, "Label": None},
         "POST", "/api/catalog/pvt/stockkeepingunit/70/file", has({"Name": "side", "IsMain": False}),
         lambda r: r.id == 550),
    Case("list_sku_files", "catalog", lambda c: c.list_sku_files(70),
         [{"Id": 549, "SkuId": 70, "Name": "front", "IsMain": True, "Position": 0}], "GET",
         "/api/catalog/pvt/stockkeepingunit/70/file", None, lambda r: r[0].is_main and r[0].position == 0),
    Case("update_sku_file", "catalog",
         lambda c: c.update_sku_file(70, 550, SkuFileInput(name="side", url="https://img/z.png", position=1)),
         [{"Id": 549, "Name": "front"}, {"Id": 550, "Name": "side", "Position": 1}], "PUT",
         "/api/catalog/pvt/stockkeepingunit/70/file/550", has({"Url": "https://img/z.png", "Position": 1}),
         lambda r: r.id == 550),
    Case("delete_sku_file", "catalog", lambda c: c.delete_sku_file(70, 550), None, "DELETE",
         "/api/catalog/pvt/stockkeepingunit/70/file/550", None, lambda r: r is None),
    Case("add_sku_ean", "catalog", lambda c: c.add_sku_ean(70, "7891234567895"), None, "POST",
         "/api/catalog/pvt/stockkeepingunit/70/ean/7891234567895", lambda b: b is None, lambda r: r is None),
    Case("list_sku_eans", "catalog", lambda c: c.list_sku_eans(70), ["7891234567895"], "GET",
         "/api/catalog/pvt/stockkeepingunit/70/ean", None, lambda r: r == ["7891234567895"]),
    # ---- pricing (decimals, on /{account}/pricing)
    Case("put_price", "pricing",
         lambda c: c.put_price(70, PriceUpdate(base_price=99.9, list_price=120.5, fixed_prices=[
             FixedPrice(trade_policy_id="1", value=89.9, min_quantity=2,
                        date_range=DateRange(**{"from": "2024-01-01T00:00:00-03:00", "to": "2024-02-01T00:00:00-03:00"}))
         ])),
         None, "PUT", f"/{ACCOUNT}/pricing/prices/70",
         lambda b: b == {"basePrice": 99.9, "listPrice": 120.5, "fixedPrices": [
             {"tradePolicyId": "1", "value": 89.9, "minQuantity": 2,
              "dateRange": {"from": "2024-01-01T00:00:00-03:00", "to": "2024-02-01T00:00:00-03:00"}}]},
         lambda r: r is None),
    Case("put_price_without_fixed_sends_empty_list", "pricing",
         lambda c: c.put_price(70, PriceUpdate(cost_price=10, markup=30)), None, "PUT",
         f"/{ACCOUNT}/pricing/prices/70", lambda b: b == {"costPrice": 10.0, "markup": 30, "fixedPrices": []}),
    Case("get_price", "pricing", lambda c: c.get_price(70),
         {"itemId": "70", "listPrice": 300, "costPrice": 10, "markup": 2400, "basePrice": 250.5,
          "fixedPrices": [{"tradePolicyId": "1", "value": 666.66, "listPrice": None, "minQuantity": 1}]},
         "GET", f"/{ACCOUNT}/pricing/prices/70", None,
         lambda r: r.base_price == 250.5 and r.fixed_prices[0].value == 666.66),
    Case("get_price_missing", "pricing", lambda c: c.get_price(71), None, "GET", f"/{ACCOUNT}/pricing/prices/71",
         None, lambda r: r is None, status=404),
    Case("delete_price", "pricing", lambda c: c.delete_price(70), None, "DELETE",
         f"/{ACCOUNT}/pricing/prices/70", None, lambda r: r is None),
    Case("get_fixed_prices", "pricing", lambda c: c.get_fixed_prices(70),
         [{"tradePolicyId": "1", "value": 50.5, "listPrice": 60, "minQuantity": 1}], "GET",
         f"/{ACCOUNT}/pricing/prices/70/fixed", None, lambda r: r[0].list_price == 60.0),
    Case("put_fixed_prices", "pricing",
         lambda c: c.put_fixed_prices(70, "b2b", [FixedPrice(value=40.25, min_quantity=10)]), None, "POST",
         f"/{ACCOUNT}/pricing/prices/70/fixed/b2b",
         lambda b: b == [{"value": 40.25, "minQuantity": 10}]),
    Case("patch_fixed_prices", "pricing",
         lambda c: c.patch_fixed_prices(70, [FixedPrice(trade_policy_id="2", value=1.5)]), None, "PATCH",
         f"/{ACCOUNT}/pricing/prices/70/fixed",
         lambda b: b == [{"tradePolicyId": "2", "value": 1.5, "minQuantity": 1}]),
    Case("list_price_tables", "pricing", lambda c: c.list_price_tables(), ["1", "b2b"], "GET",
         f"/{ACCOUNT}/pricing/tables", None, lambda r: r == ["1", "b2b"]),
    # ---- logistics
    Case("upsert_dock", "logistics",
         lambda c: c.upsert_dock(Dock(id="d1", name="Main dock", sales_channels=["1"], address=DockAddress(
             postal_code="01001-000", country=Country(acronym="BRA", name="Brazil"), city="SP", state="SP"))),
         True, "POST", "/api/logistics/pvt/configuration/docks",
         lambda b: (has({"id": "d1", "salesChannels": ["1"], "dockTimeFake": "00:00:00",
                         "freightTableIds": []})(b), b["address"]["postalCode"] == "01001-000",
                    b["address"]["country"] == {"acronym": "BRA", "name": "Brazil"})),
    Case("get_dock", "logistics", lambda c: c.get_dock("d1"),
         {"id": "d1", "name": "Main dock", "priority": 0, "salesChannels": ["1"], "pickupStoreInfo": {}},
         "GET", "/api/logistics/pvt/configuration/docks/d1", None, lambda r: r.sales_channels == ["1"]),
    Case("list_docks", "logistics", lambda c: c.list_docks(), [{"id": "d1", "name": "Main"}], "GET",
         "/api/logistics/pvt/configuration/docks", None, lambda r: r[0].id == "d1"),
    Case("upsert_warehouse", "logistics",
         lambda c: c.upsert_warehouse(Warehouse(id="w1", name="Main", warehouse_docks=[
             WarehouseDock(dock_id="d1", name="Main dock", time="3.00:00:00", cost="5.00", cost_to_display="5,00")])),
         None, "POST", "/api/logistics/pvt/configuration/warehouses",
         lambda b: b == {"id": "w1", "name": "Main", "priority": 0, "isActive": True, "warehouseDocks": [
             {"dockId": "d1", "name": "Main dock", "time": "3.00:00:00", "cost": "5.00",
              "translateDays": "days", "costToDisplay": "5,00"}]}),
    Case("get_warehouse", "logistics", lambda c: c.get_warehouse("w1"),
         {"id": "w1", "name": "Main", "warehouseDocks": [{"dockId": "d1", "time": "3.00:00:00", "cost": 5}],
          "pickupPointIds": [], "priority": 0, "isActive": True},
         "GET", "/api/logistics/pvt/configuration/warehouses/w1", None,
         lambda r: r.warehouse_docks[0].dock_id == "d1"),
    Case("list_warehouses", "logistics", lambda c: c.list_warehouses(),
         [{"id": "w1", "name": "Main", "warehouseDocks": [], "isActive": False}], "GET",
         "/api/logistics/pvt/configuration/warehouses", None, lambda r: r[0].is_active is False),
    Case("put_inventory", "logistics", lambda c: c.put_inventory(70, "w1", InventoryUpdate(quantity=0)), True,
         "PUT", "/api/logistics/pvt/inventory/skus/70/warehouses/w1",
         # zero and false are sent explicitly: VTEX zeroes missing fields anyway, but never guess
         lambda b: b == {"quantity": 0, "unlimitedQuantity": False, "leadTime": "0.00:00:00"}),
    Case("patch_inventory_quantity", "logistics",
         lambda c: c.patch_inventory_quantity(70, "w1", InventoryQuantityUpdate(quantity=5)), None, "PATCH",
         "/api/logistics/pvt/inventory/skus/70/warehouses/w1/quantity",
         lambda b: b == {"quantity": 5, "unlimitedQuantity": False}, status=204),
    Case("get_inventory", "logistics", lambda c: c.get_inventory(70),
         {"skuId": "70", "balance": [{"warehouseId": "w1", "warehouseName": "Main", "totalQuantity": 7,
                                      "reservedQuantity": 2, "hasUnlimitedQuantity": False, "leadTime": "00:00:00"}]},
         "GET", "/api/logistics/pvt/inventory/skus/70", None,
         lambda r: (r.balance[0].total_quantity, r.balance[0].reserved_quantity) == (7, 2)),
    # ---- OMS: feed
    Case("get_feed_config", "oms", lambda c: c.get_feed_config(),
         {"filter": {"type": "FromWorkflow", "status": ["ready-for-handling"]},
          "queue": {"visibilityTimeoutInSeconds": 240, "messageRetentionPeriodInSeconds": 345600},
          "quantity": 127, "approximateAgeOfOldestMessageInSeconds": 78.9},
         "GET", "/api/orders/feed/config", None,
         lambda r: r.queue.message_retention_period_in_seconds == 345600 and r.quantity == 127),
    Case("get_feed_config_absent", "oms", lambda c: c.get_feed_config(), None, "GET", "/api/orders/feed/config",
         None, lambda r: r is None, status=404),
    Case("set_feed_config", "oms",
         lambda c: c.set_feed_config(FeedConfig(filter=FeedFilter(status=["ready-for-handling", "canceled"]))),
         None, "POST", "/api/orders/feed/config",
         lambda b: b == {"filter": {"type": "FromWorkflow", "status": ["ready-for-handling", "canceled"]},
                         "queue": {"visibilityTimeoutInSeconds": 250, "MessageRetentionPeriodInSeconds": 345600}}),
    Case("delete_feed_config", "oms", lambda c: c.delete_feed_config(), None, "DELETE",
         "/api/orders/feed/config", None, lambda r: r is None),
    Case("get_feed", "oms", lambda c: c.get_feed(50),
         [{"eventId": "ED42", "handle": "h1", "domain": "Fulfillment", "state": "ready-for-handling",
           "lastState": "window-to-cancel", "orderId": "953712004126-01",
           "lastChange": "2019-08-12T20:54:01.134057Z", "currentChange": "2019-08-12T20:54:23.7153839Z",
           "availableDate": "2019-08-12T20:54:24Z"}],
         "GET", "/api/orders/feed", None,
         lambda r: (r[0].order_id, r[0].state, r[0].current_change)
         == ("953712004126-01", "ready-for-handling", "2019-08-12T20:54:23.7153839Z"),
         query={"maxlot": "10"}),
    Case("get_feed_empty", "oms", lambda c: c.get_feed(), [], "GET", "/api/orders/feed", None, lambda r: r == []),
    # ---- OMS: orders
    Case("get_order", "oms", lambda c: c.get_order("v502556llux-01"),
         {"orderId": "v502556llux-01", "sequence": "502556", "status": "ready-for-handling", "value": 2499,
          "creationDate": "2024-01-01T10:00:00.0000000+00:00", "lastChange": "2024-01-01T10:05:00Z",
          "salesChannel": "1",
          "items": [{"uniqueId": "U1", "id": "70", "productId": "42", "refId": "SH-1-M", "ean": "789",
                     "name": "Shirt M", "quantity": 1, "price": 2499, "listPrice": 2999, "sellingPrice": 2499,
                     "measurementUnit": "un", "unitMultiplier": 1.0, "seller": "1"}],
          "totals": [{"id": "Items", "name": "Items Total", "value": 2499}],
          "clientProfileData": {"email": "a@b.c", "firstName": "Ana", "documentType": "cpf", "document": "1"},
          "shippingData": {"address": {"postalCode": "01001-000", "city": "SP", "street": "Rua"},
                           "logisticsInfo": [{"itemIndex": 0, "selectedSla": "Normal", "price": 500}]},
          "packageAttachment": {"packages": []}, "invoiceData": None, "marketingData": {"utmSource": "x"}},
         "GET", "/api/oms/pvt/orders/v502556llux-01", None,
         lambda r: r.value == 2499 and r.items[0].selling_price == 2499 and r.items[0].ref_id == "SH-1-M"
         and r.shipping_data.logistics_info[0].selected_sla == "Normal"
         and r.client_profile_data.first_name == "Ana" and r.totals[0].value == 2499),
    Case("list_orders", "oms",
         lambda c: c.list_orders(status="ready-for-handling", created_from="2024-01-01T00:00:00.000Z",
                                 created_to="2024-01-02T00:00:00.000Z", page=2, per_page=50),
         {"list": [{"orderId": "o1", "status": "ready-for-handling", "totalValue": 100}],
          "paging": {"total": 51, "pages": 2, "currentPage": 2, "perPage": 50}, "facets": [], "stats": {}},
         "GET", "/api/oms/pvt/orders", None,
         lambda r: r.orders[0].order_id == "o1" and r.paging.pages == 2,
         query={"f_status": "ready-for-handling", "page": "2", "per_page": "50", "orderBy": "creationDate,asc",
                "f_creationDate": "creationDate:[2024-01-01T00:00:00.000Z TO 2024-01-02T00:00:00.000Z]"}),
    Case("start_handling", "oms", lambda c: c.start_handling("o1"), None, "POST",
         "/api/oms/pvt/orders/o1/start-handling", lambda b: b is None, lambda r: r is True, status=204),
    Case("start_handling_already_handled", "oms", lambda c: c.start_handling("o1"),
         {"error": {"code": "OMS003", "message": "Order status should be ready-for-handling", "exception": None}},
         "POST", "/api/oms/pvt/orders/o1/start-handling", None, lambda r: r is False, status=409),
    Case("invoice", "oms", lambda c: c.invoice("o1", INVOICE), RECEIPT, "POST", "/api/oms/pvt/orders/o1/invoice",
         lambda b: b == {"type": "Output", "issuanceDate": "2024-01-31T18:25:43-05:00", "invoiceNumber": "NF-1",
                         "invoiceValue": "2499", "items": [{"id": "1", "price": 2499, "quantity": 1}]},
         lambda r: r.receipt == "38e0e47d"),
    Case("update_invoice_tracking", "oms",
         lambda c: c.update_invoice_tracking("o1", "NF-1", TrackingUpdate(tracking_number="TR1", courier="Post")),
         RECEIPT, "PATCH", "/api/oms/pvt/orders/o1/invoice/NF-1",
         lambda b: b == {"trackingNumber": "TR1", "trackingUrl": None, "dispatchedDate": None, "courier": "Post"},
         lambda r: r.order_id == "1172452900788-01"),
    Case("put_tracking_events", "oms",
         lambda c: c.put_tracking_events("o1", "NF-1", TrackingEvents(is_delivered=True,
             delivered_date="2024-02-01 10:00",
             events=[TrackingEvent(city="Rio", state="RJ", description="Delivered", date="2024-02-01")])),
         RECEIPT, "PUT", "/api/oms/pvt/orders/o1/invoice/NF-1/tracking",
         lambda b: b == {"isDelivered": True, "deliveredDate": "2024-02-01 10:00", "events": [
             {"city": "Rio", "state": "RJ", "description": "Delivered", "date": "2024-02-01"}]},
         lambda r: r.receipt == "38e0e47d"),
    Case("cancel_order", "oms", lambda c: c.cancel_order("o1", "Out of stock"), RECEIPT, "POST",
         "/api/oms/pvt/orders/o1/cancel", lambda b: b == {"reason": "Out of stock"}, lambda r: r.receipt),
    # ---- OMS: order changes
    Case("create_change", "oms", lambda c: c.create_change("o1", CHANGE),
         {"requestId": "req-1", "workflowId": "wf-1", "reason": "stock shortage", "totalChangeValue": -2499},
         "PATCH", "/api/order-system/orders/o1/changes",
         lambda b: b == {"reason": "stock shortage", "remove": {"items": [{"id": "1", "quantity": 1}]}},
         lambda r: r.request_id == "req-1" and r.total_change_value == -2499,
         query={"accountName": ACCOUNT}, status=202),
    Case("preview_change", "oms", lambda c: c.preview_change("o1", CHANGE),
         {"reason": "stock shortage", "totalChangeValue": -2499, "totals": [{"id": "Items", "value": -2499}]},
         "POST", "/api/order-system/orders/o1/changes/preview", has({"reason": "stock shortage"}),
         lambda r: r.totals[0].value == -2499, query={"an": ACCOUNT}),
    Case("list_changes", "oms", lambda c: c.list_changes("o1"),
         {"requests": [{"requestId": "req-1", "status": "done", "inProgress": False}]}, "GET",
         "/api/order-system/orders/o1/changes", None, lambda r: r[0].status == "done", query={"an": ACCOUNT}),
    Case("get_change", "oms", lambda c: c.get_change("o1", "req-1"),
         {"requestId": "req-1", "status": "inProgress", "inProgress": True}, "GET",
         "/api/order-system/orders/o1/changes/req-1", None, lambda r: r.in_progress, query={"an": ACCOUNT}),
    Case("retry_change", "oms", lambda c: c.retry_change("o1", "req-1"), None, "POST",
         "/api/order-system/orders/o1/changes/req-1/retry", None, lambda r: r is None,
         query={"an": ACCOUNT}, status=204),
    Case("cancel_change", "oms", lambda c: c.cancel_change("o1", "req-1", "customer gave up"), None, "POST",
         "/api/order-system/orders/o1/changes/req-1/cancel", lambda b: b == {"reason": "customer gave up"},
         query={"an": ACCOUNT}),
    # ---- Master Data
    Case("create_document", "md", lambda c: c.create_document("CL", {"email": "a@b.c", "firstName": "Ana"}),
         {"Id": "CL-7f3a", "Href": "http://x/CL-7f3a", "DocumentId": "7f3a"}, "POST",
         "/api/dataentities/CL/documents", lambda b: b == {"email": "a@b.c", "firstName": "Ana"},
         lambda r: r.document_id == "7f3a" and r.bare_id == "7f3a", status=201),
    Case("upsert_document", "md", lambda c: c.upsert_document("CL", {"id": "7f3a", "phone": "1"}),
         {"id": "CL-7f3a", "href": "h", "documentId": "7f3a"}, "PATCH", "/api/dataentities/CL/documents",
         lambda b: b == {"id": "7f3a", "phone": "1"}, lambda r: r.id == "CL-7f3a"),
    Case("put_document", "md", lambda c: c.put_document("AD", "ad-1", {"userId": "7f3a", "city": "Rio"}), None,
         "PUT", "/api/dataentities/AD/documents/ad-1", lambda b: b == {"userId": "7f3a", "city": "Rio"},
         status=204),
    Case("patch_document", "md", lambda c: c.patch_document("CL", "7f3a", {"phone": "2"}), None, "PATCH",
         "/api/dataentities/CL/documents/7f3a", lambda b: b == {"phone": "2"}, status=204),
    Case("get_document", "md", lambda c: c.get_document("CL", "7f3a", ["email", "id"]),
         {"id": "7f3a", "email": "a@b.c"}, "GET", "/api/dataentities/CL/documents/7f3a", None,
         lambda r: r["email"] == "a@b.c", query={"_fields": "email,id"}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_client_method(case: Case, server, hook):
    server.reply(case.status, case.reply)
    result = case.call(CLIENTS[case.client](hook))
    (request,) = server.requests
    assert (request.method, request.path) == (case.method, case.path)
    if case.check_body is not None:
        # checks either assert inside (returning None) or return booleans (alone or in a tuple)
        outcome = case.check_body(request.body)
        outcomes = outcome if isinstance(outcome, tuple) else (outcome,)
        assert all(item is None or item is True for item in outcomes), request.body
    for key, value in (case.query or {}).items():
        assert request.query.get(key) == [value], key
    if case.check_result is not None:
        assert case.check_result(result)


def test_every_public_client_method_is_covered():
    covered = {(c.client, c.call.__code__.co_names[0]) for c in CASES}
    covered |= {("oms", "commit_feed"), ("oms", "iter_orders"), ("md", "search")}
    for key, cls in CLIENTS.items():
        public = {name for name in vars(cls) if not name.startswith("_") and callable(getattr(cls, name))}
        assert public <= {name for client, name in covered if client == key}, key


def test_commit_feed_sends_chunks_of_ten(server, hook):
    handles = [f"h{i}" for i in range(23)]
    assert OmsClient(hook).commit_feed(handles) == 23
    assert [len(r.body["handles"]) for r in server.requests] == [10, 10, 3]
    assert [h for r in server.requests for h in r.body["handles"]] == handles
    assert {(r.method, r.path) for r in server.requests} == {("POST", "/api/orders/feed")}


def test_iter_orders_walks_pages_and_stops_at_30(server, hook):
    for page in range(1, 32):
        server.reply(200, {"list": [{"orderId": f"o{page}"}], "paging": {"pages": 40, "currentPage": page}})
    orders = list(OmsClient(hook).iter_orders(status="invoiced"))
    assert [o.order_id for o in orders] == [f"o{p}" for p in range(1, 31)]
    assert [r.query["page"] for r in server.requests] == [[str(p)] for p in range(1, 31)]


def test_iter_orders_stops_at_last_page(server, hook):
    server.reply(200, {"list": [{"orderId": "a"}], "paging": {"pages": 2, "currentPage": 1}})
    server.reply(200, {"list": [{"orderId": "b"}], "paging": {"pages": 2, "currentPage": 2}})
    assert [o.order_id for o in OmsClient(hook).iter_orders()] == ["a", "b"]
    assert len(server.requests) == 2


def test_masterdata_search_pages_with_rest_range(server, hook):
    docs = [{"id": str(i), "email": f"{i}@x"} for i in range(5)]
    server.reply(200, docs[:2], headers={"REST-Content-Range": "resources 0-2/5"})
    server.reply(200, docs[2:4], headers={"REST-Content-Range": "resources 2-4/5"})
    server.reply(200, docs[4:], headers={"REST-Content-Range": "resources 4-5/5"})
    found = list(
        MasterDataClient(hook).search(
            "CL",
            where="isCorporate=false",
            fields=["id", "email"],
            filters={"email": "*@x"},
            sort="email ASC",
            page_size=2,
        )
    )
    assert found == docs
    ranges = [r.headers.get("REST-Range") for r in server.requests]
    assert ranges == ["resources=0-2", "resources=2-4", "resources=4-6"]
    first = server.requests[0]
    assert first.path == "/api/dataentities/CL/search"
    assert first.query["_where"] == ["isCorporate=false"] and first.query["_fields"] == ["id,email"]
    assert first.query["email"] == ["*@x"] and first.query["_sort"] == ["email ASC"]


def test_pricing_records_ratelimit_headers(server, hook):
    server.reply(
        200, ["1"], headers={"Ratelimit-Limit": "500", "Ratelimit-Remaining": "498", "Ratelimit-Reset": "1"}
    )
    PricingClient(hook).list_price_tables()
    assert (hook.rate_limit.limit, hook.rate_limit.remaining, hook.rate_limit.reset_seconds) == (
        500,
        498,
        1.0,
    )


def test_create_sku_on_503_is_ambiguous_not_duplicated(server, hook):
    from vtex_provider.exceptions import VtexAmbiguousWriteError

    server.reply(503, "unavailable")
    with pytest.raises(VtexAmbiguousWriteError):
        CatalogClient(hook).create_sku(SKU)
    assert len(server.requests) == 1
