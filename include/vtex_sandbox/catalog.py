"""The Catalog API: one router made of the tree, specification, product and SKU routers."""

from __future__ import annotations

from fastapi import APIRouter

from vtex_sandbox import catalog_products, catalog_skus, catalog_specs, catalog_tree

router = APIRouter()
for _part in (catalog_tree, catalog_specs, catalog_products, catalog_skus):
    router.include_router(_part.router)
