"""The plan/apply engine's guarantees, with a real state store and a scripted VTEX."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from vtex_provider.exceptions import VtexAmbiguousWriteError
from vtex_sync.entities import Entity
from vtex_sync.executor import Executor
from vtex_sync.flows.engine import EntityReport, EntitySpec, apply, plan
from vtex_sync.state import StateStore


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    parent: str | None = None


@dataclass
class FakeVtex:
    """Objects by id; `lose_next` makes the next create succeed but answer with a lost response."""

    objects: dict[int, dict] = field(default_factory=dict)
    creates: int = 0
    updates: list[tuple[int, dict]] = field(default_factory=list)
    lose_next: int = 0

    def create(self, payload: dict) -> int:
        self.creates += 1
        new_id = len(self.objects) + 1
        self.objects[new_id] = dict(payload)
        if self.lose_next:
            self.lose_next -= 1
            raise VtexAmbiguousWriteError("POST", "/api/catalog/pvt/brand", None, None, "lost response")
        return new_id

    def find(self, name: str) -> int | None:
        return next((i for i, o in self.objects.items() if o["Name"] == name), None)


@dataclass
class Ctx:
    state: StateStore
    clients: FakeVtex
    account: str = "shop"
    executor: Executor = field(default_factory=lambda: Executor(1))
    dry_run: bool = False


BRAND = Entity("brand", "brands", ("code",), "brands", "catalog", "vtex_catalog")
PRODUCT = Entity(
    "product", "products", ("code",), "products", "catalog", "vtex_catalog", parents={"parent": "brand"}
)

SPEC = EntitySpec(
    BRAND,
    build=lambda r, ids: {"Name": r.name, "Text": "", "Active": True},
    create=lambda vtex, payload: vtex.create(payload),
    update=lambda vtex, vid, payload: vtex.updates.append((int(vid), payload)),
    lookup=lambda vtex, payload: vtex.find(payload["Name"]),
)
CHILD = EntitySpec(
    PRODUCT,
    build=lambda r, ids: {"Name": r.name, "BrandId": int(ids["brand"])},
    create=lambda vtex, payload: vtex.create(payload),
)


@pytest.fixture
def ctx(tmp_path: Path) -> Ctx:
    return Ctx(StateStore(f"sqlite:///{tmp_path / 'state.db'}"), FakeVtex())


def run(ctx: Ctx, spec: EntitySpec, rows: list[Row]) -> EntityReport:
    return apply(ctx, spec, plan(ctx, spec, rows))


def test_id_map_is_written_as_vtex_answers(ctx: Ctx) -> None:
    run(ctx, SPEC, [Row("B1", "Acme"), Row("B2", "Zeta")])
    bound = ctx.state.bindings("shop", "brand")
    assert {k: b.vtex_id for k, b in bound.items()} == {"B1": "1", "B2": "2"}


def test_lost_create_is_found_by_lookup_not_created_again(ctx: Ctx) -> None:
    ctx.clients.lose_next = 1
    outcome = run(ctx, SPEC, [Row("B1", "Acme")])
    assert outcome.counts["created"] == 1 and ctx.clients.creates == 1
    assert ctx.state.get_binding("shop", "brand", "B1").vtex_id == "1"
    assert ctx.state.intents("shop", "brand") == []


def test_crash_after_create_is_bound_on_the_next_run(ctx: Ctx) -> None:
    """An intent left by a crash makes the next run look the record up before creating it."""
    ctx.clients.objects[7] = {"Name": "Acme"}  # created by the run that crashed
    ctx.state.add_intent("shop", "brand", "B1", {})
    run(ctx, SPEC, [Row("B1", "Acme")])
    assert ctx.clients.creates == 0
    assert ctx.state.get_binding("shop", "brand", "B1").vtex_id == "7"


def test_unchanged_records_make_no_call_and_changes_send_the_whole_object(ctx: Ctx) -> None:
    run(ctx, SPEC, [Row("B1", "Acme")])
    assert run(ctx, SPEC, [Row("B1", "Acme")]).counts["unchanged"] == 1
    assert ctx.clients.creates == 1 and ctx.clients.updates == []
    run(ctx, SPEC, [Row("B1", "Acme Inc")])
    assert ctx.clients.updates == [(1, {"Name": "Acme Inc", "Text": "", "Active": True})]


def test_child_waits_for_its_parent_and_lands_when_it_does(ctx: Ctx) -> None:
    first = run(ctx, CHILD, [Row("P1", "Shoe", parent="B1")])
    assert first.counts["waiting_parent"] == 1 and ctx.clients.creates == 0
    assert ctx.state.get_binding("shop", "product", "P1").status == "waiting_parent"
    run(ctx, SPEC, [Row("B1", "Acme")])
    second = run(ctx, CHILD, [Row("P1", "Shoe", parent="B1")])
    assert second.counts["created"] == 1
    assert ctx.clients.objects[2] == {"Name": "Shoe", "BrandId": 1}


def test_one_failing_record_does_not_stop_the_others(ctx: Ctx) -> None:
    ctx.clients.lose_next = 2  # B1's create and its retry are both lost, and no lookup finds "x"
    spec = EntitySpec(**{**SPEC.__dict__, "lookup": lambda vtex, payload: None})
    outcome = run(ctx, spec, [Row("B1", "Acme"), Row("B2", "Zeta")])
    assert outcome.counts["failed"] == 1 and outcome.counts["created"] == 1
    assert outcome.failures[0].key == "B1"
    assert ctx.state.intents("shop", "brand")[0].erp_key == "B1", "the intent stays for the next run"


def test_task_results_stay_small(ctx: Ctx) -> None:
    spec = EntitySpec(**{**SPEC.__dict__, "create": lambda vtex, payload: 1 / 0})
    outcome = run(ctx, spec, [Row(f"B{i}", f"Brand {i}") for i in range(500)])
    assert outcome.counts["failed"] == 500
    assert len(json.dumps(outcome.as_dict())) < 5_000


def test_a_record_whose_lease_another_writer_holds_is_bound_to_what_that_writer_made(ctx: Ctx) -> None:
    """The chunk takes the leases it can; a record leased by another writer waits for it on the
    one-record path and binds the other writer's object instead of creating one."""
    other = threading.Event()

    def other_writer() -> None:
        with ctx.state.create_lease("shop", "brand", "B2", owner="other"):
            other.set()
            time.sleep(0.5)
            ctx.clients.objects[99] = {"Name": "Zeta"}
            ctx.state.bind("shop", "brand", "B2", 99, payload_hash="theirs", clear_intent=True)

    thread = threading.Thread(target=other_writer)
    thread.start()
    other.wait(5)
    outcome = run(ctx, SPEC, [Row("B1", "Acme"), Row("B2", "Zeta"), Row("B3", "Omega")])
    thread.join(5)

    assert outcome.counts["created"] == 3 and ctx.clients.creates == 2  # B2 was not created again
    bound = {k: b.vtex_id for k, b in ctx.state.bindings("shop", "brand").items()}
    assert bound["B2"] == "99" and bound["B1"] and bound["B3"] and bound["B1"] != bound["B3"]
    assert ctx.state.intents("shop", "brand") == [] and ctx.state.lease_holder("shop", "brand", "B1") is None


def test_a_chunk_whose_answers_were_never_bound_is_found_on_the_next_run(ctx: Ctx, monkeypatch) -> None:
    """A writer that dies after VTEX answered and before the chunk is bound leaves the intents:
    the next run looks each record up and binds it, creating nothing again."""
    from vtex_sync.state.store import StateStore

    monkeypatch.setattr(StateStore, "finish_writes", lambda *a, **k: (_ for _ in ()).throw(SystemExit))
    with pytest.raises(SystemExit):
        run(ctx, SPEC, [Row("B1", "Acme"), Row("B2", "Zeta")])
    monkeypatch.undo()
    assert {i.erp_key for i in ctx.state.intents("shop", "brand")} == {"B1", "B2"}
    with ctx.state.engine.begin() as conn:  # the dead writer's leases run out
        conn.exec_driver_sql("UPDATE state_create_leases SET expires_at = '2000-01-01 00:00:00.000000'")

    run(ctx, SPEC, [Row("B1", "Acme"), Row("B2", "Zeta")])
    assert ctx.clients.creates == 2
    assert {k: b.vtex_id for k, b in ctx.state.bindings("shop", "brand").items()} == {"B1": "1", "B2": "2"}
