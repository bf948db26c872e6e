"""`StateStore`: the integration's own memory, one row set per VTEX account.

Every write is a single upsert or a conditional UPDATE, so concurrent workers (parallel mapped
tasks, Celery workers) never race on read-then-write. See docs/state-store.md.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.engine import Connection

from vtex_sync.db import insert_for, make_engine, redact, utcnow
from vtex_sync.records import RecordStatus
from vtex_sync.state import leases
from vtex_sync.state import tables as t
from vtex_sync.state.leases import Lease

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION = "0003"
MIGRATION_LOCK_KEY = 0x7674_6578  # PostgreSQL advisory lock id for migrations
KEY_CHUNK = 500
OWNER_CHUNK = 200
Bound = tuple[str, str, str | None, str, str | None]  # key, VTEX id, payload hash, status, handle
_migrated_urls: set[str] = set()


@dataclass(frozen=True)
class Binding:
    """One ERP key bound (or waiting to be bound) to a VTEX id. `conflict` holds a rejected vtex id."""

    erp_key: str
    vtex_id: str | None
    payload_hash: str | None
    status: str
    pushed_at: datetime | None
    attempts: int
    message: str | None = None
    conflict: str | None = None
    handle: str | None = None  # what finds the VTEX object once its ERP row is gone


@dataclass(frozen=True)
class Intent:
    erp_key: str
    lookup: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class QuarantineRecord:
    entity: str
    erp_key: str
    field: str | None
    value: str | None
    rule: str
    message: str | None
    attempts: int
    first_seen: datetime
    last_seen: datetime
    resolved: bool
    source: str | None = None
    row_number: int | None = None


@dataclass(frozen=True)
class InboxEvent:
    event_key: str
    order_id: str
    state: str | None
    current_change: str | None
    payload: dict[str, Any]
    status: str
    attempts: int
    claimed_by: str | None
    received_at: datetime


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    summary: dict[str, Any]
    recorded_at: datetime


class OrderLockTimeout(TimeoutError):
    """Another worker held the order's lock for longer than we were willing to wait."""


