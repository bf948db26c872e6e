"""Every DAG file parses without errors and follows the project's conventions."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS_FOLDER))


def test_dag_folder_imports_without_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}


def test_every_dag_is_documented_tagged_and_retried(dagbag: DagBag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md, f"{dag_id} has no doc_md"
        assert "vtex" in dag.tags, f"{dag_id} lacks the 'vtex' tag"
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_dag_files_are_cheap_to_parse() -> None:
    started = time.monotonic()
    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    elapsed = time.monotonic() - started
    assert bag.import_errors == {}
    assert elapsed < 5, f"parsing the DAG folder took {elapsed:.1f}s"
