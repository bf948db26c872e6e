"""Catalog: category tree and brands."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter

from vtex_sandbox.catalog_common import assign_id, get_or_404, require, slug
from vtex_sandbox.catalog_models import BrandIn, CategoryIn
from vtex_sandbox.errors import bad_request
from vtex_sandbox.routing import ConfigDep, StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["catalog"])


# --- categories -------------------------------------------------------------------------


def category_path(store: Store, category: dict[str, Any]) -> list[dict[str, Any]]:
    """The category and its ancestors, root first."""
    path = [category]
    while path[0].get("FatherCategoryId") is not None:
        parent = store.get("categories", path[0]["FatherCategoryId"])
        if parent is None or len(path) > 50:
            break
        path.insert(0, parent)
    return path


def _category_view(store: Store, doc: dict[str, Any], include_tree_path: bool) -> dict[str, Any]:
    view = dict(doc)
    view["HasChildren"] = bool(store.find("categories", FatherCategoryId=doc["Id"]))
    path = category_path(store, doc) if include_tree_path else None
    view["TreePath"] = [c["Name"] for c in path] if path else None
    view["TreePathIds"] = [c["Id"] for c in path] if path else None
    view["TreePathLinkIds"] = [c.get("LinkId") for c in path] if path else None
    return view


def _category_doc(store: Store, body: CategoryIn, category_id: int) -> dict[str, Any]:
    if body.FatherCategoryId is not None:
        if body.FatherCategoryId == category_id:
            raise bad_request("A category cannot be its own parent")
        require(store, "categories", body.FatherCategoryId, "FatherCategory")
    doc = body.model_dump()
    doc["Id"] = category_id
    doc["LinkId"] = body.LinkId or slug(body.Name)
    return doc


@router.post("/api/catalog/pvt/category")
async def create_category(body: CategoryIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        category_id = assign_id(store, "categories", body.Id)
        doc = store.put("categories", category_id, _category_doc(store, body, category_id))
    return _category_view(store, doc, False)


@router.put("/api/catalog/pvt/category/{categoryId}")
def update_category(categoryId: int, body: CategoryIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        get_or_404(store, "categories", categoryId, "Category")
        doc = store.put("categories", categoryId, _category_doc(store, body, categoryId))
    return _category_view(store, doc, False)


@router.get("/api/catalog/pvt/category/{categoryId}")
def get_category(categoryId: int, store: StoreDep, includeTreePath: bool = False) -> dict[str, Any]:
    return _category_view(store, get_or_404(store, "categories", categoryId, "Category"), includeTreePath)


@router.get("/api/catalog_system/pub/category/tree/{categoryLevels}")
def category_tree(categoryLevels: int, store: StoreDep, config: ConfigDep) -> list[dict[str, Any]]:
    categories = store.all("categories")
    children: dict[int | None, list[dict[str, Any]]] = {}
    for category in categories:
        children.setdefault(category.get("FatherCategoryId"), []).append(category)
    base = f"https://{config.account}.vtexcommercestable.com.br"

    def node(category: dict[str, Any], level: int, url: str) -> dict[str, Any]:
        own_url = f"{url}/{category.get('LinkId') or slug(category['Name'])}"
        kids = children.get(category["Id"], [])
        return {
            "id": category["Id"],
            "name": category["Name"],
            "hasChildren": bool(kids),
            "url": own_url,
            "children": [node(k, level + 1, own_url) for k in kids] if level < categoryLevels else [],
            "Title": category.get("Title"),
            "MetaTagDescription": category.get("Description") or "",
        }

    return [node(root, 1, base) for root in children.get(None, [])]


# --- brands ---------------------------------------------------------------------------


def _brand_doc(store: Store, body: BrandIn, brand_id: int) -> dict[str, Any]:
    # Names are compared exactly, trailing spaces included: "Acme " is another brand.
    if any(b["Id"] != brand_id for b in store.find("brands", Name=body.Name)):
        raise bad_request(f"A brand named '{body.Name}' already exists")
    doc = body.model_dump()
    doc["Id"] = brand_id
    return doc


def _brand_summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["Id"],
        "name": doc["Name"],
        "isActive": doc["Active"],
        "title": doc.get("SiteTitle"),
        "metaTagDescription": doc.get("Text"),
        "imageUrl": None,
    }


@router.post("/api/catalog/pvt/brand")
def create_brand(body: BrandIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        brand_id = assign_id(store, "brands", body.Id)
        return store.put("brands", brand_id, _brand_doc(store, body, brand_id))


@router.put("/api/catalog/pvt/brand/{brandId}")
def update_brand(brandId: int, body: BrandIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        get_or_404(store, "brands", brandId, "Brand")
        return store.put("brands", brandId, _brand_doc(store, body, brandId))


@router.get("/api/catalog/pvt/brand/{brandId}")
def get_brand(brandId: int, store: StoreDep) -> dict[str, Any]:
    return get_or_404(store, "brands", brandId, "Brand")


@router.delete("/api/catalog/pvt/brand/{brandId}")
def delete_brand(brandId: int, store: StoreDep) -> None:
    get_or_404(store, "brands", brandId, "Brand")
    store.delete("brands", brandId)


@router.get("/api/catalog_system/pvt/brand/list")
def list_brands(store: StoreDep) -> list[dict[str, Any]]:
    return [_brand_summary(b) for b in store.all("brands")]


@router.get("/api/catalog_system/pvt/brand/pagedlist")
def paged_brands(store: StoreDep, page: int = 1, pageSize: int = 100) -> dict[str, Any]:
    page, page_size = max(page, 1), max(min(pageSize, 1000), 1)
    brands = store.all("brands")
    chunk = brands[(page - 1) * page_size : page * page_size]
    return {
        "items": [_brand_summary(b) for b in chunk],
        "paging": {
            "page": page,
            "perPage": page_size,
            "total": len(brands),
            "pages": math.ceil(len(brands) / page_size),
        },
    }


@router.get("/api/catalog_system/pvt/brand/{brandId}")
def get_brand_summary(brandId: int, store: StoreDep) -> dict[str, Any]:
    return _brand_summary(get_or_404(store, "brands", brandId, "Brand"))