def event_identity(event: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    """(order id, state, current change) of a feed/hook event, whatever the key casing."""
    def pick(*names: str) -> Any:
        return next((event[name] for name in names if event.get(name) not in (None, "")), None)

    order_id = pick("orderId", "OrderId", "order_id")
    if not order_id:
        raise ValueError("order event has no orderId")
    state = pick("state", "State", "status")
    change = pick("currentChange", "CurrentChange", "lastChange", "LastChange")
    return str(order_id), state and str(state), change and str(change)


def event_key_of(event: Mapping[str, Any]) -> str:
    """The inbox dedupe key ``orderId|state|currentChange``."""
    return "|".join(part or "" for part in event_identity(event))


def _default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def inbox_claimable(account: str, now: datetime, lease_seconds: float) -> Any:
    """Inbox events a worker may claim: pending, or claimed longer ago than the lease."""
    i = t.inbox.c
    return and_(i.account == account, or_(
        i.status == "pending",
        and_(i.status == "claimed", i.claimed_at < now - timedelta(seconds=lease_seconds)),
    ))


def inbox_claim_query(claimable: Any, limit: int) -> Any:
    """The oldest claimable event keys, skipping rows another worker has locked (PostgreSQL);
    served by the ``(account, status, received_at)`` index."""
    i = t.inbox.c
    return (select(i.event_key).where(claimable).order_by(i.received_at, i.event_key).limit(limit)
            .with_for_update(skip_locked=True))


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic's INFO lines (context, each upgrade) are not for task logs."""
    alembic_log = logging.getLogger("alembic")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        alembic_log.setLevel(level)


def _migrations_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    """The newest migration: the revision a migrated store is at."""
    return ScriptDirectory.from_config(_migrations_config()).get_current_head()


class StateStore:
    """Id map, create intents, watermarks, quarantine, order inbox, write-back log and run summaries."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._statements: dict[str, Any] | None = None
        if migrate and url not in _migrated_urls:
            self.migrate()

    def __repr__(self) -> str:
        return f"StateStore({redact(self.url)!r})"

    def dispose(self) -> None:
        """Close pooled connections (call in a forked child before using a store made by the parent)."""
        self.engine.dispose(close=False)

    # ------------------------------------------------------------------ schema
    def migrate(self) -> None:
        """Upgrade the schema to head. Safe to run again and from several processes at once.
        A store already at head is left alone, and Alembic's own lines stay out of task logs
        (one DEBUG line says when the schema moved)."""
        config = _migrations_config()
        head = head_revision()
        if self.current_revision() != head:
            with _quiet_alembic(), self.engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
            log.debug("state store %s: schema upgraded to %s", redact(self.url), head)
        _migrated_urls.add(self.url)

    def current_revision(self) -> str | None:
        with _quiet_alembic(), self.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": t.VERSION_TABLE})
            return context.get_current_revision()

    def _insert(self, table: Any) -> Any:
        return insert_for(self.engine, table)

    # ------------------------------------------------------------------ id map
    @staticmethod
    def _binding(row: Any, conflict: str | None = None) -> Binding:
        return Binding(row.erp_key, row.vtex_id, row.payload_hash, row.status, row.pushed_at, row.attempts,
                       row.message, conflict, row.handle)

    @staticmethod
    def _binding_key(account: str, entity: str, erp_key: str) -> Any:
        b = t.bindings.c
        return and_(b.account == account, b.entity == entity, b.erp_key == str(erp_key))

    def get_binding(self, account: str, entity: str, erp_key: str) -> Binding | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.bindings).where(self._binding_key(account, entity, erp_key))).first()
        return self._binding(row) if row else None

    def bindings(self, account: str, entity: str, keys: Iterable[str] | None = None) -> dict[str, Binding]:
        """All bindings of `entity` (or only those for `keys`), by ERP key."""
        b = t.bindings.c
        base = select(t.bindings).where(b.account == account, b.entity == entity)
        result: dict[str, Binding] = {}
        with self.engine.connect() as conn:
            if keys is None:
                rows = conn.execute(base).all()
            else:
                wanted = [str(k) for k in keys]
                rows = []
                for start in range(0, len(wanted), KEY_CHUNK):
                    rows += conn.execute(base.where(b.erp_key.in_(wanted[start:start + KEY_CHUNK]))).all()
        for row in rows:
            result[row.erp_key] = self._binding(row)
        return result

    def keys_with_status(self, account: str, entity: str, statuses: Iterable[str]) -> list[str]:
        """ERP keys of `entity` whose binding status is one of `statuses` (e.g. still waiting or failed)."""
        b = t.bindings.c
        stmt = select(b.erp_key).where(b.account == account, b.entity == entity, b.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            return list(conn.execute(stmt.order_by(b.erp_key)).scalars())

    def count_bound(self, account: str, entity: str) -> int:
        """How many keys of `entity` are bound to a VTEX id (what VTEX currently has)."""
        b = t.bindings.c
        stmt = select(func.count()).select_from(t.bindings).where(
            b.account == account, b.entity == entity, b.vtex_id.is_not(None)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def erp_key_for(self, account: str, entity: str, vtex_id: str) -> str | None:
        """Reverse lookup: the ERP key bound to `vtex_id`, if any."""
        b = t.bindings.c
        with self.engine.connect() as conn:
            return conn.execute(select(b.erp_key).where(
                b.account == account, b.entity == entity, b.vtex_id == str(vtex_id)
            )).scalar()

    def bind(self, account: str, entity: str, erp_key: str, vtex_id: str | int, *,
             payload_hash: str | None = None, status: str = "synced",
             clear_intent: bool = False, handle: str | None = None) -> Binding:
        """Bind `erp_key` to `vtex_id`. First writer wins: if the key is already bound to another
        id, that binding is kept and returned with `conflict` set to the rejected id.
        `clear_intent` also drops the key's create intent, in the same transaction. `handle`:
        what finds the object once the ERP row is gone (kept with each write)."""
        erp_key, vtex_id, now = str(erp_key), str(vtex_id), utcnow()
        params = {"account": account, "entity": entity, "erp_key": erp_key, "vtex_id": vtex_id,
                  "status": status, "now": now, "payload_hash": payload_hash, "handle": handle}
        statements = self._bind_statements()
        with self.engine.begin() as conn:
            conn.execute(statements["bind" if payload_hash is None else "bind_pushed"], params)
            row = conn.execute(statements["select"], params).one()
            if clear_intent:
                conn.execute(statements["clear_intent"], params)
        if row.vtex_id != vtex_id:
            log.warning("id map conflict: %s %s %r is bound to VTEX id %s; kept it and ignored %s",
                        account, entity, erp_key, row.vtex_id, vtex_id)
            return self._binding(row, conflict=vtex_id)
        return self._binding(row)

    # ------------------------------------------------------------------ many records at once
    def intent_keys(self, account: str, entity: str, keys: Iterable[str]) -> set[str]:
        """Those of `keys` with a create intent."""
        i = t.intents.c
        wanted = sorted({str(k) for k in keys})
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), KEY_CHUNK):
                found.update(conn.execute(select(i.erp_key).where(
                    i.account == account, i.entity == entity, i.erp_key.in_(wanted[start:start + KEY_CHUNK]),
                )).scalars())
        return found

    def add_intents(self, account: str, entity: str, lookups: Mapping[str, Mapping[str, Any]]) -> None:
        """`add_intent` for many keys, in one transaction."""
        if not lookups:
            return
        now = utcnow()
        rows = [{"account": account, "entity": entity, "erp_key": str(key), "created_at": now,
                 "lookup": json.dumps(dict(lookup), sort_keys=True, default=str)}
                for key, lookup in lookups.items()]
        with self.engine.begin() as conn:
            conn.execute(self._insert(t.intents).on_conflict_do_nothing(), rows)

    def erp_keys_for(self, account: str, entity: str, vtex_ids: Iterable[str]) -> dict[str, str]:
        """Reverse lookup for many ids: VTEX id -> the ERP key bound to it (ids bound to none left out)."""
        b = t.bindings.c
        wanted = sorted({str(v) for v in vtex_ids})
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), KEY_CHUNK):
                rows = conn.execute(select(b.vtex_id, b.erp_key).where(
                    b.account == account, b.entity == entity, b.vtex_id.in_(wanted[start:start + KEY_CHUNK])))
                found.update((str(vtex_id), erp_key) for vtex_id, erp_key in rows)
        return found

    def finish_writes(
        self, account: str, entity: str, *, bound: Iterable[Bound] = (),
        pushed: Iterable[tuple[str, str]] = (), failed: Iterable[tuple[str, str]] = (),
        waiting: Iterable[tuple[str, str]] = (), clear_intents: Iterable[str] = (),
        release: Iterable[str] = (), owner: str | None = None,
    ) -> dict[str, Binding]:
        """What a chunk of writes came to, in one transaction: `bound` (key, VTEX id, payload hash,
        status, handle) as `bind` does (first writer wins: the binding kept is returned, `conflict` set
        when it is another id's), `pushed` (key, hash) as `record_push`, `failed` (key, message)
        as `set_status(..., "failed")`, `waiting` (key, message) as `set_status(...,
        "waiting_parent")`, then the intents of `clear_intents` dropped and the create leases of
        `release` (held by `owner`) released."""
        bound, pushed, failed, waiting = list(bound), list(pushed), list(failed), list(waiting)
        now = utcnow()
        statements = self._bind_statements()
        result: dict[str, Binding] = {}
        with self.engine.begin() as conn:
            if bound:
                conn.execute(statements["bind_pushed"], [
                    {"account": account, "entity": entity, "erp_key": str(key), "vtex_id": str(vtex_id),
                     "status": status, "now": now, "payload_hash": digest, "handle": handle}
                    for key, vtex_id, digest, status, handle in bound])
                wanted = {str(key): str(vtex_id) for key, vtex_id, *_ in bound}
                b = t.bindings.c
                keys = sorted(wanted)
                for start in range(0, len(keys), KEY_CHUNK):
                    chunk = keys[start:start + KEY_CHUNK]
                    rows = conn.execute(select(t.bindings).where(
                        b.account == account, b.entity == entity, b.erp_key.in_(chunk)))
                    for row in rows:
                        conflict = wanted[row.erp_key] if row.vtex_id != wanted[row.erp_key] else None
                        if conflict:
                            log.warning("id map conflict: %s %s %r is bound to VTEX id %s; kept it and "
                                        "ignored %s", account, entity, row.erp_key, row.vtex_id, conflict)
                        result[row.erp_key] = self._binding(row, conflict=conflict)
            if pushed:
                conn.execute(statements["push"], [
                    {"account": account, "entity": entity, "erp_key": str(key), "payload_hash": digest,
                     "now": now} for key, digest in pushed])
            if waiting:
                conn.execute(statements["wait"], [
                    {"account": account, "entity": entity, "erp_key": str(key), "message": message,
                     "now": now} for key, message in waiting])
            if failed:
                conn.execute(statements["fail"], [
                    {"account": account, "entity": entity, "erp_key": str(key), "message": message,
                     "now": now} for key, message in failed])
            clear = sorted({str(k) for k in clear_intents})
            i = t.intents.c
            for start in range(0, len(clear), KEY_CHUNK):
                conn.execute(delete(t.intents).where(
                    i.account == account, i.entity == entity, i.erp_key.in_(clear[start:start + KEY_CHUNK])))
            if owner is not None:
                leases.release_many(conn, account, entity, release, owner)
        return result

    def owners_holding(self, account: str, entity: str, owners: Iterable[str]) -> set[str]:
        """Those of `owners` (first key parts) holding a record of `entity`: bound, or with a
        create intent (in flight, or its answer lost)."""
        wanted = sorted({str(o) for o in owners})
        found: set[str] = set()
        with self.engine.connect() as conn:
            for table in (t.bindings, t.intents):
                c = table.c
                for start in range(0, len(wanted), OWNER_CHUNK):
                    chunk = wanted[start:start + OWNER_CHUNK]
                    like = or_(*(c.erp_key.startswith(f"{o}|", autoescape=True) for o in chunk))
                    stmt = select(c.erp_key).where(c.account == account, c.entity == entity, like)
                    found.update(key.split("|", 1)[0] for key in conn.execute(stmt).scalars())
        return found

    def reopen(self, account: str, entity: str, erp_key: str, message: str) -> None:
        """Forget the hash last pushed for `erp_key` and hold it for its entity's later pass
        (`waiting_pass`): the next plan sends it again."""
        stmt = update(t.bindings).where(self._binding_key(account, entity, erp_key)).values(
            payload_hash=None, status=RecordStatus.WAITING_PASS.value, message=message, updated_at=utcnow())
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def _bind_statements(self) -> dict[str, Any]:
        """`bind`'s statements, built once: one upsert that keeps a binding to another id
        (first writer wins), the read-back, the intent release. Building them per call cost
        more CPU than the database work."""
        if self._statements is None:
            b, i = t.bindings.c, t.intents.c
            key = ("account", "entity", "erp_key")
            values: dict[str, Any] = {name: bindparam(name) for name in (*key, "vtex_id", "status", "handle")}
            values |= {"message": None, "updated_at": bindparam("now"), "attempts": 0}
            statements: dict[str, Any] = {}
            extra: dict[str, Any]
            for name, extra in (("bind", {}),
                                ("bind_pushed", {"payload_hash": bindparam("payload_hash"),
                                                 "pushed_at": bindparam("now")})):
                insert = self._insert(t.bindings).values(**values, **extra)
                changed = ("vtex_id", "status", "message", "updated_at", "handle", *extra)
                statements[name] = insert.on_conflict_do_update(
                    index_elements=list(key),
                    set_={column: insert.excluded[column] for column in changed},
                    where=or_(b.vtex_id.is_(None), b.vtex_id == insert.excluded.vtex_id),
                )
            statements["select"] = select(t.bindings).where(
                *(b[column] == bindparam(column) for column in key))
            pushed: dict[str, Any] = {
                "payload_hash": bindparam("payload_hash"), "pushed_at": bindparam("now"), "status": "synced",
                "message": None, "attempts": 0, "updated_at": bindparam("now"),
            }
            insert = self._insert(t.bindings).values(**{name: bindparam(name) for name in key}, **pushed)
            statements["push"] = insert.on_conflict_do_update(index_elements=list(key), set_=pushed)
            failing = {"status": "failed", "message": bindparam("message"), "updated_at": bindparam("now")}
            insert = self._insert(t.bindings).values(**{name: bindparam(name) for name in key}, **failing,
                                                     attempts=1)
            statements["fail"] = insert.on_conflict_do_update(
                index_elements=list(key), set_={**failing, "attempts": b.attempts + 1})
            waits = {"status": RecordStatus.WAITING_PARENT.value, "message": bindparam("message"),
                     "updated_at": bindparam("now")}
            insert = self._insert(t.bindings).values(**{name: bindparam(name) for name in key}, **waits,
                                                     attempts=0)
            statements["wait"] = insert.on_conflict_do_update(index_elements=list(key), set_=waits)
            statements["clear_intent"] = delete(t.intents).where(
                *(i[column] == bindparam(column) for column in key))
            self._statements = statements
        return self._statements

    def _upsert_binding(self, account: str, entity: str, erp_key: str, insert_values: dict[str, Any],
                        update_values: dict[str, Any]) -> None:
        stmt = self._insert(t.bindings).values(account=account, entity=entity, erp_key=str(erp_key),
                                               **insert_values)
        stmt = stmt.on_conflict_do_update(index_elements=["account", "entity", "erp_key"], set_=update_values)
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def record_push(self, account: str, entity: str, erp_key: str, payload_hash: str) -> None:
        """Remember the hash of the payload VTEX accepted; clears failure state."""
        now = utcnow()
        values = {"payload_hash": payload_hash, "pushed_at": now, "status": "synced", "message": None,
                  "attempts": 0, "updated_at": now}
        self._upsert_binding(account, entity, erp_key, values, values)

    def set_status(self, account: str, entity: str, erp_key: str, status: str,
                   message: str | None = None) -> None:
        """Set a key's status (e.g. ``waiting_parent``, ``failed``); ``failed`` counts an attempt."""
        now = utcnow()
        failed = status == "failed"
        self._upsert_binding(
            account, entity, erp_key,
            {"status": status, "message": message, "attempts": 1 if failed else 0, "updated_at": now},
            {"status": status, "message": message, "updated_at": now,
             "attempts": t.bindings.c.attempts + (1 if failed else 0)},
        )

    # ------------------------------------------------------------------ create intents
    def add_intent(self, account: str, entity: str, erp_key: str, lookup: Mapping[str, Any]) -> None:
        """Record that a create is about to be sent, with how to find the record if the answer is lost."""
        with self.engine.begin() as conn:
            conn.execute(self._insert(t.intents).values(
                account=account, entity=entity, erp_key=str(erp_key),
                lookup=json.dumps(dict(lookup), sort_keys=True, default=str), created_at=utcnow(),
            ).on_conflict_do_nothing())

    def intents(self, account: str, entity: str) -> list[Intent]:
        i = t.intents.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.intents).where(i.account == account, i.entity == entity)
                                .order_by(i.created_at, i.erp_key)).all()
        return [Intent(row.erp_key, json.loads(row.lookup), row.created_at) for row in rows]

    def has_intent(self, account: str, entity: str, erp_key: str) -> bool:
        i = t.intents.c
        with self.engine.connect() as conn:
            return conn.execute(select(i.erp_key).where(i.account == account, i.entity == entity,
                                                        i.erp_key == str(erp_key))).first() is not None

    # ------------------------------------------------------------------ create leases
    @contextmanager
    def create_lease(self, account: str, entity: str, erp_key: str, *, owner: str | None = None,
                     ttl_seconds: float = leases.DEFAULT_TTL_SECONDS,
                     wait_seconds: float = leases.DEFAULT_WAIT_SECONDS) -> Iterator[Lease]:
        """Hold the one-writer lease on a record around its create (see `state.leases`): waits
        for another holder (up to `wait_seconds`, then `CreateLeaseTimeout`), renews itself
        while held, is released on exit and expires after `ttl_seconds` if its holder dies.
        Re-read the binding inside the block: a writer that waited binds instead of creating."""
        with leases.hold(self.engine, account, entity, str(erp_key), owner or _default_owner(),
                         ttl_seconds=ttl_seconds, wait_seconds=wait_seconds) as lease:
            yield lease

    def lease_holder(self, account: str, entity: str, erp_key: str) -> str | None:
        """Who holds an unexpired create lease on the record, if anyone."""
        return leases.holder(self.engine, account, entity, str(erp_key))

    def clear_intent(self, account: str, entity: str, erp_key: str) -> None:
        i = t.intents.c
        with self.engine.begin() as conn:
            conn.execute(delete(t.intents).where(i.account == account, i.entity == entity,
                                                 i.erp_key == str(erp_key)))

    # ------------------------------------------------------------------ watermarks
    def get_watermark(self, account: str, flow: str) -> datetime | None:
        w = t.watermarks.c
        with self.engine.connect() as conn:
            return conn.execute(select(w.value).where(w.account == account, w.flow == flow)).scalar()

    def set_watermark(self, account: str, flow: str, value: datetime) -> None:
        now = utcnow()
        stmt = self._insert(t.watermarks).values(account=account, flow=flow, value=value, updated_at=now)
        stmt = stmt.on_conflict_do_update(index_elements=["account", "flow"],
                                          set_={"value": value, "updated_at": now})
        with self.engine.begin() as conn:
            conn.execute(stmt)

    # ------------------------------------------------------------------ quarantine
    def quarantine(self, account: str, entity: str, erp_key: str, *, field: str | None, value: Any,
                   rule: str, message: str | None, source: str | None = None,
                   row_number: int | None = None) -> None:
        """Open (or re-open) the quarantine entry of a record; repeats count attempts.
        `source` and `row_number` say where the row was read (file or table, row)."""
        now = utcnow()
        reason = {"field": field, "value": None if value is None else str(value), "rule": rule,
                  "message": message, "last_seen": now, "resolved": False, "resolved_at": None,
                  "source": source, "row_number": row_number}
        stmt = self._insert(t.quarantine).values(account=account, entity=entity, erp_key=str(erp_key),
                                                 attempts=1, first_seen=now, **reason)
        stmt = stmt.on_conflict_do_update(index_elements=["account", "entity", "erp_key"],
                                          set_={**reason, "attempts": t.quarantine.c.attempts + 1})
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def quarantine_entries(self, account: str, entries: Iterable[Any]) -> int:
        """Store validation `QuarantineEntry` objects (entity = their table). Returns how many."""
        count = 0
        for entry in entries:
            self.quarantine(account, entry.table, entry.key, field=entry.field, value=entry.value,
                            rule=entry.rule, message=entry.message, source=getattr(entry, "source", None),
                            row_number=getattr(entry, "row", None))
            count += 1
        return count

    def resolve_quarantine(self, account: str, entity: str, erp_key: str) -> bool:
        q = t.quarantine.c
        with self.engine.begin() as conn:
            result = conn.execute(update(t.quarantine).where(
                q.account == account, q.entity == entity, q.erp_key == str(erp_key), q.resolved.is_(False)
            ).values(resolved=True, resolved_at=utcnow()))
        return result.rowcount == 1

    def open_quarantine(self, account: str, entity: str | None = None) -> list[QuarantineRecord]:
        q = t.quarantine.c
        stmt = select(t.quarantine).where(q.account == account, q.resolved.is_(False))
        if entity is not None:
            stmt = stmt.where(q.entity == entity)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt.order_by(q.entity, q.erp_key)).all()
        return [QuarantineRecord(r.entity, r.erp_key, r.field, r.value, r.rule, r.message, r.attempts,
                                 r.first_seen, r.last_seen, r.resolved, r.source, r.row_number)
                for r in rows]

    # ------------------------------------------------------------------ order inbox
    @staticmethod
    def _event(row: Any) -> InboxEvent:
        return InboxEvent(row.event_key, row.order_id, row.state, row.current_change, json.loads(row.payload),
                          row.status, row.attempts, row.claimed_by, row.received_at)

    def inbox_add(self, account: str, event: Mapping[str, Any]) -> bool:
        """Store a feed/hook/sweep event; False when (orderId, state, currentChange) is already stored."""
        order_id, state, change = event_identity(event)
        now = utcnow()
        stmt = self._insert(t.inbox).values(
            account=account, event_key=event_key_of(event), order_id=order_id, state=state,
            current_change=change, payload=json.dumps(dict(event), sort_keys=True, default=str),
            status="pending", attempts=0, received_at=now, updated_at=now,
        ).on_conflict_do_nothing()
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def inbox_pending(self, account: str, limit: int = 100) -> list[InboxEvent]:
        i = t.inbox.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.inbox).where(i.account == account, i.status == "pending")
                                .order_by(i.received_at, i.event_key).limit(limit)).all()
        return [self._event(row) for row in rows]

    def inbox_claim(self, account: str, worker: str, limit: int = 50, *,
                    lease_seconds: float = 600) -> list[InboxEvent]:
        """Atomically claim up to `limit` pending events (or claims older than the lease) for `worker`.

        The UPDATE only succeeds on rows still claimable, so two workers never get the same event.
        """
        i = t.inbox.c
        now = utcnow()
        claimable = inbox_claimable(account, now, lease_seconds)
        with self.engine.begin() as conn:
            keys = conn.execute(inbox_claim_query(claimable, limit)).scalars().all()
            if not keys:
                return []
            rows = conn.execute(
                update(t.inbox).where(claimable, i.event_key.in_(keys))
                .values(status="claimed", claimed_by=worker, claimed_at=now, updated_at=now,
                        attempts=i.attempts + 1)
                .returning(*t.inbox.c)
            ).all()
        return sorted((self._event(row) for row in rows), key=lambda e: (e.received_at, e.event_key))

    def inbox_mark(self, account: str, event_key: str, status: str, message: str | None = None) -> bool:
        """Record the outcome of an event: ``done``, ``skipped``, ``failed`` or back to ``pending``."""
        i = t.inbox.c
        with self.engine.begin() as conn:
            stmt = update(t.inbox).where(i.account == account, i.event_key == event_key)
            result = conn.execute(stmt.values(
                status=status, message=message, updated_at=utcnow(),
                claimed_by=None if status != "claimed" else i.claimed_by,
            ))
        return result.rowcount == 1

    # ------------------------------------------------------------------ order write-backs
    def _writeback_where(self, account: str, order_id: str, action: str, key: str) -> Any:
        w = t.writebacks.c
        return and_(w.account == account, w.order_id == order_id, w.action == action, w.key == str(key))

    def writeback_begin(self, account: str, order_id: str, action: str, key: str) -> bool:
        """Start a write-back (e.g. action ``invoice``, key the invoice number).

        False when the same (order, action, key) already succeeded: nothing to do.
        """
        now = utcnow()
        with self.engine.begin() as conn:
            inserted = conn.execute(self._insert(t.writebacks).values(
                account=account, order_id=order_id, action=action, key=str(key), status="started",
                attempts=1, started_at=now,
            ).on_conflict_do_nothing()).rowcount == 1
            if inserted:
                return True
            w = t.writebacks.c
            result = conn.execute(update(t.writebacks).where(
                self._writeback_where(account, order_id, action, key), w.status != "succeeded"
            ).values(status="started", attempts=w.attempts + 1, started_at=now, finished_at=None,
                     message=None))
        return result.rowcount == 1

    def _writeback_finish(self, account: str, order_id: str, action: str, key: str, status: str,
                          message: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.writebacks).where(self._writeback_where(account, order_id, action, key))
                         .values(status=status, message=message, finished_at=utcnow()))

    def writeback_done(self, account: str, order_id: str, action: str, key: str,
                       message: str | None = None) -> None:
        self._writeback_finish(account, order_id, action, key, "succeeded", message)

    def writeback_failed(self, account: str, order_id: str, action: str, key: str, message: str) -> None:
        self._writeback_finish(account, order_id, action, key, "failed", message)

    def writeback_status(self, account: str, order_id: str, action: str, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(t.writebacks.c.status)
                                .where(self._writeback_where(account, order_id, action, key))).scalar()

    def _try_lock(self, conn: Connection, account: str, order_id: str, owner: str,
                  lease_seconds: float) -> bool:
        now = utcnow()
        lock = t.order_locks.c
        stmt = self._insert(t.order_locks).values(
            account=account, order_id=order_id, owner=owner, expires_at=now + timedelta(seconds=lease_seconds)
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["account", "order_id"],
            set_={"owner": stmt.excluded.owner, "expires_at": stmt.excluded.expires_at},
            where=or_(lock.expires_at < now, lock.owner == owner),
        )
        return conn.execute(stmt).rowcount == 1

    @contextmanager
    def order_lock(self, account: str, order_id: str, *, owner: str | None = None, lease_seconds: float = 120,
                   wait_seconds: float = 60, poll_seconds: float = 0.1) -> Iterator[str]:
        """Hold the per-order write-back lease; waits up to `wait_seconds`, then `OrderLockTimeout`.

        The lease expires after `lease_seconds` so a crashed worker cannot block an order forever.
        """
        owner = owner or _default_owner()
        deadline = time.monotonic() + wait_seconds
        while True:
            with self.engine.begin() as conn:
                if self._try_lock(conn, account, order_id, owner, lease_seconds):
                    break
            if time.monotonic() >= deadline:
                raise OrderLockTimeout(f"order {order_id} of {account} is locked by another worker")
            time.sleep(poll_seconds)
        try:
            yield owner
        finally:
            lock = t.order_locks.c
            with self.engine.begin() as conn:
                conn.execute(delete(t.order_locks).where(lock.account == account, lock.order_id == order_id,
                                                         lock.owner == owner))

    # ------------------------------------------------------------------ paces
    def save_pace(self, account: str, step: str, spacing: float, in_flight: float) -> None:
        """The pace a task of `step` ended at, after VTEX's 429s (the latest task's wins)."""
        now = utcnow()
        values = {"spacing": spacing, "in_flight": in_flight, "saved_at": now}
        stmt = self._insert(t.paces).values(account=account, step=step, **values)
        stmt = stmt.on_conflict_do_update(index_elements=["account", "step"], set_=values)
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def pace(self, account: str, step: str, max_age: timedelta) -> tuple[float, float] | None:
        """``(spacing, in_flight)`` a task of `step` saved within `max_age`, if any."""
        p = t.paces.c
        with self.engine.connect() as conn:
            row = conn.execute(select(p.spacing, p.in_flight).where(
                p.account == account, p.step == step, p.saved_at >= utcnow() - max_age)).first()
        return None if row is None else (float(row.spacing), float(row.in_flight))

    # ------------------------------------------------------------------ run summaries
    def record_run(self, account: str, flow: str, run_id: str, summary: Mapping[str, Any]) -> None:
        now = utcnow()
        body = json.dumps(dict(summary), sort_keys=True, default=str)
        stmt = self._insert(t.runs).values(account=account, flow=flow, run_id=run_id, summary=body,
                                           recorded_at=now)
        stmt = stmt.on_conflict_do_update(index_elements=["account", "flow", "run_id"],
                                          set_={"summary": body, "recorded_at": now})
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def runs(self, account: str, flow: str, limit: int = 20) -> list[RunRecord]:
        """The latest run summaries of a flow, newest first."""
        r = t.runs.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.runs).where(r.account == account, r.flow == flow)
                                .order_by(r.recorded_at.desc(), r.run_id.desc()).limit(limit)).all()
        return [RunRecord(row.run_id, json.loads(row.summary), row.recorded_at) for row in rows]
