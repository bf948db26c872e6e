"""Typed clients, one per VTEX API, each built on a `VtexHook`."""

from __future__ import annotations

from vtex_provider.clients.catalog import CatalogClient
from vtex_provider.clients.logistics import LogisticsClient
from vtex_provider.clients.masterdata import MasterDataClient
from vtex_provider.clients.oms import OmsClient
from vtex_provider.clients.pricing import PricingClient

__all__ = ["CatalogClient", "LogisticsClient", "MasterDataClient", "OmsClient", "PricingClient"]
