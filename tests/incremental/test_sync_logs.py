"""What an operator reads in a sync's log: one line when there is nothing to do, retries counted
once by reason (each retry at DEBUG), and a guard stop that names the interval to backfill."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from airflow.sdk.exceptions import AirflowFailException

from tests.incremental.conftest import Shop
from tests.incremental.test_incremental_sync import CHANGED_AT, sync
from vtex_sync.airflow.stops import STOP_POLICY, TaskStop, expected_stops


def product_lines(caplog: pytest.LogCaptureFixture, level: int = logging.INFO) -> list[logging.LogRecord]:
    """The records this product logged at `level` or above."""
    return [r for r in caplog.records if r.levelno >= level
            and (r.name.startswith(("vtex_", "alembic")) or ".vtex_provider." in r.name)]


@pytest.mark.parametrize("flow", ["catalog", "prices", "inventory"])
def test_a_run_with_nothing_to_do_logs_one_line(
    shop: Shop, caplog: pytest.LogCaptureFixture, flow: str
) -> None:
    caplog.set_level(logging.DEBUG)
    sync(flow, datetime.now(UTC), 5)
    lines = [r.getMessage() for r in product_lines(caplog)]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{flow}: rows updated in ") and "nothing to do" in lines[0]


def test_retries_are_counted_once_per_step_by_reason(
    shop: Shop, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = shop.all_rows("prices")
    for row in prices:
        shop.change("prices", [row], CHANGED_AT, base_price=row["base_price"] + 1)
    shop.vtex.post("/_sandbox/faults", json={"rate_429": 0.3, "error_5xx": 0.1}).raise_for_status()
    caplog.set_level(logging.INFO)
    try:
        summary = sync("prices", CHANGED_AT, 5)
    finally:
        shop.vtex.post("/_sandbox/faults", json={"rate_429": 0, "error_5xx": 0}).raise_for_status()
    retried = sum(summary["retries"].values())
    assert retried > 0, "the faults caused no retry"
    captured = capsys.readouterr()
    shown = caplog.text + captured.out + captured.err  # what a task log at INFO holds
    assert "; retry " not in shown, "a retry was logged above DEBUG"
    lines = [r.getMessage() for r in product_lines(caplog) if "retried" in r.getMessage()]
    assert lines == [lines[0]] and lines[0].startswith(f"prices sync: retried {retried:,} call(s) ("), lines
    assert all(f"{reason}: {n}" in lines[0] for reason, n in summary["retries"].items())


def test_a_guard_stop_names_the_interval_to_backfill_with_the_override(shop: Shop) -> None:
    stock = shop.all_rows("stock")
    shop.change("stock", stock, CHANGED_AT, quantity=0, unlimited=False)
    start = CHANGED_AT.replace(minute=6, second=0, microsecond=0)
    with pytest.raises(TaskStop) as stopped, expected_stops():
        from vtex_sync.airflow.sync_tasks import run_sync

        run_sync("inventory", {}, start=start, end=start + timedelta(minutes=2), dag_id="vtex_inventory_sync")
    message = str(stopped.value)
    since = (start - timedelta(minutes=5)).isoformat()
    assert f"backfill {since} .. {(start + timedelta(minutes=2)).isoformat()}" in message
    assert "--dag-id vtex_inventory_sync" in message and "confirm_blast_radius" in message
    assert "stock goes to zero" in message
    assert STOP_POLICY.evaluate(stopped.value, 1, 3).action.value == "fail", "a guard stop was retried"
    assert shop.writes() == 0


def test_a_stop_other_than_the_expected_ones_keeps_its_exception() -> None:
    with pytest.raises(AirflowFailException), expected_stops():
        raise AirflowFailException("a bug, with its stack trace")
