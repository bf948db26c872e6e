"""An approval lets a run go up to the approved numbers, never past them."""

from __future__ import annotations

import pytest

from vtex_sync.airflow.approval import describe
from vtex_sync.flows.guard import BlastRadiusExceeded, Breach, enforce

MOVES = "SKUs whose base price moves more than 50%"


def test_approved_breaches_let_the_run_write_up_to_their_numbers() -> None:
    approved = [Breach(MOVES, 30, 32, 0.2)]
    enforce("prices", [Breach(MOVES, 30, 32, 0.2)], confirm=approved)
    enforce("prices", [Breach(MOVES, 12, 32, 0.2)], confirm=approved)
    with pytest.raises(BlastRadiusExceeded):
        enforce("prices", [Breach(MOVES, 31, 32, 0.2)], confirm=approved)
    with pytest.raises(BlastRadiusExceeded):
        enforce("prices", [Breach("SKUs whose stock goes to zero", 9, 32, 0.2)], confirm=approved)
    with pytest.raises(BlastRadiusExceeded):
        enforce("prices", [Breach(MOVES, 30, 32, 0.2)], confirm=[])


def test_breaches_round_trip_and_read_as_numbers() -> None:
    breach = Breach(MOVES, 30, 32, 0.2)
    assert Breach.from_dict(breach.as_dict()) == breach
    assert "**30** of 32 (94%), limit 20%" in describe("prices", [breach.as_dict()])
