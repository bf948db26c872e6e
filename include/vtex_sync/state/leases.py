"""Create leases: one writer per (account, entity, ERP key) across runs, DAGs and deployments.

A writer acquires the lease before it creates a record in VTEX, keeps it renewed while the
create is in flight (a heartbeat thread), and releases it once the id is bound. A second
writer waits for the lease; once it has it, it finds the binding the first one wrote and binds
instead of creating. A lease whose holder died expires after ``ttl_seconds``, and the next
holder looks the record up first (the dead writer's create intent is still there).

Every acquire, renew and release is one conditional statement in the state store, so the rule
holds between processes and machines on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.engine import Connection, Engine

from vtex_sync.db import insert_for, utcnow
from vtex_sync.state import tables as t

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 60.0
DEFAULT_WAIT_SECONDS = 300.0
CHUNK = 500  # keys per IN (...) list


class CreateLeaseTimeout(TimeoutError):
    """Another writer held the create lease longer than this writer was willing to wait."""


@dataclass
class Lease:
    """A held create lease. `lost` turns true when a renewal found it taken over (expired)."""

    account: str
    entity: str
    erp_key: str
    owner: str
    ttl_seconds: float
    waited_seconds: float = 0.0
    lost: bool = False
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)


def _where(account: str, entity: str, erp_key: str) -> Any:
    c = t.create_leases.c
    return and_(c.account == account, c.entity == entity, c.erp_key == erp_key)


def try_acquire(engine: Engine, account: str, entity: str, erp_key: str, owner: str,
                ttl_seconds: float) -> bool:
    """Take the lease if it is free, expired or already ours (one upsert). True when held."""
    now = utcnow()
    c = t.create_leases.c
    stmt = insert_for(engine, t.create_leases).values(
        account=account, entity=entity, erp_key=erp_key, owner=owner, acquired_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["account", "entity", "erp_key"],
        set_={"owner": stmt.excluded.owner, "acquired_at": stmt.excluded.acquired_at,
              "expires_at": stmt.excluded.expires_at},
        where=or_(c.expires_at < now, c.owner == owner),
    )
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def renew(engine: Engine, lease: Lease) -> bool:
    """Push the expiry out by the lease's ttl; False (and `lease.lost`) if someone else holds it."""
    c = t.create_leases.c
    stmt = update(t.create_leases).where(
        _where(lease.account, lease.entity, lease.erp_key), c.owner == lease.owner
    ).values(expires_at=utcnow() + timedelta(seconds=lease.ttl_seconds))
    with engine.begin() as conn:
        held = conn.execute(stmt).rowcount == 1
    if not held:
        lease.lost = True
        log.warning("create lease on %s %r was taken over after it expired", lease.entity, lease.erp_key)
    return held


def release(engine: Engine, lease: Lease) -> None:
    """Drop the lease if still ours (a taken-over lease belongs to its new holder)."""
    c = t.create_leases.c
    with engine.begin() as conn:
        conn.execute(delete(t.create_leases).where(
            _where(lease.account, lease.entity, lease.erp_key), c.owner == lease.owner))


def holder(engine: Engine, account: str, entity: str, erp_key: str) -> str | None:
    """The owner of an unexpired lease on the key, if any."""
    c = t.create_leases.c
    with engine.connect() as conn:
        row = conn.execute(select(c.owner, c.expires_at).where(_where(account, entity, erp_key))).first()
    return row.owner if row is not None and row.expires_at >= utcnow() else None


def _heartbeat(engine: Engine, lease: Lease) -> None:
    interval = max(lease.ttl_seconds / 3, 0.05)
    while not lease._stop.wait(interval):
        try:
            if not renew(engine, lease):
                return
        except Exception:  # a store hiccup: the next beat tries again, expiry covers the rest
            log.warning("could not renew the create lease on %s %r", lease.entity, lease.erp_key,
                        exc_info=True)


