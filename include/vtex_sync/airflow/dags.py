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
    TriggerRule,
    dag,
    get_current_context,
    task,
)

from vtex_sync.airflow.approval import GuardApproval
from vtex_sync.airflow.bulk import BULK_STEPS, BulkStepOperator
from vtex_sync.airflow.deadlines import freshness_deadline
from vtex_sync.airflow.notifiers import alert_callbacks, failure_alerts
from vtex_sync.airflow.operators import SyncStepOperator
from vtex_sync.airflow.stops import STOP_POLICY
from vtex_sync.entities import Flow, Step, flow_pool

# every failed task alerts through the vtex_alerts connection (nothing is sent without it); an
# expected stop (refused credentials, the guard) fails at once (`vtex_sync.airflow.stops`)
DEFAULT_ARGS = {
    "owner": "integration", "retries": 2, "retry_delay": timedelta(seconds=30),
    "retry_policy": STOP_POLICY, **failure_alerts(),
}


def orders_args(retry_delay: timedelta) -> dict[str, Any]:
    """``default_args`` of the orders DAGs: the shared defaults, in the ``vtex_orders`` pool."""
    return {**DEFAULT_ARGS, "retry_delay": retry_delay, "pool": "vtex_orders"}


# the incremental syncs alert on a failed task and on quarantine growth
SYNC_ARGS = {**DEFAULT_ARGS, **alert_callbacks()}
# a run whose plan trips the blast-radius guard waits this long for an operator, then is rejected
APPROVAL_TIMEOUT = timedelta(hours=6)


# a step's tasks run when the steps before them succeeded or were left out (skipped)
STEP_RULE = TriggerRule.NONE_FAILED
# how a mapped step task is labelled in the grid, e.g. "skus batch 2/5 (dry run)"
BATCH_LABEL = (
    "{{ task.step }} batch {{ task.batch[0] + 1 }}/{{ task.batch[1] }}"
    "{{ ' (dry run)' if params.get('dry_run') else '' }}"
)


@task(retries=2)
def plan_batches(step: str) -> list[list[int]]:
    """``[index, count]`` for every batch of a batched step (skipped when the run leaves it out)."""
    from vtex_sync.airflow.tasks import plan_batches as plan
    from vtex_sync.airflow.tasks import skip_unless_selected

    params = get_current_context()["params"]
    skip_unless_selected(step, params)
    return plan(step, params)


