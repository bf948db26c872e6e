"""What the reconcile DAG's tasks call: check one group's slice, repair if asked, store the report."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vtex_sync import metrics
from vtex_sync.drift import report as rep
from vtex_sync.drift.reconcile import ENTITIES, Group, check_entity

log = logging.getLogger(__name__)


def reconcile_group(group: str, params: Mapping[str, Any], *, day: datetime) -> dict[str, Any]:
    """Compare `group`'s entities in the day's slice with VTEX; repair them when ``params["repair"]``."""
    from vtex_sync.airflow.connections import build_context, load_settings
    from vtex_sync.flows.incremental import total_counts
    from vtex_sync.flows.report import format_counts

    ctx = build_context(settings=load_settings())
    part = rep.Slice.for_date(day, int(params.get("slices") or 1))
    checks = [check_entity(ctx, entity, part) for entity in ENTITIES[Group(group)]]
    result = rep.build_part(ctx.state, ctx.account, checks, part)
    for check in checks:
        metrics.gauge(len(check.drifted), "drift", check.entity, "drifted")
        metrics.gauge(check.checked, "drift", check.entity, "checked")
        log.info(
            "reconcile %s (slice %d/%d): checked %s of %s | drifted %s | not in VTEX %s | unreadable %s",
            check.entity,
            part.index + 1,
            part.count,
            f"{check.checked:,}",
            f"{check.total:,}",
            f"{len(check.drifted):,}",
            f"{check.not_in_vtex:,}",
            f"{check.unreadable:,}",
        )
        for record in check.drifted[: rep.MAX_EXAMPLES]:
            for drift in record.fields:
                log.info(
                    "drift %s %s: %s ERP %r, VTEX %r",
                    check.entity,
                    record.key,
                    drift.field,
                    drift.erp,
                    drift.vtex,
                )
    if params.get("repair"):
        from vtex_sync.drift.repair import repair

        drifted = {c.entity: [d.key for d in c.drifted] for c in checks}
        outcomes = repair(ctx, Group(group), drifted, confirm=bool(params.get("confirm_blast_radius")))
        totals = total_counts(outcomes)
        log.info("repair %s: %s", group, format_counts(totals))
        result["repaired"] = {group: totals}
    return result


def store(parts: list[Mapping[str, Any]], *, run_id: str) -> dict[str, Any]:
    """Merge the groups' parts into one report, keep it in the state store and log it."""
    from vtex_sync.airflow.connections import build_context

    report = rep.merge_parts(parts)
    ctx = build_context(dry_run=True)
    rep.store_report(ctx.state, ctx.account, run_id, report)
    share = report["checked_share"]
    log.info(
        "drift report %s: checked %s records (%.0f%% of the store), %s drifted",
        run_id,
        f"{report['checked']:,}",
        share * 100,
        f"{report['drifted']:,}",
    )
    return {k: report[k] for k in ("slice", "checked", "drifted", "checked_share")}
