"""A DAG whose one task fails, with the project's alert callbacks (for the alert tests)."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from vtex_sync.airflow.notifiers import alert_callbacks


@task(retries=0)
def breaks() -> None:
    raise RuntimeError("VTEX answered 401 Unauthorized")


@dag(dag_id="alert_probe", schedule=None, start_date=datetime(2026, 1, 1), default_args=alert_callbacks(),
     tags=["vtex"])
def alert_probe() -> None:
    breaks()


alert_probe()
