"""The DAG builders the thin DAG files call (cheap to import: no I/O, no heavy modules)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import (
    DAG,
    AssetAlias,
    CronDataIntervalTimetable,
    Param,
    TaskGroup,
    dag,
    get_current_context,
    task,
)

from vtex_sync.airflow.approval import GuardApproval
from vtex_sync.airflow.bulk import BULK_STEPS, BulkStepOperator
from vtex_sync.airflow.deadlines import freshness_deadline
from vtex_sync.airflow.notifiers import alert_callbacks, failure_alerts
from vtex_sync.airflow.operators import SyncStepOperator
from vtex_sync.entities import Flow, Step, flow_pool

# every failed task alerts through the vtex_alerts connection (nothing is sent without it)
DEFAULT_ARGS = {
    "owner": "integration", "retries": 2, "retry_delay": timedelta(seconds=30), **failure_alerts()
}


def orders_args(retry_delay: timedelta) -> dict[str, Any]:
    """``default_args`` of the orders DAGs: the shared defaults, in the ``vtex_orders`` pool."""
    return {**DEFAULT_ARGS, "retry_delay": retry_delay, "pool": "vtex_orders"}


# the incremental syncs alert on a failed task and on quarantine growth
SYNC_ARGS = {**DEFAULT_ARGS, **alert_callbacks()}
# a run whose plan trips the blast-radius guard waits this long for an operator, then is rejected
APPROVAL_TIMEOUT = timedelta(hours=6)


@task(retries=2)
def plan_batches(step: str) -> list[list[int]]:
    """``[index, count]`` for every batch of a batched step."""
    from vtex_sync.airflow.tasks import plan_batches as plan

    return plan(step, get_current_context()["params"])


def add_steps(
    steps: Sequence[Step], *, window: Sequence[str] | None = None, after: Any = None,
    watermark_of: str | None = None,
) -> list[Any]:
    """One `SyncStepOperator` per step, in its task group and pool, each after the steps it
    waits for (`Step.upstream`: those writing its parents), so steps hanging off the same parent
    run side by side; a step waiting for none of these steps follows `after`. A batched step is
    mapped over its batch plan. Returns the step tasks in VTEX's order (for a summary).
    `watermark_of`: see `SyncStepOperator`."""
    runs: dict[str, Any] = {}
    groups: dict[str, TaskGroup] = {}
    for step in steps:
        group = groups.get(step.group) or groups.setdefault(step.group, TaskGroup(step.group))
        with group:
            run: Any
            head: Any
            if step.batched and window is None and watermark_of is None and step.name in BULK_STEPS:
                # prices and stock: deferrable, waits for VTEX batch files in the triggerer
                head = plan_batches.override(task_id=f"{step.name}_batches")(step.name)
                run = BulkStepOperator.partial(task_id=step.name, pool=step.pool, step=step.name).expand(
                    batch=head
                )
            elif step.batched:
                head = plan_batches.override(task_id=f"{step.name}_batches")(step.name)
                run = SyncStepOperator.partial(
                    task_id=step.name, pool=step.pool, step=step.name, window=window,
                    watermark_of=watermark_of,
                ).expand(batch=head)
            else:
                run = head = SyncStepOperator(
                    task_id=step.name, pool=step.pool, step=step.name, window=window,
                    watermark_of=watermark_of,
                )
        upstream = [runs[name] for name in step.upstream if name in runs]
        if upstream:
            upstream >> head
        elif after is not None:
            after >> head
        runs[step.name] = run
    return list(runs.values())


def check_vtex() -> Any:
    """A first task that reads the trade policies: wrong credentials stop the run before any step."""
    from vtex_provider.operators.vtex import VtexOperator

    return VtexOperator(
        task_id="check_vtex", api="catalog", method="list_trade_policies", retries=1, do_xcom_push=False
    )


@task(retries=1)
def duplicates() -> dict[str, Any]:
    """Report SKU images and specification values VTEX holds twice; with the param
    ``remove_duplicates`` the extra copies are retired (images removed, values deactivated)."""
    from vtex_sync.airflow.tasks import sweep_duplicates

    return sweep_duplicates(get_current_context()["params"])


@task(retries=1)
def summary(results: list[Any], flow: str) -> dict[str, Any]:
    """The run's per-entity table, logged and kept in the state store."""
    from vtex_sync.airflow.tasks import summarise

    context = get_current_context()
    return summarise(results, flow=flow, run_id=context["run_id"], params=context["params"])


@task(retries=1)
def mark_synced(flow: str) -> None:
    """Last task of a run that read from `flow`'s watermark: move it to the interval's end."""
    from vtex_sync.airflow.tasks import advance_watermark
    from vtex_sync.flows.watermark import run_kind

    context = get_current_context()
    advance_watermark(flow, context.get("data_interval_end"), context["params"], run_kind(context))


def sync_dag(*, flow: str, dag_id: str, cron: str, tag: str, doc_md: str | None) -> DAG:
    """A DAG that syncs ``flow`` over each run's data interval (in the pool of the flow's
    entities) and publishes its asset ``vtex://<account>/<flow>`` through the alias
    ``vtex_<flow>``. When the blast-radius guard trips, the sync writes nothing and the run
    waits for an operator's approval (with the numbers); once approved,
    ``sync_<flow>_approved`` writes up to exactly those numbers."""
    alias = AssetAlias(f"vtex_{flow}")
    pool = flow_pool(Flow(flow))

    def _run(approved: bool) -> dict[str, Any]:
        from airflow.sdk import Asset

        from vtex_sync.airflow.sync_tasks import asset_uri, run_sync

        context = get_current_context()
        start, end = context["data_interval_start"], context["data_interval_end"]
        if start is None or end is None:
            raise ValueError(f"{dag_id}: a sync run needs a data interval")
        from vtex_sync.flows.watermark import run_kind

        blocked = None
        if approved:
            blocked = (context["ti"].xcom_pull(task_ids=f"sync_{flow}") or {}).get("blocked") or []
        result = run_sync(
            flow,
            context["params"],
            start=start,
            end=end,
            run_id=context["run_id"],
            kind=run_kind(context),
            ask_approval=not approved,
            approved=blocked,
        )
        if not result.get("blocked"):
            context["outlet_events"][alias].add(Asset(asset_uri(result["account"], flow)))
        return result

    @task(task_id=f"sync_{flow}", pool=pool, outlets=[alias])
    def sync() -> dict[str, Any]:
        return _run(approved=False)

    @task(task_id=f"sync_{flow}_approved", pool=pool, outlets=[alias])
    def sync_approved() -> dict[str, Any]:
        """The same sync, allowed up to the numbers the operator approved."""
        return _run(approved=True)

    @dag(
        dag_id=dag_id,
        schedule=CronDataIntervalTimetable(cron, timezone="UTC"),
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=2,
        default_args=SYNC_ARGS,
        doc_md=doc_md,
        deadline=freshness_deadline(dag_id),
        tags=["vtex", "incremental", tag],
        params={
            "confirm_blast_radius": Param(
                False, type="boolean", description="Write even if the plan goes past the blast-radius limits."
            ),
        },
    )
    def build() -> None:
        approve = GuardApproval(
            task_id=f"approve_{flow}",
            flow=flow,
            sync_task_id=f"sync_{flow}",
            defaults="Reject",
            response_timeout=APPROVAL_TIMEOUT,
        )
        sync() >> approve >> sync_approved()

    return build()
