"""Plan, then apply, one entity: the loop every ERP -> VTEX flow shares.

*Plan* resolves each valid ERP row's parents through the id map, builds the complete VTEX
object and compares its hash with the last successful push: the record is to be created,
updated, left unchanged, or waits for a parent that has not reached VTEX yet.
*Apply* makes the calls concurrently, one record never stopping another, and writes the id
map the moment VTEX answers. Creates are orphan-safe: the intent is recorded first, and a
create whose outcome is unknown (timeout, 5xx, lost response, crash) is looked up by RefId
or by name within its parent before anything is created again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vtex_provider.exceptions import VtexAmbiguousWriteError, VtexApiError
from vtex_sync.entities import ENTITIES, Entity
from vtex_sync.flows import writes
from vtex_sync.hashing import payload_hash as _hash_dict
from vtex_sync.records import Action, RecordStatus

if TYPE_CHECKING:
    from vtex_sync.context import SyncContext

log = logging.getLogger(__name__)


def payload_hash(payload: Any) -> str:
    """Hash of a VTEX payload (a pydantic model in its wire form, or a plain dict)."""
    if hasattr(payload, "model_dump"):
        payload = payload.model_dump(mode="json", by_alias=True)
    return _hash_dict(payload)


@dataclass(frozen=True)
class EntitySpec:
    """What one entity of the catalogue does: how its records become VTEX objects and are written.

    The facts (table, key, parents, step) are the entity's declaration in ``vtex_sync.entities``.
    Exactly one write style applies: ``create``/``update`` (with ``lookup`` for orphan-safe
    creates) for objects VTEX numbers itself, or ``upsert`` for idempotent writes keyed by
    the ERP (PUT price, PUT inventory, warehouses by id).
    """

    entity: Entity
    build: Callable[[Any, dict[str, str]], Any]
    create: Callable[[Any, Any], Any] | None = None
    update: Callable[[Any, str, Any], None] | None = None
    lookup: Callable[[Any, Any], Any] | None = None
    upsert: Callable[[Any, Any], Any] | None = None
    create_payload: Callable[[Any], Any] = lambda payload: payload
    # VTEX turns what `create_payload` sent into the built payload by itself (a SKU created
    # inactive with ActivateIfPossible is activated when its image lands): a create binds the
    # built payload's hash, so no later step sends it again
    created_as_built: bool = False
    # look the object up before every create (e.g. a customer by email), not only after a failure
    lookup_first: bool = False
    # the upsert finds the object and creates it when missing (not atomic in VTEX): it runs
    # under the record's create lease, so two writers at once never both create it
    upsert_finds_then_creates: bool = False
    # for such an upsert: the create alone, for a record VTEX cannot hold yet (no binding and
    # no create intent left by an earlier attempt): it makes no read. Its intent is recorded
    # first, so after a lost answer the next attempt finds what landed.
    create_new: Callable[[Any, Any], Any] | None = None
    # records sharing their first key part are written together in one call (a product's
    # specifications): given the payloads of every record of the group in the read, it makes
    # VTEX hold exactly them and returns each one's VTEX id. It must be idempotent (a set).
    write_group: Callable[[Any, list[Any]], list[str]] | None = None
    # turns validated ERP rows into this entity's records (filter, explode or group them)
    records: Callable[[list[Any]], list[Any]] = lambda rows: rows
    # what VTEX is sent when the ERP drops a record (the catalogue's `removal`), from its binding
    remove: Callable[[Any, Any], None] | None = None
    # kept beside the binding: what finds the object in VTEX once the ERP row is gone
    handle: Callable[[Any], str | None] = lambda payload: None

    @property
    def name(self) -> str:
        return self.entity.name

    @property
    def table(self) -> str:
        return self.entity.table

    def key(self, record: Any) -> str:
        """The record's id-map key: its declared key fields, '|' between them."""
        return "|".join(_text(getattr(record, name)) for name in self.entity.key)

    @property
    def owner(self) -> str | None:
        """The parent named by the first key column: the object this one belongs to (a SKU's image)."""
        return self.entity.parents.get(self.entity.key[0])

    def parent_keys(self, record: Any) -> dict[str, str]:
        """Parent entity -> the parent's ERP key, for each parent this record names."""
        found: dict[str, str] = {}
        for column, parent in self.entity.parents.items():
            value = getattr(record, column, None)
            if value is not None and value != "":
                found[parent] = str(value)
        return found


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass
class Planned:
    """The plan for one record: its action, and the payload and hash to write."""

    key: str
    action: Action
    payload: Any = None
    payload_hash: str | None = None
    vtex_id: str | None = None
    reason: str = ""
    pending_intent: bool = False


