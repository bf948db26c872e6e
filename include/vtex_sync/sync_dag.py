"""The shape shared by the scheduled incremental sync DAGs (cheap to import: DAG files use it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, AssetAlias, CronDataIntervalTimetable, Param, dag, get_current_context, task

from vtex_sync.alerts.deadlines import freshness_deadline
from vtex_sync.alerts.notifiers import alert_callbacks
from vtex_sync.approval import GuardApproval

# a run whose plan trips the blast-radius guard waits this long for an operator, then is rejected
APPROVAL_TIMEOUT = timedelta(hours=6)

DEFAULT_ARGS = {
    "owner": "integration",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    **alert_callbacks(),
}


def sync_dag(*, flow: str, dag_id: str, cron: str, pool: str, tag: str, doc_md: str | None) -> DAG:
    """A DAG that syncs ``flow`` over each run's data interval and publishes its asset
    ``vtex://<account>/<flow>`` through the alias ``vtex_<flow>``. When the blast-radius guard
    trips, the sync writes nothing and the run waits for an operator's approval (with the
    numbers); once approved, ``sync_<flow>_approved`` writes up to exactly those numbers."""
    alias = AssetAlias(f"vtex_{flow}")

    @task(task_id=f"sync_{flow}", pool=pool, outlets=[alias])
    def sync() -> dict:
        from airflow.sdk import Asset

        from vtex_sync.incremental_tasks import asset_uri, run_sync

        context = get_current_context()
        summary = run_sync(
            flow,
            context["params"],
            start=context["data_interval_start"],
            end=context["data_interval_end"],
            run_id=context["run_id"],
            ask_approval=True,
        )
        if not summary.get("blocked"):
            context["outlet_events"][alias].add(Asset(asset_uri(summary["account"], flow)))
        return summary

    @task(task_id=f"sync_{flow}_approved", pool=pool, outlets=[alias])
    def sync_approved() -> dict:
        """The same sync, allowed up to the numbers the operator approved."""
        from airflow.sdk import Asset

        from vtex_sync.incremental_tasks import asset_uri, run_sync

        context = get_current_context()
        blocked = (context["ti"].xcom_pull(task_ids=f"sync_{flow}") or {}).get("blocked") or []
        summary = run_sync(
            flow,
            context["params"],
            start=context["data_interval_start"],
            end=context["data_interval_end"],
            run_id=context["run_id"],
            approved=blocked,
        )
        context["outlet_events"][alias].add(Asset(asset_uri(summary["account"], flow)))
        return summary

    @dag(
        dag_id=dag_id,
        schedule=CronDataIntervalTimetable(cron, timezone="UTC"),
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=2,
        default_args=DEFAULT_ARGS,
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
