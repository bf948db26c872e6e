"""A plan's writes in chunks: the state store is asked a few times per chunk, not per record.

For each chunk of records, the main thread takes the create leases of the records that create,
reads their bindings and create intents and records the intents of the creates: a handful of
statements for the chunk. The VTEX calls then run on the executor's threads, doing nothing but
calls. Once a chunk has answered, one transaction binds every record (or remembers its pushed
hash, or its failure), clears the intents and releases the leases. The next chunk's calls are
already under way while a chunk is bound, so the threads do not wait on the state store.

The guarantees are the one-record path's (`engine`): a create's intent is recorded before its
call and cleared only with its binding, so a lost answer or a dead writer leaves the intent for
the next attempt, which looks the record up first; a record whose create lease another writer
holds goes the one-record way, which waits for the lease and finds the other writer's binding.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from vtex_provider.exceptions import VtexAmbiguousWriteError, VtexApiError
from vtex_sync.records import Action, RecordStatus
from vtex_sync.state import leases

if TYPE_CHECKING:
    from vtex_sync.context import SyncContext
    from vtex_sync.flows.engine import EntitySpec, Planned

log = logging.getLogger(__name__)

CHUNK = 64  # records per chunk: per-chunk statements cost little per record, and bind soon after


@dataclass
class Write:
    """One record's write: what the chunk's reads decided, and what it came to."""

    item: Planned
    leased: bool = False  # this writer holds its create lease (from the chunk's acquire)
    creating: bool = False  # an intent was recorded: cleared with the binding
    pending: bool = False  # an earlier attempt's intent is there: look the record up first
    vtex_id: str | None = None
    bound_hash: str | None = None  # the hash to bind (None: an update, whose hash is pushed)
    status: str = RecordStatus.SYNCED
    error: BaseException | None = None
    done: bool = False  # nothing to write (another writer did)


@dataclass
class Chunk:
    writes: list[Write]
    futures: list[Future] = field(default_factory=list)


def apply_records(ctx: SyncContext, spec: EntitySpec, todo: list[Planned]) -> list[BaseException | None]:
    """Write every record of `todo`; each one's error (None: written), in order."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    keeper = leases.LeaseKeeper(ctx.state.engine, ctx.account, owner)
    chunks = [todo[start:start + CHUNK] for start in range(0, len(todo), CHUNK)]
    errors: dict[int, BaseException | None] = {}
    try:
        with ctx.executor.submitter() as submit:
            previous: Chunk | None = None
            for items in chunks:
                chunk = _prepare(ctx, spec, items, owner, keeper)
                chunk.futures = [submit(partial(_call, ctx, spec, write)) for write in chunk.writes]
                if previous is not None:
                    _finish(ctx, spec, previous, owner, keeper, errors)
                previous = chunk
            if previous is not None:
                _finish(ctx, spec, previous, owner, keeper, errors)
    finally:
        keeper.close()
    return [errors[id(item)] for item in todo]


def _needs_lease(spec: EntitySpec, item: Planned) -> bool:
    return (spec.create is not None and item.action == Action.CREATE) or spec.upsert_finds_then_creates


def _prepare(ctx: SyncContext, spec: EntitySpec, items: list[Planned], owner: str,
             keeper: leases.LeaseKeeper) -> Chunk:
    """Leases, bindings and intents of the chunk's creates, and their new intents: a few statements."""
    state, account = ctx.state, ctx.account
    writes = [Write(item) for item in items]
    leasing = [w for w in writes if _needs_lease(spec, w.item)]
    if not leasing:
        return Chunk(writes)
    keys = [w.item.key for w in leasing]
    held = leases.acquire_many(state.engine, account, spec.name, keys, owner)
    keeper.hold(spec.name, held)
    current = state.bindings(account, spec.name, held)
    pending = state.intent_keys(account, spec.name, held)
    intents: dict[str, dict[str, Any]] = {}
    for write in leasing:
        item = write.item
        if item.key not in held:
            continue  # another writer holds it: the one-record path waits for it
        write.leased = True
        write.pending = item.pending_intent or item.key in pending
        binding = current.get(item.key)
        if spec.create is not None:
            if binding is not None and binding.vtex_id:
                log.info("%s %s: bound to VTEX id %s by another writer; not created again",
                         spec.name, item.key, binding.vtex_id)
                write.done, write.vtex_id = True, str(binding.vtex_id)
                continue
            write.creating = True
            intents[item.key] = {"payload_hash": _sent_hash(spec, item)}
        else:  # a find-then-create upsert
            if binding is not None and binding.payload_hash == item.payload_hash:
                log.info("%s %s: written by another writer; not written again", spec.name, item.key)
                write.done, write.vtex_id = True, str(binding.vtex_id)
                continue
            write.creating = spec.create_new is not None and (binding is None or not binding.vtex_id)
            if write.creating:
                intents[item.key] = {"payload_hash": item.payload_hash}
    state.add_intents(account, spec.name, intents)
    return Chunk(writes)


