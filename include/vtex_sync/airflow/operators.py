"""The sync-step operator: one step (or one batch of it) of a loading DAG, as a task."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from airflow.sdk import BaseOperator, Context

# the run's data interval, or an open window when the run asks for everything (`full`)
INTERVAL = (
    "{{ '' if params.get('full') else data_interval_start }}",
    "{{ '' if params.get('full') else data_interval_end }}",
)


def _instant(text: str | None) -> datetime | None:
    """A rendered template's datetime; empty (or ``None``) means an open end."""
    if text is None or str(text).strip() in ("", "None"):
        return None
    return datetime.fromisoformat(str(text).strip())


class SyncStepOperator(BaseOperator):
    """
    Run one step of the entity catalogue, e.g. ``step="products"``, over a batch and a window.

    The task's *Rendered Template* view shows exactly what ran: the step, the batch
    ``[index, count]`` and the window's two ends (a window is widened by ``overlap_minutes``
    when it runs; no window means every row).

    :param step: the step's name (``vtex_sync.steps``).
    :param batch: ``[index, count]``, usually mapped from the step's batch plan (templated).
    :param window: ``(since, until)`` as ISO datetimes, templated (e.g. `INTERVAL`); ``None``: all rows.
    :param watermark_of: a flow whose last synced point opens a scheduled run's window instead
        of ``since`` (`vtex_sync.flows.watermark`).
    :return: the step's small summary (counts, first failures, retries).
    """

    template_fields: Sequence[str] = ("step", "batch", "window")
    template_fields_renderers = {"batch": "json", "window": "json"}
    ui_color = "#dbeafe"

    def __init__(
        self,
        *,
        step: str,
        batch: list[Any] | None = None,
        window: Sequence[str | None] | None = None,
        watermark_of: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.step = step
        self.batch = batch
        self.window = window
        self.watermark_of = watermark_of

    def execute(self, context: Context) -> dict[str, Any]:
        from vtex_sync.airflow.stops import expected_stops
        from vtex_sync.airflow.tasks import interval_window, run_step, skip_unless_selected
        from vtex_sync.flows.watermark import run_kind

        params = context["params"]
        skip_unless_selected(self.step, params)
        window = None
        with expected_stops(context.get("ti")):
            if self.window is not None:
                since, until = (_instant(edge) for edge in self.window)
                window = interval_window(since, until, params, watermark_of=self.watermark_of,
                                         kind=run_kind(context))
            return run_step(self.step, params, batch=list(self.batch) if self.batch else None, window=window)

