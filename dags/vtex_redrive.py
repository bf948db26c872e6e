"""
### VTEX re-drive of quarantined records

Started from the *VTEX* page of the Airflow UI (re-drive one record, or every record held by
one rule) once the ERP rows are fixed; it can also be triggered by hand with
`{"records": [["prices", "SKU-1"], ...]}`. Each flow re-reads exactly those ERP rows by key,
validates them again (a row still wrong stays in quarantine, with one more attempt counted)
and sends the valid ones through the normal sync (same guarantees and blast-radius guard).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

from vtex_sync.airflow.notifiers import FailureNotifier
from vtex_sync.ops.flows import FLOW_POOLS


@task(retries=2, retry_delay=timedelta(seconds=30))
def redrive(flow: str) -> dict:
    from vtex_sync.ops.redrive import run_redrive

    params = get_current_context()["params"]
    return run_redrive(flow, params["records"], confirm=bool(params.get("confirm_blast_radius")))


@dag(
    dag_id="vtex_redrive",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=4,
    default_args={"owner": "integration", "retries": 2, "on_failure_callback": [FailureNotifier()]},
    doc_md=__doc__,
    tags=["vtex", "quarantine"],
    params={
        "records": Param(
            [],
            type="array",
            items={"type": "array", "items": {"type": "string"}},
            description="[table, ERP key] pairs to re-drive.",
        ),
        "requested_by": Param("", type="string", description="Who asked for the re-drive."),
        "confirm_blast_radius": Param(
            False, type="boolean", description="Write even if the plan goes past the blast-radius limits."
        ),
    },
)
def vtex_redrive() -> None:
    for flow, pool in FLOW_POOLS.items():
        redrive.override(task_id=f"redrive_{flow}", pool=pool)(flow)


vtex_redrive()
