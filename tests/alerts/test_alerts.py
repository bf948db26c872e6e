"""Alerts reach a local HTTP receiver through the ``vtex_alerts`` connection; none without it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from vtex_sync.airflow.deadlines import freshness_deadline, freshness_missed
from vtex_sync.airflow.notifiers import FailureNotifier, QuarantineGrowthNotifier
from vtex_sync.alerts.channels import Alert, deliver
from vtex_sync.state.store import StateStore


class Receiver:
    """A tiny webhook endpoint that keeps what it was sent."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(json.loads(body))
                outer.headers.append(dict(self.headers))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/vtex"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = Receiver()
    conn = {"conn_type": "http", "host": server.url, "extra": {"headers": {"X-Alert-Key": "k-123"}}}
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_ALERTS", json.dumps(conn))
    yield server
    server.server.shutdown()


def test_nothing_is_sent_without_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_VTEX_ALERTS", raising=False)
    assert deliver(Alert("subject", "text")) is False


def test_quarantine_growth_alerts_once_per_growth(receiver: Receiver, tmp_path: Path) -> None:
    state = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    notifier = QuarantineGrowthNotifier()
    state.quarantine("shop", "prices", "SKU-1", field="base_price", value="-1", rule="negative", message="m")
    assert [a.fields["open"] for a in notifier.check(state)] == [1]
    assert notifier.check(state) == [], "no growth, no alert"
    state.quarantine("shop", "prices", "SKU-2", field="base_price", value="-2", rule="negative", message="m")
    state.quarantine("shop", "stock", "SKU-1|WH", field="quantity", value="x", rule="int", message="m")
    (alert,) = notifier.check(state)
    assert (alert.fields["open"], alert.fields["before"]) == (3, 1)
    assert "prices/negative 2" in alert.fields["top"]
    assert deliver(alert) is True
    assert receiver.received[-1]["subject"] == "VTEX shop: quarantine grew to 3 (+2)"
    assert receiver.headers[-1]["X-Alert-Key"] == "k-123"


def test_missed_freshness_deadline_alerts(receiver: Receiver) -> None:
    deadline = freshness_deadline("vtex_price_sync")
    assert deadline is not None and deadline.interval == timedelta(minutes=30)
    assert freshness_deadline("vtex_initial_setup") is None
    assert asyncio.run(freshness_missed(**deadline.callback.kwargs)) == "sent"
    fields = receiver.received[-1]["fields"]
    assert fields == {"dag_id": "vtex_price_sync", "run_id": None, "target_minutes": 30}


@pytest.mark.airflow_db
def test_a_failed_task_alerts_through_its_notifier(
    receiver: Receiver, airflow_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    probes = Path(__file__).parent / "dags"
    from airflow import settings

    monkeypatch.setattr(settings, "DAGS_FOLDER", str(probes))  # dag.test() runs a DAG of the dags bundle
    dag = DagBag(dag_folder=str(probes / "alert_probe.py")).dags["alert_probe"]
    dag.test()
    (alert,) = receiver.received
    assert alert["subject"] == "VTEX: alert_probe.breaks failed"
    assert "401 Unauthorized" in alert["fields"]["reason"]


def test_failure_alert_names_dag_task_run_and_reason() -> None:
    class Ti:
        dag_id, task_id, try_number = "vtex_price_sync", "sync_prices", 3

    alert = FailureNotifier().alert({"ti": Ti(), "run_id": "scheduled__x", "exception": ValueError("bad")})
    assert alert.fields == {"dag_id": "vtex_price_sync", "task_id": "sync_prices", "run_id": "scheduled__x",
                            "try_number": 3, "reason": "ValueError: bad"}
