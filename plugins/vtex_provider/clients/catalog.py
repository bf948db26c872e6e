"""Catalog API client: categories, brands, specifications, products, SKUs, images."""

from __future__ import annotations

from vtex_provider.clients.base import VtexClient, seg
from vtex_provider.models.catalog import (
    Brand,
    BrandSummary,
    Category,
    CategoryTreeNode,
    Product,
    ProductSpecification,
    ProductSpecificationValues,
    ProductTradePolicy,
    Sku,
    SkuFile,
    SkuFileInput,
    SkuSpecification,
    SpecificationField,
    SpecificationFieldSummary,
    SpecificationGroup,
    SpecificationValue,
    SpecificationValueSummary,
    TradePolicy,
)

PVT = "/api/catalog/pvt"
SYSTEM = "/api/catalog_system"


class CatalogClient(VtexClient):
    """One method per Catalog call. Creates are plain POSTs (not idempotent)."""

    # -- categories -------------------------------------------------------------------------

    def create_category(self, category: Category) -> Category:
        body = self._json("POST", f"{PVT}/category", json=category.to_body(), idempotent=False)
        return Category.model_validate(body)

    def update_category(self, category_id: int, category: Category) -> Category:
        """Full replace. VTEX's update schema types `Score` as an integer: unset is sent as 0."""
        body = category.to_body()
        body.pop("Id", None)
        if body.get("Score") is None:
            body["Score"] = 0
        return Category.model_validate(self._json("PUT", f"{PVT}/category/{category_id}", json=body))

    def get_category(self, category_id: int) -> Category | None:
        body = self._json_or_none(f"{PVT}/category/{category_id}")
        return Category.model_validate(body) if body else None

    def category_tree(self, levels: int = 3) -> list[CategoryTreeNode]:
        return CategoryTreeNode.parse_list(self._json("GET", f"{SYSTEM}/pub/category/tree/{levels}"))

    def find_category(self, name: str, parent_id: int | None, levels: int = 10) -> CategoryTreeNode | None:
        """Find a category by exact name under `parent_id` (None = department)."""
        siblings = self.category_tree(levels)
        if parent_id is not None:
            parent = _find_node(siblings, parent_id)
            siblings = parent.children if parent else []
        return next((node for node in siblings if node.name.strip() == name.strip()), None)

    # -- brands -----------------------------------------------------------------------------

    def create_brand(self, brand: Brand) -> Brand:
        return Brand.model_validate(
            self._json("POST", f"{PVT}/brand", json=brand.to_body(), idempotent=False)
        )

    def update_brand(self, brand_id: int, brand: Brand) -> Brand:
        body = brand.to_body() | {"Id": brand_id}
        return Brand.model_validate(self._json("PUT", f"{PVT}/brand/{brand_id}", json=body) or body)

    def get_brand(self, brand_id: int) -> Brand | None:
        body = self._json_or_none(f"{PVT}/brand/{brand_id}")
        return Brand.model_validate(body) if body else None

    def list_brands(self) -> list[BrandSummary]:
        return BrandSummary.parse_list(self._json("GET", f"{SYSTEM}/pvt/brand/list"))

    def find_brand(self, name: str) -> BrandSummary | None:
        """Find a brand by exact name (ignoring surrounding spaces)."""
        return next((b for b in self.list_brands() if b.name.strip() == name.strip()), None)

    # -- specification groups, fields and values --------------------------------------------

    def create_specification_group(self, group: SpecificationGroup) -> SpecificationGroup:
        body = self._json("POST", f"{PVT}/specificationgroup", json=group.to_body(), idempotent=False)
        return SpecificationGroup.model_validate(body)

    def update_specification_group(self, group_id: int, group: SpecificationGroup) -> SpecificationGroup:
        """VTEX requires `Position` on update: an unset one is sent as 1 (the first position)."""
        body = {"Position": 1} | group.to_body() | {"Id": group_id}
        path = f"{PVT}/specificationgroup/{group_id}"
        return SpecificationGroup.model_validate(self._json("PUT", path, json=body) or body)

    def get_specification_group(self, group_id: int) -> SpecificationGroup | None:
        body = self._json_or_none(f"{SYSTEM}/pub/specification/groupGet/{group_id}")
        return SpecificationGroup.model_validate(body) if body else None

    def list_specification_groups(self, category_id: int) -> list[SpecificationGroup]:
        path = f"{SYSTEM}/pvt/specification/groupbycategory/{category_id}"
        return SpecificationGroup.parse_list(self._json("GET", path))

    def create_specification_field(self, field: SpecificationField) -> SpecificationField:
        body = self._json("POST", f"{PVT}/specification", json=field.to_body(), idempotent=False)
        return SpecificationField.model_validate(body)

    def update_specification_field(self, field_id: int, field: SpecificationField) -> SpecificationField:
        """Full replace: VTEX requires `Description` and `DefaultValue` as strings ("" when unset)."""
        body = {"Description": "", "DefaultValue": ""} | field.to_body() | {"Id": field_id}
        path = f"{PVT}/specification/{field_id}"
        return SpecificationField.model_validate(self._json("PUT", path, json=body) or body)

    def update_root_specification_field(
        self, field_id: int, field: SpecificationField, group_name: str
    ) -> None:
        """Full replace of a field of the root category (it has no `CategoryId`).

        VTEX's update above requires an integer `CategoryId`; its legacy update documents it as
        nullable, with the field's group by id and name.
        """
        body = {"Description": None, "DefaultValue": None} | field.to_body()
        body |= {"FieldId": field_id, "CategoryId": None, "FieldGroupName": group_name}
        body.pop("Id", None)
        self._call("PUT", f"{SYSTEM}/pvt/specification/field", json=body)

    def get_specification_field(self, field_id: int) -> SpecificationField | None:
        body = self._json_or_none(f"{PVT}/specification/{field_id}")
        return SpecificationField.model_validate(body) if body else None

    def list_specification_fields(self, category_id: int) -> list[SpecificationFieldSummary]:
        path = f"{SYSTEM}/pub/specification/field/listByCategoryId/{category_id}"
        return SpecificationFieldSummary.parse_list(self._json("GET", path))

    def create_specification_value(self, value: SpecificationValue) -> SpecificationValue:
        body = self._json("POST", f"{PVT}/specificationvalue", json=value.to_body(), idempotent=False)
        return SpecificationValue.model_validate(body)

    def update_specification_value(self, value_id: int, value: SpecificationValue) -> SpecificationValue:
        body = value.to_body() | {"FieldValueId": value_id}
        path = f"{PVT}/specificationvalue/{value_id}"
        return SpecificationValue.model_validate(self._json("PUT", path, json=body) or body)

    def list_specification_values(self, field_id: int) -> list[SpecificationValueSummary]:
        path = f"{SYSTEM}/pub/specification/fieldvalue/{field_id}"
        return SpecificationValueSummary.parse_list(self._json("GET", path))

    # -- products ---------------------------------------------------------------------------

    def create_product(self, product: Product) -> Product:
        body = self._json("POST", f"{PVT}/product", json=product.to_body(), idempotent=False)
        return Product.model_validate(body)

    def update_product(self, product_id: int, product: Product) -> Product:
        """Full replace: `product` must be complete (omitted fields are wiped by VTEX)."""
        body = product.to_body() | {"Id": product_id}
        return Product.model_validate(self._json("PUT", f"{PVT}/product/{product_id}", json=body) or body)

    def get_product(self, product_id: int) -> Product | None:
        body = self._json_or_none(f"{PVT}/product/{product_id}")
        return Product.model_validate(body) if body else None

    def get_product_by_ref_id(self, ref_id: str) -> Product | None:
        body = self._json_or_none(f"{SYSTEM}/pvt/products/productgetbyrefid/{seg(ref_id)}")
        return Product.model_validate(body) if body else None

    def add_product_specification(self, product_id: int, spec: ProductSpecification) -> ProductSpecification:
        path = f"{PVT}/product/{product_id}/specification"
        body = self._json("POST", path, json=spec.to_body(), idempotent=False)
        return ProductSpecification.model_validate(body)

    def set_product_specifications(self, product_id: int, specs: list[ProductSpecificationValues]) -> None:
        """Give each named field of the product exactly these values, in one call (the field's
        other values go; fields not named are left as they are). A set: safe to repeat."""
        path = f"{SYSTEM}/pvt/products/{product_id}/specification"
        self._call("POST", path, json=[spec.to_body() for spec in specs], idempotent=True)

    def list_product_specifications(self, product_id: int) -> list[ProductSpecification]:
        path = f"{PVT}/product/{product_id}/specification"
        return ProductSpecification.parse_list(self._json("GET", path))

    def delete_product_specification(self, product_id: int, specification_id: int) -> None:
        self._call("DELETE", f"{PVT}/product/{product_id}/specification/{specification_id}")

    def add_product_to_trade_policy(self, product_id: int, trade_policy_id: int) -> None:
        path = f"{PVT}/product/{product_id}/salespolicy/{trade_policy_id}"
        self._call("POST", path, idempotent=True)

    def remove_product_from_trade_policy(self, product_id: int, trade_policy_id: int) -> None:
        self._call("DELETE", f"{PVT}/product/{product_id}/salespolicy/{trade_policy_id}")

    def list_product_trade_policies(self, product_id: int) -> list[ProductTradePolicy]:
        return ProductTradePolicy.parse_list(self._json("GET", f"{PVT}/product/{product_id}/salespolicy"))

    def list_trade_policies(self) -> list[TradePolicy]:
        return TradePolicy.parse_list(self._json("GET", f"{SYSTEM}/pvt/saleschannel/list"))

    # -- SKUs -------------------------------------------------------------------------------

    def create_sku(self, sku: Sku) -> Sku:
        body = self._json("POST", f"{PVT}/stockkeepingunit", json=sku.to_body(), idempotent=False)
        return Sku.model_validate(body)

    def update_sku(self, sku_id: int, sku: Sku) -> Sku:
        """Full replace: `IsActive` and `ActivateIfPossible` are sent, or VTEX turns them false."""
        body = sku.to_body() | {"Id": sku_id}
        return Sku.model_validate(self._json("PUT", f"{PVT}/stockkeepingunit/{sku_id}", json=body) or body)

    def get_sku(self, sku_id: int) -> Sku | None:
        body = self._json_or_none(f"{PVT}/stockkeepingunit/{sku_id}")
        return Sku.model_validate(body) if body else None

    def get_sku_id_by_ref_id(self, ref_id: str) -> int | None:
        body = self._json_or_none(f"{SYSTEM}/pvt/sku/stockkeepingunitidbyrefid/{seg(ref_id)}")
        return int(body) if body not in (None, "", 0, "0") else None

    def sku_ids_by_ref_ids(self, ref_ids: list[str]) -> dict[str, int]:
        """Map ref ids to SKU ids; unknown refs are left out. Duplicates are removed first."""
        unique = list(dict.fromkeys(ref_ids))
        if not unique:
            return {}
        path = f"{SYSTEM}/pub/sku/stockkeepingunitidsbyrefids"
        body = self._json("POST", path, json=unique, idempotent=True) or {}
        return {ref: int(sku_id) for ref, sku_id in body.items() if sku_id not in (None, "")}

    def add_sku_specification(self, sku_id: int, spec: SkuSpecification) -> SkuSpecification:
        path = f"{PVT}/stockkeepingunit/{sku_id}/specification"
        body = spec.to_body()
        body.pop("Text", None)
        return SkuSpecification.model_validate(self._json("POST", path, json=body, idempotent=False))

    def update_sku_specification(self, sku_id: int, spec: SkuSpecification) -> list[SkuSpecification]:
        """Change the value of an existing association (`spec.id` is required)."""
        path = f"{PVT}/stockkeepingunit/{sku_id}/specification"
        body = spec.to_body() | {"SkuId": sku_id}
        return SkuSpecification.parse_list(self._json("PUT", path, json=body))

    def list_sku_specifications(self, sku_id: int) -> list[SkuSpecification]:
        return SkuSpecification.parse_list(
            self._json("GET", f"{PVT}/stockkeepingunit/{sku_id}/specification")
        )

    def delete_sku_specification(self, sku_id: int, specification_id: int) -> None:
        self._call("DELETE", f"{PVT}/stockkeepingunit/{sku_id}/specification/{specification_id}")

    # -- SKU files and EANs -----------------------------------------------------------------

    def create_sku_file(self, sku_id: int, file: SkuFileInput) -> SkuFile:
        """Add an image by URL. VTEX answers an array or a single object; both are accepted."""
        body = self._json(
            "POST", f"{PVT}/stockkeepingunit/{sku_id}/file", json=file.to_body(), idempotent=False
        )
        return _one_file(body, file)

    def list_sku_files(self, sku_id: int) -> list[SkuFile]:
        return SkuFile.parse_list(self._json("GET", f"{PVT}/stockkeepingunit/{sku_id}/file"))

    def update_sku_file(self, sku_id: int, file_id: int, file: SkuFileInput) -> SkuFile:
        path = f"{PVT}/stockkeepingunit/{sku_id}/file/{file_id}"
        body = self._json("PUT", path, json=file.to_body())
        if isinstance(body, list):
            body = next((f for f in body if f.get("Id") == file_id), body[0] if body else None)
        return _one_file(body, file)

    def delete_sku_file(self, sku_id: int, file_id: int) -> None:
        self._call("DELETE", f"{PVT}/stockkeepingunit/{sku_id}/file/{file_id}")

    def add_sku_ean(self, sku_id: int, ean: str) -> None:
        self._call("POST", f"{PVT}/stockkeepingunit/{sku_id}/ean/{seg(ean)}", idempotent=True)

    def list_sku_eans(self, sku_id: int) -> list[str]:
        body = self._json("GET", f"{PVT}/stockkeepingunit/{sku_id}/ean")
        return [str(ean) for ean in body] if isinstance(body, list) else []


def _find_node(nodes: list[CategoryTreeNode], category_id: int) -> CategoryTreeNode | None:
    for node in nodes:
        if node.id == category_id:
            return node
        found = _find_node(node.children, category_id)
        if found:
            return found
    return None


def _one_file(body: object, sent: SkuFileInput) -> SkuFile:
    if isinstance(body, list):
        matches = [f for f in body if isinstance(f, dict) and f.get("Name") == sent.name]
        body = matches[-1] if matches else (body[-1] if body else None)
    if not isinstance(body, dict):
        return SkuFile.model_validate(sent.to_body())
    return SkuFile.model_validate(body)