def first_in_pool(step: Step) -> dict[str, Any]:
    """A step's pool slots go first to the steps most others wait for (`Step.priority`): SKUs
    before the trade policies that share their pool."""
    return {"priority_weight": step.priority, "weight_rule": "absolute"}


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
            if step.batched:
                plan = plan_batches.override(task_id=f"{step.name}_batches", trigger_rule=STEP_RULE)
                head = plan(step.name)
            if step.batched and window is None and watermark_of is None and step.name in BULK_STEPS:
                # prices and stock: deferrable, waits for VTEX batch files in the triggerer
                run = BulkStepOperator.partial(
                    task_id=step.name, pool=step.pool, step=step.name, trigger_rule=STEP_RULE,
                    map_index_template=BATCH_LABEL, **first_in_pool(step),
                ).expand(batch=head)
            elif step.batched:
                run = SyncStepOperator.partial(
                    task_id=step.name, pool=step.pool, step=step.name, window=window,
                    watermark_of=watermark_of, trigger_rule=STEP_RULE, map_index_template=BATCH_LABEL,
                    **first_in_pool(step),
                ).expand(batch=head)
            else:
                run = head = SyncStepOperator(
                    task_id=step.name, pool=step.pool, step=step.name, window=window,
                    watermark_of=watermark_of, trigger_rule=STEP_RULE, **first_in_pool(step),
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
    from vtex_sync.airflow.check import VtexCheckOperator

    return VtexCheckOperator(
        task_id="check_vtex", api="catalog", method="list_trade_policies", retries=1, do_xcom_push=False
    )


@task(retries=1, trigger_rule=STEP_RULE)
def duplicates() -> dict[str, Any]:
    """Report SKU images and specification values VTEX holds twice; with the param
    ``remove_duplicates`` the extra copies are retired (images removed, values deactivated)."""
    from vtex_sync.airflow.tasks import sweep_duplicates

    return sweep_duplicates(get_current_context()["params"])


@task(retries=1, trigger_rule=TriggerRule.ALL_DONE)
def _summary(step_ids: list[str], flow: str) -> dict[str, Any]:
    """The run's per-entity table, logged and kept in the state store. Runs whatever the steps
    did: a step failed on its records pushed its counts before failing, and the tasks that failed
    are listed (the run itself still fails)."""
    from vtex_sync.airflow.tasks import step_results, summarise

    context = get_current_context()
    results, failed = step_results(context, step_ids)
    return summarise(results, flow=flow, run_id=context["run_id"], params=context["params"],
                     failed_tasks=failed)


def summary(steps: Sequence[Any], flow: str) -> Any:
    """The `summary` task after every step task in `steps` (it reads their results itself, from
    the ones that ran, so a step that did not run leaves no gap to look up)."""
    task_ids = [step.task_id for step in steps]
    report = _summary.override(task_id="summary")(task_ids, flow)
    list(steps) >> report
    return report


@task(retries=1, trigger_rule=STEP_RULE)
def mark_setup_synced() -> list[str]:
    """Last task of a successful initial setup: every incremental flow whose steps all ran is
    synced up to the run's start, so its first scheduled run reads from there."""
    from vtex_sync.airflow.tasks import advance_setup_watermarks

    context = get_current_context()
    dag_run = context["dag_run"]
    return advance_setup_watermarks(context["params"], dag_run.start_date or dag_run.run_after)


@task(task_id="dry_run", retries=1)
def dry_run_marker() -> str:
    """Succeeds only in a dry run (skipped otherwise), so a dry run stands out in the grid."""
    from airflow.sdk.exceptions import AirflowSkipException

    if not get_current_context()["params"].get("dry_run"):
        raise AirflowSkipException("not a dry run: this run writes to VTEX")
    return "dry run: planning only, no write call to VTEX"


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
    ``vtex_<flow>`` (task ``publish_<flow>``, one run at a time). When the blast-radius guard
    trips, the sync writes nothing and the run waits for an operator's approval (with the
    numbers); once approved, ``sync_<flow>_approved`` writes up to exactly those numbers."""
    alias = AssetAlias(f"vtex_{flow}")
    pool = flow_pool(Flow(flow))

    def _run(approved: bool) -> dict[str, Any]:
        from vtex_sync.airflow.stops import expected_stops
        from vtex_sync.airflow.sync_tasks import run_sync
        from vtex_sync.flows.watermark import run_kind

        context = get_current_context()
        # a run triggered without a logical date has no data interval: it reads from the
        # watermark to now
        start, end = context.get("data_interval_start"), context.get("data_interval_end")
        blocked = None
        if approved:
            blocked = (context["ti"].xcom_pull(task_ids=f"sync_{flow}") or {}).get("blocked") or []
        with expected_stops(context.get("ti")):
            return run_sync(
                flow,
                context["params"],
                start=start,
                end=end,
                run_id=context["run_id"],
                kind=run_kind(context),
                ask_approval=not approved,
                approved=blocked,
                dag_id=dag_id,
            )

    @task(task_id=f"sync_{flow}", pool=pool)
    def sync() -> dict[str, Any]:
        return _run(approved=False)

    @task(task_id=f"sync_{flow}_approved", pool=pool)
    def sync_approved() -> dict[str, Any]:
        """The same sync, allowed up to the numbers the operator approved."""
        return _run(approved=True)

    # one publication at a time across the DAG's runs: the first event of an account creates the
    # asset, and two runs creating it at once make Airflow fail one of them
    @task(task_id=f"publish_{flow}", outlets=[alias], max_active_tis_per_dag=1,
          trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    def publish() -> str:
        """Publish ``vtex://<account>/<flow>`` for what the run synced (nothing when the operator
        did not approve a run the guard stopped)."""
        from airflow.sdk import Asset
        from airflow.sdk.exceptions import AirflowSkipException

        from vtex_sync.airflow.sync_tasks import asset_uri
        from vtex_sync.airflow.tasks import task_states

        context = get_current_context()
        approved = f"sync_{flow}_approved"
        wrote = task_states(context, [approved]).get((approved, -1)) == "success"
        result = context["ti"].xcom_pull(task_ids=approved if wrote else f"sync_{flow}") or {}
        if not result or result.get("blocked"):
            raise AirflowSkipException("the guard stopped the run and it was not approved: nothing synced")
        uri = asset_uri(result["account"], flow)
        context["outlet_events"][alias].add(Asset(uri))
        return uri

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
        first, second = sync(), sync_approved()
        first >> approve >> second
        [first, second] >> publish()

    return build()
