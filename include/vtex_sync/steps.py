"""The loading DAGs' steps in VTEX's documented order, derived from the entity catalogue
(constants only: DAG files import this)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from vtex_sync.entities import ALL_STEPS, CUSTOMER_GROUP, Step

__all__ = ["CUSTOMER_STEPS", "STEPS", "STEP_NAMES", "Step", "in_step_order"]

STEPS: tuple[Step, ...] = tuple(s for s in ALL_STEPS if s.group != CUSTOMER_GROUP)
CUSTOMER_STEPS: tuple[Step, ...] = tuple(s for s in ALL_STEPS if s.group == CUSTOMER_GROUP)
STEP_NAMES = tuple(s.name for s in STEPS)
BY_NAME: dict[str, Step] = {s.name: s for s in ALL_STEPS}

V = TypeVar("V")


def in_step_order(by_step: Mapping[str, V]) -> dict[str, V]:
    """The same mapping with its keys (steps, or the entities of a step that writes several) in
    the order the steps run, a step's entities in catalogue order (unknown keys last)."""
    order: dict[str, tuple[int, int]] = {step.name: (index, -1) for index, step in enumerate(ALL_STEPS)}
    for index, step in enumerate(ALL_STEPS):
        for position, entity in enumerate(step.entities):
            order.setdefault(entity, (index, position))
    last = (len(ALL_STEPS), 0)
    return dict(sorted(by_step.items(), key=lambda item: order.get(item[0], last)))