@contextmanager
def hold(engine: Engine, account: str, entity: str, erp_key: str, owner: str, *,
         ttl_seconds: float = DEFAULT_TTL_SECONDS, wait_seconds: float = DEFAULT_WAIT_SECONDS,
         poll_seconds: float = 0.05) -> Iterator[Lease]:
    """Hold the create lease for the block (waiting up to `wait_seconds`), renewed in the background."""
    started = time.monotonic()
    delay = poll_seconds
    while not try_acquire(engine, account, entity, erp_key, owner, ttl_seconds):
        if time.monotonic() - started >= wait_seconds:
            raise CreateLeaseTimeout(f"{entity} {erp_key!r} of {account}: another writer held the create "
                                     f"lease for more than {wait_seconds:.0f}s")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    lease = Lease(account, entity, erp_key, owner, ttl_seconds, waited_seconds=time.monotonic() - started)
    beat = threading.Thread(target=_heartbeat, args=(engine, lease), daemon=True,
                            name=f"lease-{entity}-{erp_key}")
    beat.start()
    try:
        yield lease
    finally:
        lease._stop.set()
        beat.join(timeout=5)
        release(engine, lease)


# --- many leases at once: one writer's chunk of records ---------------------------------------


def _conditional_take(engine: Engine) -> Any:
    """Take a lease that is free, expired or already `owner`'s (one upsert, executemany-able)."""
    c = t.create_leases.c
    stmt = insert_for(engine, t.create_leases).values(
        account=bindparam("account"), entity=bindparam("entity"), erp_key=bindparam("erp_key"),
        owner=bindparam("owner"), acquired_at=bindparam("now"), expires_at=bindparam("expires_at"),
    )
    return stmt.on_conflict_do_update(
        index_elements=["account", "entity", "erp_key"],
        set_={"owner": stmt.excluded.owner, "acquired_at": stmt.excluded.acquired_at,
              "expires_at": stmt.excluded.expires_at},
        where=or_(c.expires_at < stmt.excluded.acquired_at, c.owner == stmt.excluded.owner),
    )


def acquire_many(engine: Engine, account: str, entity: str, keys: Iterable[str], owner: str,
                 ttl_seconds: float = DEFAULT_TTL_SECONDS) -> set[str]:
    """Take every lease of `keys` that is free or expired, without waiting: the keys now held."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    now = utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    rows = [{"account": account, "entity": entity, "erp_key": key, "owner": owner, "now": now,
             "expires_at": expires} for key in wanted]
    c = t.create_leases.c
    held: set[str] = set()
    with engine.begin() as conn:
        conn.execute(_conditional_take(engine), rows)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            held.update(conn.execute(select(c.erp_key).where(
                c.account == account, c.entity == entity, c.owner == owner, c.erp_key.in_(chunk))).scalars())
    return held


def release_many(conn: Connection, account: str, entity: str, keys: Iterable[str], owner: str) -> None:
    """Drop the leases of `keys` still held by `owner`, in the caller's transaction."""
    c = t.create_leases.c
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        conn.execute(delete(t.create_leases).where(
            c.account == account, c.entity == entity, c.owner == owner, c.erp_key.in_(chunk)))


class LeaseKeeper:
    """Keeps one writer's leases renewed while their records are in flight: one background
    thread, one statement per entity per beat (every third of the lease's lifetime)."""

    def __init__(self, engine: Engine, account: str, owner: str,
                 ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.engine, self.account, self.owner, self.ttl_seconds = engine, account, owner, ttl_seconds
        self._held: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, entity: str, keys: Iterable[str]) -> None:
        with self._lock:
            self._held.setdefault(entity, set()).update(keys)
            if self._thread is None:
                self._thread = threading.Thread(target=self._beat, daemon=True, name=f"leases-{entity}")
                self._thread.start()

    def drop(self, entity: str, keys: Iterable[str]) -> None:
        with self._lock:
            self._held.get(entity, set()).difference_update(keys)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _beat(self) -> None:
        interval = max(self.ttl_seconds / 3, 0.05)
        c = t.create_leases.c
        while not self._stop.wait(interval):
            with self._lock:
                held = {entity: sorted(keys) for entity, keys in self._held.items() if keys}
            try:
                with self.engine.begin() as conn:
                    for entity, keys in held.items():
                        for start in range(0, len(keys), CHUNK):
                            conn.execute(update(t.create_leases).where(
                                c.account == self.account, c.entity == entity, c.owner == self.owner,
                                c.erp_key.in_(keys[start:start + CHUNK]),
                            ).values(expires_at=utcnow() + timedelta(seconds=self.ttl_seconds)))
            except Exception:  # a store hiccup: the next beat tries again, expiry covers the rest
                log.warning("could not renew %s's create leases", self.owner, exc_info=True)
