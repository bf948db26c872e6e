"""Test-only DAG: eight mapped tasks that each sleep and record which worker ran them."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, get_current_context, task

MAP_COUNT = 8
SLEEP_SECONDS = 2.0


@dag(
    dag_id="deploy_mapped_probe",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["vtex", "test"],
    doc_md=__doc__,
)
def deploy_mapped_probe() -> None:
    @task(retries=0)
    def indexes() -> list[int]:
        return list(range(MAP_COUNT))

    @task(retries=0)
    def record(index: int) -> int:
        import os
        import socket
        import time

        from sqlalchemy import create_engine, text

        conf = get_current_context()["dag_run"].conf
        engine = create_engine(conf["db_url"])
        with engine.begin() as connection:
            started = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
        time.sleep(SLEEP_SECONDS)
        worker = os.environ.get("VTEX_WORKER_NAME") or socket.gethostname()
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO probe_runs (map_index, worker, pid, started_at, finished_at)"
                    " VALUES (:index, :worker, :pid, :started, clock_timestamp())"
                ),
                {"index": index, "worker": worker, "pid": os.getpid(), "started": started},
            )
        engine.dispose()
        return index

    record.expand(index=indexes())


deploy_mapped_probe()