@dataclass
class Failure:
    """One record's failed write: its ERP key, the VTEX call and the reason."""

    key: str
    call: str
    reason: str


@dataclass
class EntityReport:
    """What one entity run did; ``as_dict`` is what a task returns (small, JSON-able)."""

    entity: str
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    # the counts of other entities the same step wrote (a SKU step's EANs), by entity
    others: dict[str, Counter[str]] = field(default_factory=dict)
    # the entity of this report's own counts when `entity` names the step instead
    part: str = ""

    def add(self, other: EntityReport) -> None:
        self.counts.update(other.counts)
        self.failures.extend(other.failures)
        parts = dict(other.others)
        if (other.part or other.entity) != (self.part or self.entity):
            parts[other.part or other.entity] = other.counts - sum(other.others.values(), Counter())
        for name, counts in parts.items():
            self.others.setdefault(name, Counter()).update(counts)

    def by_entity(self) -> dict[str, dict[str, int]]:
        """The counts split by entity (this report's own first)."""
        own = Counter(self.counts)
        own.subtract(sum(self.others.values(), Counter()))
        parts = {self.part or self.entity: {k: v for k, v in own.items() if v}}
        return parts | {k: dict(v) for k, v in self.others.items()}

    def as_dict(self, max_failures: int = 20) -> dict[str, Any]:
        result: dict[str, Any] = {
            "entity": self.entity,
            "counts": dict(self.counts),
            "failures": [f.__dict__ for f in self.failures[:max_failures]],
        }
        if self.others:
            result["by_entity"] = self.by_entity()
        return result


def plan(
    ctx: SyncContext, spec: EntitySpec, rows: Sequence[Any], *, plannable: dict[str, set[str]] | None = None
) -> list[Planned]:
    """Decide what each row needs. ``plannable``: parent keys a dry run may count as about to exist."""
    keys = [spec.key(row) for row in rows]
    bindings = ctx.state.bindings(ctx.account, spec.name, keys)
    parent_ids = _parent_bindings(ctx, spec, rows)
    pending = (
        {i.erp_key for i in ctx.state.intents(ctx.account, spec.name)}
        if spec.create or spec.create_new else set()
    )
    planned: list[Planned] = []
    for key, row in zip(keys, rows, strict=True):
        resolved, missing = _resolve_parents(spec, row, parent_ids, plannable)
        if missing:
            planned.append(Planned(key, Action.WAITING, reason=f"waiting on {missing}"))
            continue
        payload = spec.build(row, resolved)
        digest = payload_hash(payload)
        binding = bindings.get(key)
        if binding is not None and binding.vtex_id and binding.payload_hash == digest:
            # the payload stays: a group write sends the unchanged records of its group too
            planned.append(Planned(key, Action.UNCHANGED, payload, digest, binding.vtex_id))
        elif binding is not None and binding.vtex_id:
            planned.append(Planned(key, Action.UPDATE, payload, digest, binding.vtex_id))
        else:
            planned.append(Planned(key, Action.CREATE, payload, digest, pending_intent=key in pending))
    return planned


