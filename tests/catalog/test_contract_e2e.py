"""Every request of the initial setup and of the three syncs, with changes, is valid under VTEX's
OpenAPI documents: the sandbox runs in enforce mode and counts no violation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.contract import CONTRACT_DIR
from tests.incremental.conftest import ACCOUNT, Shop, run_initial_setup
from tests.incremental.test_incremental_sync import sync
from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers

AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)


@pytest.fixture
def strict_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    if not CONTRACT_DIR.is_dir() or not any(CONTRACT_DIR.glob("*.json")):
        reason = f"VTEX's OpenAPI documents are absent ({CONTRACT_DIR.name} next to the project)"
        print(reason)
        pytest.skip(reason)
    config = SandboxConfig(
        account=ACCOUNT, rate_limit_scale=0, contract_dir=str(CONTRACT_DIR), contract_mode="enforce"
    )
    server = SandboxServer(config)
    server.start()
    erp_url, state_url = f"sqlite:///{tmp_path / 'erp.db'}", f"sqlite:///{tmp_path / 'state.db'}"
    vtex_extra = {"account_name": ACCOUNT, "base_url": server.base_url}
    connections = {
        "VTEX_DEFAULT": {"conn_type": "vtex", "login": config.app_key, "password": config.app_token,
                         "extra": vtex_extra},
        "ERP_DEFAULT": {"conn_type": "generic", "extra": {"adapter": "sql", "url": erp_url}},
        "VTEX_STATE": {"conn_type": "generic", "extra": {"url": state_url}},
    }  # fmt: skip
    for name, value in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{name}", json.dumps(value))
    load_into(erp_url, generate("tiny"))
    try:
        with httpx.Client(base_url=server.base_url, headers=auth_headers(config), timeout=30) as client:
            shop = Shop(client, erp_url, state_url)
            yield shop
            shop.erp.engine.dispose()
            shop.state.engine.dispose()
    finally:
        server.stop()


def test_every_request_of_setup_and_syncs_is_valid_under_vtex_documents(strict_shop: Shop) -> None:
    shop = strict_shop
    run_initial_setup()
    shop.change("products", shop.all_rows("products")[:2], AT, description="changed")
    shop.change("skus", shop.all_rows("skus")[:2], AT, active=False)
    shop.change("sku_images", shop.all_rows("sku_images")[:1], AT, active=False)
    shop.change("product_specifications", shop.all_rows("product_specifications")[:2], AT, text="new")
    shop.change("prices", shop.all_rows("prices")[:3], AT, base_price=Decimal("12.34"))
    shop.change("stock", shop.all_rows("stock")[:3], AT, quantity=5, lead_time="1.00:00:00")
    for flow, minutes in (("catalog", 15), ("prices", 5), ("inventory", 2)):
        sync(flow, AT, minutes)

    contract = shop.vtex.get("/_sandbox/stats").raise_for_status().json()["contract"]
    since = contract["since_start"]
    broken = [op for op in since["by_operation"] if op["violations"]]
    assert contract["mode"] == "enforce"
    assert since["validated"] > 0
    assert since["violations"] == 0, broken
