"""What the UI shows of the loading DAGs: the trigger form's fields, the mapped tasks' labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk.exceptions import ParamValidationError

from vtex_sync.steps import STEP_NAMES

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS_FOLDER))


def test_entities_is_a_multi_select_of_the_steps(dagbag: DagBag) -> None:
    param = dagbag.dags["vtex_initial_setup"].params.get_param("entities")
    schema = param.schema
    # Airflow's trigger form renders an array with a list of examples (or an enum) as a
    # multi-select; the items' enum keeps a value typed in the JSON conf to the known steps
    assert schema["type"] == "array" and schema["examples"] == list(STEP_NAMES)
    assert schema["items"]["enum"] == list(STEP_NAMES)
    assert param.resolve(["prices", "inventory"]) == ["prices", "inventory"]
    with pytest.raises(ParamValidationError):
        param.resolve(["prices", "no_such_step"])


def test_every_mapped_task_is_labelled_with_its_batch(dagbag: DagBag) -> None:
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    mapped = [(dag_id, task) for dag_id, dag in dagbag.dags.items() for task in dag.tasks
              if isinstance(task, MappedOperator)]
    assert mapped
    for dag_id, task in mapped:
        template = task.map_index_template
        assert template and "batch" in template and "task.step" in template, f"{dag_id}.{task.task_id}"
