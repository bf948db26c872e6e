"""Catalog API payloads (PascalCase on the wire)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from vtex_provider.models.base import PascalModel, VtexModel


class Category(PascalModel):
    """Category body and response. `father_category_id=None` makes a department.

    VTEX requires every field of the create/update body; the two legacy codes and the father
    are required *and* nullable, so they are sent as `null`. `Score` is nullable on create but
    an integer on update (`CatalogClient.update_category` sends 0 for an unset score).
    `LinkId` and `HasChildren` are answered, not accepted.
    """

    id: int | None = None
    name: str
    father_category_id: int | None = None
    title: str = ""
    description: str = ""
    keywords: str = ""
    is_active: bool = True
    show_in_store_front: bool = True
    active_store_front_link: bool = True
    show_brand_filter: bool = True
    global_category_id: int = 0
    score: int | None = None
    stock_keeping_unit_selection_mode: str = "SPECIFICATION"
    ad_words_remarketing_code: str | None = None
    lomadee_campaign_code: str | None = None
    link_id: str | None = None
    has_children: bool | None = None
    send_null = frozenset(
        {"father_category_id", "score", "ad_words_remarketing_code", "lomadee_campaign_code"}
    )
    read_only = frozenset({"link_id", "has_children"})


class CategoryTreeNode(VtexModel):
    """One node of `category/tree/{levels}` (camelCase here, unlike the rest of Catalog)."""

    id: int
    name: str
    has_children: bool = Field(False, alias="hasChildren")
    url: str | None = None
    title: str | None = Field(None, alias="Title")
    children: list[CategoryTreeNode] = Field(default_factory=list)


class Brand(PascalModel):
    """Brand body and response; a PUT wipes omitted fields: update from the brand read back.

    VTEX's schema requires `Id` on create: the catalog flow chooses it (see `brand_ids`).
    """

    id: int | None = None
    name: str
    text: str | None = None
    keywords: str | None = None
    site_title: str | None = None
    active: bool = True
    menu_home: bool = False
    score: int | None = None
    link_id: str | None = None
    ad_words_remarketing_code: str | None = None
    lomadee_campaign_code: str | None = None


class BrandSummary(VtexModel):
    """An entry of `brand/list` (camelCase)."""

    id: int
    name: str
    is_active: bool = Field(True, alias="isActive")
    title: str | None = None


class SpecificationGroup(PascalModel):
    """Specification group. `category_id=None` is a group of the root category (all categories).

    VTEX's schema requires an integer `CategoryId`; a root-category group has none, so it is
    left out (never `null`). Evidence that such groups exist: VTEX's known issue "Ordering of
    specification groups from the root category does not work", and the answers of
    `groupbycategory`/`groupGet`, which document `CategoryId` as nullable.
    """

    id: int | None = None
    category_id: int | None = None
    name: str
    position: int | None = None


class SpecificationField(PascalModel):
    """Specification field (`/api/catalog/pvt/specification`). Field types: 1 text ... 5 combo, 6 radio.

    `category_id=None` is a field of the root category: `CategoryId` is left out (optional on
    create). VTEX answers `IsWizard` (and, on older fields, the other flags) as `null`: they
    read as None and are sent as VTEX's default `false`. The update body requires
    `Description` and `DefaultValue` as strings: unset ones are sent as "".
    """

    id: int | None = None
    field_type_id: int
    category_id: int | None = None
    field_group_id: int
    name: str
    description: str | None = None
    position: int = 1
    is_filter: bool | None = False
    is_required: bool | None = False
    is_on_product_details: bool | None = True
    is_stock_keeping_unit: bool = False
    is_wizard: bool | None = False
    is_active: bool | None = True
    is_top_menu_link_active: bool | None = False
    is_side_menu_link_active: bool | None = False
    default_value: str | None = None

    def to_body(self) -> dict[str, Any]:
        body = super().to_body()
        for flag in _FIELD_FLAGS:
            body[flag] = bool(body.get(flag, False))
        return body


_FIELD_FLAGS = (
    "IsFilter", "IsRequired", "IsOnProductDetails", "IsStockKeepingUnit", "IsWizard", "IsActive",
    "IsTopMenuLinkActive", "IsSideMenuLinkActive",
)  # fmt: skip


class SpecificationFieldSummary(PascalModel):
    """An entry of `specification/field/listByCategoryId`."""

    field_id: int
    name: str
    category_id: int | None = None
    is_active: bool | None = True
    is_stock_keeping_unit: bool | None = False


class SpecificationValue(PascalModel):
    field_value_id: int | None = None
    field_id: int
    name: str
    text: str | None = None
    is_active: bool = True
    position: int = 1


class SpecificationValueSummary(PascalModel):
    """An entry of `specification/fieldvalue/{fieldId}` (the name is in `Value`)."""

    field_value_id: int
    value: str
    is_active: bool = True
    position: int | None = None


class Product(PascalModel):
    """Product body and response. A PUT replaces the whole product: update from the product read back.

    Unset fields are left out: VTEX's schema types them as non-null strings and integers.
    """

    id: int | None = None
    name: str
    category_id: int | None = None
    brand_id: int | None = None
    department_id: int | None = None
    ref_id: str | None = None
    link_id: str | None = None
    title: str | None = None
    description: str | None = None
    description_short: str | None = None
    release_date: str | None = None
    key_words: str | None = None
    is_visible: bool = True
    is_active: bool = True
    tax_code: str | None = None
    meta_tag_description: str | None = None
    show_without_stock: bool = True
    score: int | None = None
    supplier_id: int | None = None
    ad_words_remarketing_code: str | None = None
    lomadee_campaign_code: str | None = None


class ProductSpecification(PascalModel):
    """Association of a spec field (and value) with a product."""

    id: int | None = None
    product_id: int | None = None
    field_id: int
    field_value_id: int | None = None
    text: str | None = None


class ProductSpecificationValues(PascalModel):
    """One field of a product and all its values, by name (the one-call route's item)."""

    id: int | None = None  # the field's id (`FieldId` elsewhere); or its `name`
    name: str | None = None
    value: list[str]


class ProductTradePolicy(PascalModel):
    product_id: int
    store_id: int


class TradePolicy(PascalModel):
    id: int
    name: str
    is_active: bool = True
    country_code: str | None = None
    currency_code: str | None = None
    culture_info: str | None = None


class Sku(PascalModel):
    """SKU body and response. Create with `is_active=False`; a PUT must carry `is_active`.

    `activate_if_possible=True` (VTEX's recommendation, guide skus.md) lets VTEX activate the
    SKU by itself once it meets the requirements (an image, RefId or EAN, ...). Dimensions VTEX
    has not been given are left out, never sent as `null`. `PackagedWeightKg` is an integer in
    VTEX's create and update schemas (the store's unit, grams by default): it is sent rounded.
    """

    id: int | None = None
    product_id: int
    name: str
    ref_id: str | None = None
    is_active: bool = False
    activate_if_possible: bool | None = True
    packaged_height: float
    packaged_length: float
    packaged_width: float
    packaged_weight_kg: float
    height: float | None = None
    length: float | None = None
    width: float | None = None
    weight_kg: float | None = None
    cubic_weight: float | None = None
    is_kit: bool = False
    manufacturer_code: str | None = None
    commercial_condition_id: int = 1
    measurement_unit: str = "un"
    unit_multiplier: float = 1.0
    modal_type: str | None = None
    kit_itens_sell_apart: bool = False
    reward_value: float | None = None
    estimated_date_arrival: str | None = None

    def to_body(self) -> dict[str, Any]:
        body = super().to_body()
        body["PackagedWeightKg"] = round(body["PackagedWeightKg"])
        return body


class SkuSpecification(PascalModel):
    id: int | None = None
    sku_id: int | None = None
    field_id: int
    field_value_id: int | None = None
    text: str | None = None


class SkuFile(PascalModel):
    """SKU image: create/update body (`name`, `url`, ...) and response (`id`, `archive_id`, ...)."""

    id: int | None = None
    archive_id: int | None = None
    sku_id: int | None = None
    name: str | None = None
    url: str | None = None
    is_main: bool = False
    label: str | None = None
    text: str | None = None
    position: int | None = None
    file_location: str | None = None


class SkuFileInput(PascalModel):
    """Body of `POST/PUT .../file`: an image by URL."""

    name: str
    url: str
    is_main: bool = False
    label: str | None = None
    text: str | None = None
    position: int | None = None
