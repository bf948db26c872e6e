"""Cross-cutting sandbox behaviour over real HTTP: auth, ids, stats, faults, limits, persistence."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx
import pytest
import requests

from vtex_sandbox.admin import EXPORT_KINDS
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers

BRAND = {"Name": "Acme", "Active": True}


def test_requests_without_valid_credentials_get_401(sandbox_url: str, sandbox_credentials: dict) -> None:
    wrong = {**sandbox_credentials, "X-VTEX-API-AppToken": "not-the-token"}
    for headers in ({}, wrong):
        response = httpx.get(f"{sandbox_url}/api/catalog_system/pvt/brand/list", headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "error": {"code": "1", "message": "Unauthorized access", "exception": None}
        }
    assert httpx.get(f"{sandbox_url}/_sandbox/stats").status_code == 401


def test_header_names_are_case_insensitive_and_each_response_has_a_request_id(vtex: httpx.Client) -> None:
    creds = {k.lower(): v for k, v in vtex.headers.items() if k.lower().startswith("x-vtex")}
    first = httpx.get(str(vtex.base_url.join("/api/catalog_system/pvt/brand/list")), headers=creds)
    second = vtex.get("/api/catalog_system/pvt/brand/list")
    assert first.status_code == second.status_code == 200
    ids = {first.headers["X-VTEX-Request-Id"], second.headers["X-VTEX-Request-Id"]}
    assert len(ids) == 2


def test_stats_count_requests_by_route_template_and_status(vtex: httpx.Client) -> None:
    vtex.post("/_sandbox/stats/reset")
    created = [vtex.post("/api/catalog/pvt/brand", json={"Name": f"B{i}"}).json()["Id"] for i in range(3)]
    for brand_id in created:
        vtex.get(f"/api/catalog/pvt/brand/{brand_id}")
    vtex.get("/api/catalog/pvt/brand/999999")
    vtex.get("/_sandbox/export")  # admin routes are not counted
    stats = vtex.get("/_sandbox/stats").json()
    rows = {(r["method"], r["route"], r["status"]): r["count"] for r in stats["by_route"]}
    assert rows == {
        ("POST", "/api/catalog/pvt/brand", 200): 3,
        ("GET", "/api/catalog/pvt/brand/{brandId}", 200): 3,
        ("GET", "/api/catalog/pvt/brand/{brandId}", 404): 1,
    }
    assert stats["total"] == 7
    vtex.post("/_sandbox/stats/reset")
    after = vtex.get("/_sandbox/stats").json()
    assert (after["total"], after["by_route"], after["contract"]["validated"]) == (0, [], 0)


def test_export_has_every_kind_and_reset_keeps_trade_policies(vtex: httpx.Client) -> None:
    vtex.post("/api/catalog/pvt/brand", json=BRAND)
    export = vtex.get("/_sandbox/export").json()
    assert set(EXPORT_KINDS) <= set(export)
    assert [b["Name"] for b in export["brands"]] == ["Acme"]
    vtex.post("/_sandbox/reset")
    after = vtex.get("/_sandbox/export").json()
    assert after["brands"] == []
    assert sorted(tp["Id"] for tp in after["trade_policies"]) == [1, 2]


def test_faults_can_be_read_and_set_partially(vtex: httpx.Client) -> None:
    assert vtex.post("/_sandbox/faults", json={"rate_429": 0.25}).json()["rate_429"] == 0.25
    faults = vtex.get("/_sandbox/faults").json()
    assert (faults["error_5xx"], faults["rate_429"], faults["lost_response"]) == (0, 0.25, 0)
    assert faults["case_sensitive_warehouses"] is False
    assert vtex.post("/_sandbox/faults", json={"error_5xx": 2}).status_code == 400


def test_a_fault_seed_replays_the_same_faults(vtex: httpx.Client) -> None:
    def statuses() -> list[int]:
        return [vtex.get("/api/catalog_system/pvt/brand/list").status_code for _ in range(12)]

    faults = vtex.post("/_sandbox/faults", json={"rate_429": 0.5, "seed": 1}).json()
    assert "seed" not in faults
    first = statuses()
    vtex.post("/_sandbox/faults", json={"seed": 1})
    assert statuses() == first and first[0] == 429 and set(first) == {200, 429}


def test_5xx_fault_answers_503_without_writing(vtex: httpx.Client) -> None:
    vtex.post("/_sandbox/faults", json={"error_5xx": 1.0})
    assert vtex.post("/api/catalog/pvt/brand", json=BRAND).status_code == 503
    vtex.post("/_sandbox/faults", json={"error_5xx": 0})
    assert vtex.get("/api/catalog_system/pvt/brand/list").json() == []


def test_429_fault_carries_retry_after(vtex: httpx.Client) -> None:
    vtex.post("/_sandbox/faults", json={"rate_429": 1.0})
    response = vtex.post("/api/catalog/pvt/brand", json=BRAND)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    vtex.post("/_sandbox/faults", json={"rate_429": 0})
    assert vtex.get("/api/catalog_system/pvt/brand/list").json() == []


def test_lost_response_applies_the_write_but_the_client_sees_a_broken_connection(vtex: httpx.Client) -> None:
    vtex.post("/_sandbox/faults", json={"lost_response": 1.0})
    with pytest.raises(httpx.TransportError):
        vtex.post("/api/catalog/pvt/brand", json=BRAND)
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(
            str(vtex.base_url.join("/api/catalog/pvt/brand")), json={"Name": "Other"}, headers=vtex.headers
        )
    vtex.post("/_sandbox/faults", json={"lost_response": 0})
    names = sorted(b["name"] for b in vtex.get("/api/catalog_system/pvt/brand/list").json())
    assert names == ["Acme", "Other"]


def test_trailing_slashes_are_tolerated(vtex: httpx.Client) -> None:
    brand_id = vtex.post("/api/catalog/pvt/brand/", json=BRAND).json()["Id"]
    assert vtex.get(f"/api/catalog/pvt/brand/{brand_id}/").json()["Name"] == "Acme"


def test_pricing_rate_limit_rejects_a_burst_then_recovers() -> None:
    config = SandboxConfig(rate_limit_scale=0.03, seed=1)
    with SandboxServer(config) as url, httpx.Client(base_url=url, headers=auth_headers(config)) as client:
        responses = [client.delete("/pricing/prices/1") for _ in range(20)]  # 1,000/min x 0.03, 9 credits
        limited = [r for r in responses if r.status_code == 429]
        assert 5 <= len(limited) <= 12
        assert all(int(r.headers["Retry-After"]) >= 1 for r in limited)
        assert limited[0].headers["Ratelimit-Limit"] == "9"
        assert limited[0].headers["Ratelimit-Remaining"] == "0"
        time.sleep(int(limited[-1].headers["Retry-After"]))
        assert client.delete("/pricing/prices/1").status_code == 404  # let through: the price is unknown


def test_catalog_rate_limit_is_per_route_and_disabled_at_scale_zero() -> None:
    config = SandboxConfig(rate_limit_scale=0.001, seed=1)  # 15/min per route
    with SandboxServer(config) as url, httpx.Client(base_url=url, headers=auth_headers(config)) as client:
        statuses = [client.get("/api/catalog_system/pvt/brand/list").status_code for _ in range(20)]
        assert statuses.count(429) == 5
        assert client.get("/api/catalog/pvt/brand/1").status_code == 404  # another route, own budget
    unlimited = SandboxConfig(rate_limit_scale=0)
    with (
        SandboxServer(unlimited) as url,
        httpx.Client(base_url=url, headers=auth_headers(unlimited)) as client,
    ):
        assert {client.get("/api/catalog_system/pvt/brand/list").status_code for _ in range(40)} == {200}


def test_state_survives_a_restart_with_a_database_file() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = SandboxConfig(db_path=str(Path(tmp) / "sandbox.db"))
        with SandboxServer(config, in_subprocess=True) as url:
            created = httpx.post(f"{url}/api/catalog/pvt/brand", json=BRAND, headers=auth_headers(config))
            brand_id = created.json()["Id"]
        with SandboxServer(config, in_subprocess=True) as url:
            again = httpx.get(f"{url}/api/catalog/pvt/brand/{brand_id}", headers=auth_headers(config))
            assert again.json()["Name"] == "Acme"
            second = httpx.post(
                f"{url}/api/catalog/pvt/brand", json={"Name": "Next"}, headers=auth_headers(config)
            )
            assert second.json()["Id"] > brand_id
