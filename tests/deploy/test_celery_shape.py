"""End to end: the CeleryExecutor shape spreads a mapped task over two workers, once per index."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.deploy.services import missing_services
from vtex_local.shape import ProductionShape

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parents[1]
MAP_COUNT = 8
SLEEP_SECONDS = 2.0



def test_celery_executor_imports_with_the_pinned_celery() -> None:
    """Workers crash at start when the celery provider and celery disagree (fast, explicit check)."""
    import importlib

    importlib.import_module("airflow.providers.celery.executors.celery_executor_utils")



@pytest.fixture(scope="module")
def shape():
    missing = missing_services()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not listening on 127.0.0.1")
    with ProductionShape(HERE / "dags", PROJECT_DIR / "airflow_settings.yaml", workers=2) as running:
        yield running


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(600)
def test_mapped_tasks_run_once_each_across_both_workers(shape: ProductionShape) -> None:
    engine = create_engine(shape.state_db_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE probe_runs (map_index integer UNIQUE NOT NULL, worker text NOT NULL,"
                " pid integer NOT NULL, started_at timestamptz NOT NULL, finished_at timestamptz NOT NULL)"
            )
        )

    run_id = shape.trigger("deploy_mapped_probe", {"db_url": shape.state_db_url})
    state = shape.wait("deploy_mapped_probe", run_id, timeout=300)
    if state != "success":
        shape.print_logs()
    assert state == "success"

    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT map_index, worker, pid, extract(epoch FROM started_at),"
                " extract(epoch FROM finished_at) FROM probe_runs ORDER BY map_index"
            )
        ).all()
    engine.dispose()

    assert [row[0] for row in rows] == list(range(MAP_COUNT))
    workers = {row[1] for row in rows}
    assert len(workers) == 2, f"expected both workers to run tasks, got {sorted(workers)}"
    assert all(worker.endswith(f"_{shape.name}") for worker in workers)
    assert len({row[2] for row in rows}) > 1

    intervals = [(float(row[3]), float(row[4])) for row in rows]
    wall = max(end for _, end in intervals) - min(start for start, _ in intervals)
    assert _max_overlap(intervals) >= 3, "mapped tasks did not overlap"
    assert wall < 0.6 * MAP_COUNT * SLEEP_SECONDS, f"{MAP_COUNT} x {SLEEP_SECONDS}s took {wall:.1f}s"

    mapped = [ti for ti in shape.task_instances("deploy_mapped_probe", run_id) if ti["task_id"] == "record"]
    assert sorted(ti["map_index"] for ti in mapped) == list(range(MAP_COUNT))
    assert {ti["state"] for ti in mapped} == {"success"}
    assert all(ti["try_number"] == 1 for ti in mapped)
