"""Approval instead of a hard stop: when the blast-radius guard trips, the run waits for an
operator in the Airflow UI (human-in-the-loop), with the numbers, then goes on or stops.

The sync task writes nothing when the guard trips and returns the breaches; `GuardApproval`
asks for them to be approved (it skips itself when nothing tripped), and the task after it runs
the same sync allowed to go up to exactly the approved numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator


def describe(flow: str, blocked: Sequence[Mapping[str, Any]]) -> str:
    """The approval's body (Markdown): each limit with its numbers."""
    lines = [
        f"The **{flow}** sync stopped before writing anything: its plan goes past the blast-radius limits.",
        "",
    ]
    for b in blocked:
        share = b["count"] / b["total"] if b["total"] else 0
        lines.append(
            f"- {b['what']}: **{b['count']:,}** of {b['total']:,} ({share:.0%}), limit {b['limit']:.0%}"
        )
    lines += ["", "Approve to write up to these numbers; reject to leave VTEX as it is."]
    return "\n".join(lines)


class GuardApproval(ApprovalOperator):
    """Waits for *Approve* or *Reject* on the breaches the `sync_task_id` task returned."""

    def __init__(self, *, flow: str, sync_task_id: str, **kwargs: Any) -> None:
        super().__init__(subject=f"Approve the {flow} sync past its blast-radius limits?", **kwargs)
        self.flow = flow
        self.sync_task_id = sync_task_id

    def execute(self, context: Any) -> Any:
        from airflow.sdk.exceptions import AirflowSkipException

        summary = context["ti"].xcom_pull(task_ids=self.sync_task_id) or {}
        blocked = summary.get("blocked") or []
        if not blocked:
            raise AirflowSkipException("the blast-radius guard passed: nothing to approve")
        self.body = describe(self.flow, blocked)
        return super().execute(context)