def apply(ctx: SyncContext, spec: EntitySpec, planned: Iterable[Planned]) -> EntityReport:
    """Make the calls for every record that needs one and record each result."""
    report = EntityReport(spec.name)
    planned = list(planned)
    todo, waiting = [], []
    for item in planned:
        report.counts["planned"] += 1
        if item.action == Action.UNCHANGED:
            report.counts["unchanged"] += 1
        elif item.action == Action.WAITING:
            report.counts["waiting_parent"] += 1
            waiting.append((item.key, item.reason))
        else:
            todo.append(item)
    if waiting:
        ctx.state.finish_writes(ctx.account, spec.name, waiting=waiting)
    if spec.write_group is not None:
        errors = _write_groups(ctx, spec, planned, todo)
    else:
        errors = writes.apply_records(ctx, spec, todo)
    created = [item.key for item, error in zip(todo, errors, strict=True)
               if error is None and item.action == Action.CREATE]
    _reopen_owners(ctx, spec, created)
    failed: list[tuple[str, str]] = []
    for item, error in zip(todo, errors, strict=True):
        if error is None:
            report.counts["created" if item.action == Action.CREATE else "updated"] += 1
            continue
        call, reason = _describe_error(spec, item, error)
        report.counts["failed"] += 1
        report.failures.append(Failure(item.key, call, reason))
        failed.append((item.key, f"{call}: {reason}"))
    if failed:
        ctx.state.finish_writes(ctx.account, spec.name, failed=failed)
    return report


def _reopen_owners(ctx: SyncContext, spec: EntitySpec, created: list[str]) -> None:
    """Records of `spec` that landed after a record declared to follow them (`Entity.after`)
    was already there for the same owner (a SKU specification added after the SKU's image,
    e.g. retried after a failure): VTEX checked the owner when the later record landed, so the
    owner (the SKU, for its activation) is sent again by its pass."""
    owner = spec.owner
    later = [e.name for e in ENTITIES.values() if spec.name in e.after and e.parents.get(e.key[0]) == owner]
    if not created or owner is None or not later:
        return
    owners = {key.split("|", 1)[0] for key in created}
    for entity in later:
        for key in ctx.state.owners_holding(ctx.account, entity, owners):
            log.info("%s %s: a %s landed after its %s: sent again by its pass", owner, key, spec.name, entity)
            ctx.state.reopen(ctx.account, owner, key, f"{spec.name} landed after its {entity}")


def _write_groups(
    ctx: SyncContext, spec: EntitySpec, planned: list[Planned], todo: list[Planned]
) -> list[BaseException | None]:
    """One call per group holding a record to write, with every record of the group in the read
    (those unchanged too: the call sets the group as a whole). Each written record is bound
    once VTEX answered; a group whose call failed fails all its written records."""
    assert spec.write_group is not None
    members: dict[str, list[Planned]] = {}
    for item in planned:
        if item.action != Action.WAITING and item.payload is not None:
            members.setdefault(item.key.split("|", 1)[0], []).append(item)
    dirty = list(dict.fromkeys(item.key.split("|", 1)[0] for item in todo))

    def write(group: str) -> list[str]:
        items = members[group]
        return spec.write_group(ctx.clients, [item.payload for item in items])  # type: ignore[misc]

    outcome: dict[str, BaseException | None] = {}
    bound: list[tuple[str, str, str | None, str, str | None]] = []
    for group, result in zip(dirty, ctx.executor.map(write, dirty), strict=True):
        outcome[group] = result.error
        if result.error is None:
            ids = dict(zip((item.key for item in members[group]), result.value or [], strict=True))
            bound += [(item.key, ids[item.key], item.payload_hash, RecordStatus.SYNCED,
                       spec.handle(item.payload))
                      for item in members[group] if item.action in (Action.CREATE, Action.UPDATE)]
    ctx.state.finish_writes(ctx.account, spec.name, bound=bound)
    return [outcome[item.key.split("|", 1)[0]] for item in todo]


