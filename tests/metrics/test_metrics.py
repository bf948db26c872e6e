"""A sync's counters and timings reach a StatsD receiver through Airflow's own metrics."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.incremental.conftest import Shop
from vtex_sync.airflow.sync_tasks import run_sync

CHANGED_AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)


@pytest.fixture
def statsd(monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A UDP socket standing in for the StatsD server, and Airflow's metrics pointed at it."""
    from airflow.sdk.observability import stats
    from airflow.sdk.observability.metrics import stats_utils

    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(0.2)
    monkeypatch.setenv("AIRFLOW__METRICS__STATSD_ON", "True")
    monkeypatch.setenv("AIRFLOW__METRICS__STATSD_HOST", "127.0.0.1")
    monkeypatch.setenv("AIRFLOW__METRICS__STATSD_PORT", str(receiver.getsockname()[1]))
    stats.initialize(factory=stats_utils.get_stats_factory(), export_legacy_names=False)  # as a task does
    yield receiver
    monkeypatch.delenv("AIRFLOW__METRICS__STATSD_ON")
    stats.initialize(factory=stats_utils.get_stats_factory(), export_legacy_names=False)
    receiver.close()


def received(receiver: socket.socket) -> dict[str, str]:
    """``{metric name: "value|type"}`` of every packet so far."""
    metrics: dict[str, str] = {}
    while True:
        try:
            packet = receiver.recv(65535).decode()
        except TimeoutError:
            return metrics
        for line in packet.splitlines():
            key, _, value = line.partition(":")
            metrics[key] = value


def test_sync_counters_timings_and_429s_reach_statsd(shop: Shop, statsd: socket.socket) -> None:
    prices = shop.all_rows("prices")[:4]
    shop.change("prices", prices, CHANGED_AT, base_price="77.00")
    # seeded: the first call after it draws a 429 (random.Random(1).random() is 0.13)
    shop.vtex.post("/_sandbox/faults", json={"rate_429": 0.5, "seed": 1}).raise_for_status()
    try:
        start = CHANGED_AT.replace(minute=5, second=0)
        run_sync("prices", {}, start=start, end=start + timedelta(minutes=5))
    finally:
        shop.vtex.post("/_sandbox/faults", json={"rate_429": 0}).raise_for_status()
    metrics = received(statsd)
    assert metrics["airflow.vtex.records.prices_sync.price.updated"] == "4|c"
    assert int(metrics["airflow.vtex.calls.prices_sync.price"].split("|")[0]) >= 4
    assert metrics["airflow.vtex.duration.prices_sync.all"].endswith("|ms")
    assert metrics["airflow.vtex.rate_limited.prices_sync.all"].endswith("|c"), sorted(metrics)
