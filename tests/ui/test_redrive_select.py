"""What a re-drive request turns into: exactly the named open entries, or all of one rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vtex_sync.ops.redrive import RedriveError, by_flow, select
from vtex_sync.state.store import QuarantineRecord

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def held(entity: str, key: str, rule: str) -> QuarantineRecord:
    return QuarantineRecord(entity, key, "f", "v", rule, None, 1, NOW, NOW, False)


OPEN = [held("prices", "A", "negative"), held("prices", "B", "negative"), held("stock", "A|W", "int"),
        held("order", "1-01", "unknown_sku")]


def test_named_records_must_be_in_quarantine_and_readable_by_a_flow() -> None:
    assert select(OPEN, records=[("prices", "B"), ("prices", "B")]) == [("prices", "B")]
    with pytest.raises(RedriveError, match="not in quarantine: prices C"):
        select(OPEN, records=[("prices", "C")])
    with pytest.raises(RedriveError, match="own DAG"):
        select(OPEN, records=[("order", "1-01")])


def test_a_rule_redrives_its_open_entries_of_the_table() -> None:
    assert select(OPEN, rule="negative") == [("prices", "A"), ("prices", "B")]
    assert select(OPEN, rule="int", entity="prices") == []
    assert by_flow([("prices", "A"), ("stock", "A|W")]) == {"prices": {"prices": ["A"]},
                                                            "inventory": {"stock": ["A|W"]}}