def _sent_hash(spec: EntitySpec, item: Planned) -> str:
    from vtex_sync.flows.engine import payload_hash

    return payload_hash(spec.create_payload(item.payload))


def _call(ctx: SyncContext, spec: EntitySpec, write: Write) -> None:
    """The record's VTEX calls (on an executor thread): no state-store write, except through the
    one-record path for a record whose lease another writer holds."""
    from vtex_sync.flows import engine

    item = write.item
    assert item.payload is not None and item.payload_hash is not None
    if write.done:
        return
    if _needs_lease(spec, item) and not write.leased:
        write.vtex_id = engine.apply_one(ctx, spec, item)  # binds itself, after waiting for the lease
        write.done = True
        return
    clients = ctx.clients
    if spec.upsert is not None and not spec.upsert_finds_then_creates:
        write.vtex_id, write.bound_hash = str(spec.upsert(clients, item.payload)), item.payload_hash
    elif spec.upsert is not None:
        fresh = write.creating and not write.pending
        upsert = spec.create_new if fresh else spec.upsert
        write.vtex_id, write.bound_hash = str(upsert(clients, item.payload)), item.payload_hash  # type: ignore[misc]
    elif item.action == Action.UPDATE:
        assert spec.update is not None and item.vtex_id is not None
        spec.update(clients, item.vtex_id, item.payload)
        write.vtex_id = item.vtex_id
    else:
        write.vtex_id, write.bound_hash, write.status = engine.create_call(ctx, spec, item, write.pending)


def _finish(ctx: SyncContext, spec: EntitySpec, chunk: Chunk, owner: str, keeper: leases.LeaseKeeper,
            errors: dict[int, BaseException | None]) -> None:
    """Wait for the chunk's calls, then record everything it came to in one transaction."""
    from vtex_sync.flows.engine import ForeignObjectError

    for write, future in zip(chunk.writes, chunk.futures, strict=True):
        write.error = future.result().error
    state, account = ctx.state, ctx.account
    created = [w for w in chunk.writes if w.error is None and not w.done and w.creating and spec.create]
    owners = state.erp_keys_for(account, spec.name, [w.vtex_id for w in created if w.vtex_id])
    for write in created:
        other = owners.get(str(write.vtex_id))
        if other is not None and other != write.item.key:
            message = f"{spec.name} {write.item.key}: VTEX id {write.vtex_id} is {other}'s"
            write.error = ForeignObjectError(message)
    bound, pushed, clear = [], [], []
    for write in chunk.writes:
        key = write.item.key
        if write.done and write.error is None:
            continue
        if write.error is None and write.bound_hash is not None:
            handle = spec.handle(write.item.payload)
            bound.append((key, str(write.vtex_id), write.bound_hash, write.status, handle))
        elif write.error is None:
            pushed.append((key, str(write.item.payload_hash)))
        if write.creating and (write.error is None or _refused(write.error)):
            clear.append(key)  # bound, or refused for good: nothing was made, no later run looks for it
    held = [w.item.key for w in chunk.writes if w.leased]
    bindings = state.finish_writes(account, spec.name, bound=bound, pushed=pushed, clear_intents=clear,
                                   release=held, owner=owner)
    keeper.drop(spec.name, held)
    for write in chunk.writes:
        binding = bindings.get(write.item.key)
        if binding is not None and binding.vtex_id:
            write.vtex_id = binding.vtex_id
        errors[id(write.item)] = write.error


def _refused(error: BaseException) -> bool:
    """VTEX refused the call for good (a 4xx other than 408 and 429): it made nothing."""
    from vtex_sync.flows.engine import ForeignObjectError

    if isinstance(error, ForeignObjectError):
        return True
    if isinstance(error, VtexAmbiguousWriteError) or not isinstance(error, VtexApiError):
        return False
    return error.status is not None and 400 <= error.status < 500 and error.status not in (408, 429)
