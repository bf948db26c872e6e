"""The VTEX page's FastAPI app, served by the Airflow api-server under ``/vtex/ops``.

Every route needs a user signed in to Airflow (the api-server's own session cookie or bearer
token); starting a re-drive also needs the right to trigger the ``vtex_redrive`` DAG.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import get_user
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field

from vtex_sync.ops import views
from vtex_sync.ops.redrive import REDRIVE_DAG, RedriveError, conf_for, redrivable, select
from vtex_ui import charts
from vtex_ui.state import state_store

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)


ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#f71963" '
    'd="M3 4h18l-3.5 9H14l-2 6-2-6H6.5z"/></svg>'
)


# the signed-in Airflow user, by the api-server's own authentication (session cookie or bearer token)
User = Annotated[BaseUser, Depends(get_user)]


def create_app() -> FastAPI:
    app = FastAPI(title="VTEX operations", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/icon.svg")
    def icon() -> Response:
        return Response(ICON, media_type="image/svg+xml")

    @app.get("/", response_class=HTMLResponse)
    def page(
        user: User,
        account: str | None = None,
        table: Annotated[str | None, Query()] = None,
        rule: Annotated[str | None, Query()] = None,
        text: Annotated[str | None, Query()] = None,
    ) -> str:
        return render_page(
            state_store(), account=account, table=table, rule=rule, text=text, user=user.get_name()
        )

    @app.post("/api/redrive")
    def redrive(body: RedriveRequest, user: User) -> dict[str, Any]:
        _may_trigger(user)
        state = state_store()
        account = body.account or _default_account(state)
        try:
            records = select(
                state.open_quarantine(account), records=body.records, rule=body.rule, entity=body.table
            )
        except RedriveError as error:
            raise HTTPException(status_code=400, detail=str(error)) from error
        if not records:
            raise HTTPException(status_code=400, detail="nothing in quarantine matches")
        run_id = _trigger(records, user.get_name())
        return {"dag_id": REDRIVE_DAG, "dag_run_id": run_id, "records": [list(r) for r in records]}

    return app


class RedriveRequest(BaseModel):
    """Re-drive these (table, key) records, or every open entry of `rule` (optionally of `table`)."""

    account: str | None = None
    records: list[tuple[str, str]] | None = Field(default=None, max_length=5000)
    rule: str | None = None
    table: str | None = None


def _may_trigger(user: Any) -> None:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    allowed = get_auth_manager().is_authorized_dag(
        method="POST", access_entity=DagAccessEntity.RUN, details=DagDetails(id=REDRIVE_DAG), user=user
    )
    if not allowed:
        raise HTTPException(status_code=403, detail=f"not allowed to trigger {REDRIVE_DAG}")


def _trigger(records: list[tuple[str, str]], user: str) -> str:
    from airflow.api.common.trigger_dag import trigger_dag
    from airflow.utils.types import DagRunTriggeredByType

    run = trigger_dag(
        REDRIVE_DAG,
        triggered_by=DagRunTriggeredByType.UI,
        triggering_user_name=user,
        conf=dict(conf_for(records, user)),
        note=f"re-drive of {len(records)} record(s)",
    )
    if run is None:
        raise HTTPException(status_code=500, detail="the re-drive run was not created")
    return str(run.run_id)


def _default_account(state: Any) -> str:
    found = views.accounts(state)
    return found[0] if found else ""


def _ago(delta: Any) -> str:
    if delta is None:
        return "never"
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def _span(delta: Any) -> str:
    """A freshness target as an operator says it: ``15 min``, ``2 h``, ``26 h``."""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes >= 60 and minutes % 60 == 0 else f"{minutes} min"


def render_page(
    state: Any, *, account: str | None, table: str | None, rule: str | None, text: str | None, user: str
) -> str:
    """The whole page, from the state store alone."""
    from vtex_sync.drift import report as drift

    now = datetime.now(UTC)
    known = views.accounts(state)
    account = account or (known[0] if known else "")
    all_open = state.open_quarantine(account)
    in_table = [q for q in all_open if not table or q.entity == table]
    held = views.quarantine(state, account, entity=table, rule=rule, text=text)
    inbox = views.inbox(state, account)
    latest = drift.latest_report(state, account)
    calls_flow, calls = views.last_run_calls(state, account)
    call_rows = [(s.step, {"calls": s.calls, "429 retries": s.rate_limited}) for s in calls]
    return TEMPLATES.get_template("page.html").render(
        now=now,
        user=user,
        account=account,
        accounts=known,
        health=views.flow_health(state, account, now),
        ago=_ago,
        quarantine=held,
        quarantine_total=len(all_open),
        tables=sorted({q.entity for q in all_open}),
        rules=sorted({q.rule for q in all_open}),
        rule_counts=dict(sorted(Counter(q.rule for q in in_table if redrivable(q)).items())),
        redrivable=redrivable,
        span=_span,
        filters={"table": table or "", "rule": rule or "", "text": text or ""},
        waiting=views.waiting(state, account),
        inbox=inbox,
        oldest_age=_ago(now - inbox.oldest_pending) if inbox.oldest_pending else None,
        drift=latest,
        calls_flow=calls_flow,
        calls_chart=charts.bars(call_rows, ("calls", "429 retries")),
        drift_chart=charts.lines(drift.history(state, account)),
    )