def apply_one(ctx: SyncContext, spec: EntitySpec, item: Planned) -> str:
    """Write one record, recording it in the state store as it goes (the one-record path: a
    create waits for its create lease when another writer holds it)."""
    assert item.payload is not None and item.payload_hash is not None
    state, account = ctx.state, ctx.account
    if spec.upsert is not None:
        if spec.upsert_finds_then_creates:
            return _upsert_one_writer(ctx, spec, item)
        vtex_id = str(spec.upsert(ctx.clients, item.payload))
        state.bind(account, spec.name, item.key, vtex_id, payload_hash=item.payload_hash,
                   handle=spec.handle(item.payload))
        return vtex_id
    if item.action == Action.UPDATE:
        assert spec.update is not None and item.vtex_id is not None
        spec.update(ctx.clients, item.vtex_id, item.payload)
        state.record_push(account, spec.name, item.key, item.payload_hash)
        return item.vtex_id
    return _create_orphan_safe(ctx, spec, item)


def _upsert_one_writer(ctx: SyncContext, spec: EntitySpec, item: Planned) -> str:
    """Upsert under the record's create lease. The plan saw another hash bound, so finding this
    very payload's hash bound now means another writer wrote it meanwhile: nothing left to do.

    A record VTEX cannot hold yet (see `EntitySpec.create_new`) is created without the find;
    its intent is recorded first and cleared with the binding, so after a lost answer (or a
    dead writer) the next attempt finds what landed instead of creating it again."""
    assert spec.upsert is not None and item.payload_hash is not None
    state, account = ctx.state, ctx.account
    with state.create_lease(account, spec.name, item.key) as lease:
        current = state.get_binding(account, spec.name, item.key)
        if current is not None and current.payload_hash == item.payload_hash:
            log.info("%s %s: written by another writer (waited %.1fs for it); not written again",
                     spec.name, item.key, lease.waited_seconds)
            return str(current.vtex_id)
        creating = spec.create_new is not None and (current is None or not current.vtex_id)
        fresh = creating and not (item.pending_intent or state.has_intent(account, spec.name, item.key))
        if creating:
            state.add_intent(account, spec.name, item.key, {"payload_hash": item.payload_hash})
        write = spec.create_new if fresh else spec.upsert
        vtex_id = str(write(ctx.clients, item.payload))  # type: ignore[misc]
        state.bind(
            account, spec.name, item.key, vtex_id, payload_hash=item.payload_hash, clear_intent=creating,
            handle=spec.handle(item.payload),
        )
    return vtex_id


class ForeignObjectError(RuntimeError):
    """A create or lookup led to a VTEX object another ERP record is bound to (never taken)."""


def _create_orphan_safe(ctx: SyncContext, spec: EntitySpec, item: Planned) -> str:
    """Create once, under the record's create lease (one writer per record across runs, DAGs
    and deployments): a writer that waited for the lease finds the binding the other wrote and
    binds instead; after a lost answer or a dead writer it looks the record up first."""
    assert spec.create is not None and item.payload is not None
    state, account = ctx.state, ctx.account
    with state.create_lease(account, spec.name, item.key) as lease:
        current = state.get_binding(account, spec.name, item.key)
        if current is not None and current.vtex_id:
            log.info("%s %s: bound to VTEX id %s by another writer (waited %.1fs for it); not created again",
                     spec.name, item.key, current.vtex_id, lease.waited_seconds)
            return str(current.vtex_id)
        pending = item.pending_intent or state.has_intent(account, spec.name, item.key)
        sent_hash = payload_hash(spec.create_payload(item.payload))
        state.add_intent(account, spec.name, item.key, {"payload_hash": sent_hash})
        try:
            vtex_id, bound_hash, status = create_call(ctx, spec, item, pending)
        except VtexAmbiguousWriteError:
            raise
        except VtexApiError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status not in (408, 429):
                # refused for good: nothing was made, so no later run may look for it
                state.clear_intent(account, spec.name, item.key)
            raise
        owner = state.erp_key_for(account, spec.name, vtex_id)
        if owner is not None and owner != item.key:
            state.clear_intent(account, spec.name, item.key)
            raise ForeignObjectError(f"{spec.name} {item.key}: VTEX id {vtex_id} is {owner}'s")
        binding = state.bind(
            account, spec.name, item.key, vtex_id, payload_hash=bound_hash, status=status, clear_intent=True,
            handle=spec.handle(item.payload),
        )
    return getattr(binding, "vtex_id", None) or vtex_id


