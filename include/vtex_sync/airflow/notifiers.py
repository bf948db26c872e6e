"""Airflow notifiers: a task failed, or the quarantine grew. Both send through `channels.deliver`."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from airflow.sdk import BaseNotifier

from vtex_sync.alerts.channels import ALERT_CONN_ID, Alert, deliver

WATCH_FLOW = "quarantine_watch"  # state-store run summary holding the last open count per account


class FailureNotifier(BaseNotifier):
    """``on_failure_callback``: which DAG, task and run failed, on which try, and why."""

    template_fields = ("conn_id",)

    def __init__(self, conn_id: str = ALERT_CONN_ID, context: Any = None) -> None:
        super().__init__(context)
        self.conn_id = conn_id

    def alert(self, context: Any) -> Alert:
        ti = context.get("ti") or context.get("task_instance")
        dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
        task_id = getattr(ti, "task_id", "?")
        error = context.get("exception")
        reason = f"{type(error).__name__}: {error}" if error else "see the task log"
        fields = {
            "dag_id": dag_id,
            "task_id": task_id,
            "run_id": context.get("run_id"),
            "try_number": getattr(ti, "try_number", None),
            "reason": reason[:500],
        }
        return Alert(
            f"VTEX: {dag_id}.{task_id} failed", f"Task {task_id} of {dag_id} failed: {reason[:500]}", fields
        )

    def notify(self, context: Any) -> None:
        deliver(self.alert(context), self.conn_id)

    async def async_notify(self, context: Any) -> None:
        await asyncio.to_thread(self.notify, context)


class QuarantineGrowthNotifier(BaseNotifier):
    """``on_success_callback``: alert when open quarantine entries grew by `min_growth` since last time
    (and report the open quarantine and the orders inbox backlog as gauges)."""

    template_fields = ("conn_id",)

    def __init__(self, min_growth: int = 1, conn_id: str = ALERT_CONN_ID, context: Any = None) -> None:
        super().__init__(context)
        self.min_growth = min_growth
        self.conn_id = conn_id

    def check(self, state: Any) -> list[Alert]:
        """Compare each account's open count with the stored one, store the new count, return the alerts."""
        from vtex_sync import metrics
        from vtex_sync.ops.views import accounts, inbox

        alerts = []
        for account in accounts(state):
            held = state.open_quarantine(account)
            metrics.gauge(len(held), "quarantine", "open", account=account)
            metrics.gauge(inbox(state, account).backlog, "inbox", "backlog", account=account)
            previous = next(
                (int(r.summary.get("open", 0)) for r in state.runs(account, WATCH_FLOW, limit=1)), 0
            )
            state.record_run(account, WATCH_FLOW, "latest", {"open": len(held)})
            if len(held) - previous < self.min_growth:
                continue
            rules = Counter(f"{q.entity}/{q.rule}" for q in held).most_common(5)
            alerts.append(
                Alert(
                    f"VTEX {account}: quarantine grew to {len(held):,} (+{len(held) - previous:,})",
                    f"{len(held) - previous:,} more ERP records are held in quarantine; see the VTEX page.",
                    {
                        "account": account,
                        "open": len(held),
                        "before": previous,
                        "top": ", ".join(f"{name} {n}" for name, n in rules),
                    },
                )
            )
        return alerts

    def notify(self, context: Any) -> None:
        from vtex_sync.state import state_store_from_connection

        for alert in self.check(state_store_from_connection()):
            deliver(alert, self.conn_id)

    async def async_notify(self, context: Any) -> None:
        await asyncio.to_thread(self.notify, context)


def failure_alerts() -> dict[str, list[BaseNotifier]]:
    """``default_args`` entry for DAGs without a quarantine of their own: alert on every failed task."""
    return {"on_failure_callback": [FailureNotifier()]}


def alert_callbacks() -> dict[str, list[BaseNotifier]]:
    """``default_args`` entries: alert on every failed task, check quarantine growth after each success."""
    return {"on_failure_callback": [FailureNotifier()], "on_success_callback": [QuarantineGrowthNotifier()]}
