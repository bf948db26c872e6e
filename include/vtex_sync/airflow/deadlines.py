"""Deadline alerts for the freshness targets: a run not done within its flow's target raises an alert.

The callback runs in the triggerer (`AsyncCallback`), so it needs the project importable there.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

from vtex_sync.ops.flows import BY_DAG


async def freshness_missed(dag_id: str, target_minutes: int, context: Any = None) -> str:
    """Send the missed-deadline alert; returns what happened (kept with the callback's state)."""
    from vtex_sync.alerts.channels import Alert, deliver

    run_id = (context or {}).get("dag_run", {}).get("run_id") if isinstance(context, dict) else None
    alert = Alert(
        f"VTEX: {dag_id} missed its freshness target ({target_minutes} min)",
        f"A run of {dag_id} was not done {target_minutes} minutes after it was queued: the data in VTEX "
        "may be stale. See the DAG's runs and the VTEX page.",
        {"dag_id": dag_id, "run_id": run_id, "target_minutes": target_minutes},
    )
    sent = await asyncio.to_thread(deliver, alert)
    return "sent" if sent else "no alert connection"


def freshness_deadline(dag_id: str) -> DeadlineAlert | None:
    """A deadline of the flow's freshness target after each run is queued (None: no target)."""
    target = BY_DAG[dag_id].freshness
    if target is None:
        return None
    minutes = int(target / timedelta(minutes=1))
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=target,
        callback=AsyncCallback(freshness_missed, kwargs={"dag_id": dag_id, "target_minutes": minutes}),
        name=f"{dag_id} freshness",
    )