def create_call(ctx: SyncContext, spec: EntitySpec, item: Planned, pending: bool) -> tuple[str, str, str]:
    """The VTEX side of an orphan-safe create (its intent is recorded already): look the record
    up first when an earlier attempt may have made it (or the entity always looks first), else
    create it. Returns the VTEX id, the hash to bind and the status to bind it with."""
    assert item.payload is not None and item.payload_hash is not None
    sent = spec.create_payload(item.payload)
    sent_hash = payload_hash(sent)
    vtex_id = _lookup(ctx, spec, item.payload, item.key) if pending or spec.lookup_first else None
    found = vtex_id is not None
    if vtex_id is None:
        vtex_id = _create_or_find(ctx, spec, sent, item.payload, item.key)
    # a bound object found by lookup may differ from the ERP row: the next plan sees the hash
    # of what was sent, so an update follows only where the entity asks for one
    bound_hash = item.payload_hash if spec.created_as_built and not found else sent_hash
    # not yet what the ERP row builds (a SKU found by lookup): its later pass sends it
    status = RecordStatus.SYNCED if bound_hash == item.payload_hash else RecordStatus.WAITING_PASS
    return vtex_id, bound_hash, status


def _create_or_find(ctx: SyncContext, spec: EntitySpec, sent: Any, payload: Any, key: str) -> str:
    for attempt in (1, 2):
        try:
            return str(spec.create(ctx.clients, sent))  # type: ignore[misc]
        except VtexAmbiguousWriteError:
            found = _lookup(ctx, spec, payload, key)
            if found is not None:
                log.info("%s: create outcome unknown, found it by lookup (attempt %d)", spec.name, attempt)
                return found
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _lookup(ctx: SyncContext, spec: EntitySpec, payload: Any, key: str) -> str | None:
    """The object an earlier attempt for `key` made, or None; never one bound to another key."""
    if spec.lookup is None:
        return None
    found = spec.lookup(ctx.clients, payload)
    if found is None:
        return None
    owner = ctx.state.erp_key_for(ctx.account, spec.name, str(found))
    if owner is not None and owner != key:
        log.warning("%s %s: lookup found VTEX id %s of %s: not taken", spec.name, key, found, owner)
        return None
    return str(found)


def _parent_bindings(ctx: SyncContext, spec: EntitySpec, rows: Sequence[Any]) -> dict[str, dict[str, Any]]:
    wanted: dict[str, set[str]] = {parent: set() for parent in spec.entity.parents.values()}
    for row in rows:
        for parent, key in spec.parent_keys(row).items():
            wanted[parent].add(key)
    bindings = ctx.state.bindings
    return {parent: bindings(ctx.account, parent, keys) if keys else {} for parent, keys in wanted.items()}


def _resolve_parents(
    spec: EntitySpec, row: Any, bound: dict[str, dict[str, Any]], plannable: dict[str, set[str]] | None
) -> tuple[dict[str, str], str]:
    resolved: dict[str, str] = {}
    for parent, key in spec.parent_keys(row).items():
        binding = bound[parent].get(key)
        if binding is not None and binding.vtex_id:
            resolved[parent] = str(binding.vtex_id)
        elif plannable is not None and key in plannable.get(parent, set()):
            resolved[parent] = f"<new {parent} {key}>"
        else:
            return {}, f"{parent} {key}"
    return resolved, ""


def _describe_error(spec: EntitySpec, item: Planned, error: BaseException) -> tuple[str, str]:
    if isinstance(error, VtexApiError):
        return f"{error.method} {error.path}", f"{error.status} {error.code or ''} {error.message}".strip()
    verb = "create" if item.action == Action.CREATE else "update"
    return f"{verb} {spec.name}", f"{type(error).__name__}: {error}"
