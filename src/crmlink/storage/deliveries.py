"""Notification deliveries: claiming channels, queueing notifications, logging every attempt.

A worker *claims* a channel by writing its name and a lease end into the channel row; while the
lease runs no other worker takes the channel, so one channel's notifications go out one at a time
and in order. On PostgreSQL the claim reads candidates ``FOR UPDATE SKIP LOCKED``: workers in
several processes claiming at the same moment each skip the rows another is claiming instead of
waiting for it, and never both take one. On SQLite the claim's write transaction already runs
alone. Every later write of the worker checks that it still holds the lease (``owner``), so a
worker whose lease ran out (it hung, or its process died and came back) cannot move a channel
another worker has taken over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, exists, func, insert, or_, select, tuple_, update

from crmlink.storage import tables
from crmlink.storage.watch import Channel, get

_w, _d, _a, _cc = tables.watch_channels, tables.deliveries, tables.delivery_attempts, tables.change_counters


def _candidates(owner: str, now: int) -> Select[Any]:
    """Channels with work due (changes after their cursor, or a pending notification due) that
    no other worker holds, those held longest ago first."""
    pending_due = exists().where(
        _d.c.org_id == _w.c.org_id,
        _d.c.channel_id == _w.c.channel_id,
        _d.c.state == "pending",
        _d.c.next_at <= now,
    )
    return (
        select(_w.c.org_id, _w.c.channel_id)
        .select_from(_w.outerjoin(_cc, _cc.c.org_id == _w.c.org_id))
        .where(
            _w.c.expires_at > now,
            or_(_w.c.lease_until < now, _w.c.lease_owner == owner),
            or_(_cc.c.value > _w.c.cursor, pending_due),
        )
        .order_by(_w.c.lease_until)
    )


def due(conn: Connection, owner: str, now: int, skip: set[tuple[int, int]]) -> bool:
    """Is there a channel ``claim`` would take? A read, so that a worker woken by a commit
    takes no write lock when there is nothing to send (an org without channels)."""
    rows = conn.execute(_candidates(owner, now).limit(len(skip) + 1))
    return any((r[0], r[1]) not in skip for r in rows)


def claim(
    conn: Connection, owner: str, now: int, lease_us: int, skip: set[tuple[int, int]], limit: int
) -> list[Channel]:
    """Channels with work due that no other worker holds, now held by ``owner`` until
    ``now + lease_us``."""
    query = _candidates(owner, now).limit(limit + len(skip))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=_w, skip_locked=True)
    rows = [(int(r[0]), int(r[1])) for r in conn.execute(query) if (r[0], r[1]) not in skip][:limit]
    out: list[Channel] = []
    for org_id, channel_id in rows:
        conn.execute(
            update(_w)
            .where(_w.c.org_id == org_id, _w.c.channel_id == channel_id)
            .values(lease_owner=owner, lease_until=now + lease_us)
        )
        channel = get(conn, org_id, channel_id)
        if channel is not None:
            out.append(channel)
    return out


def hold(conn: Connection, channel: Channel, owner: str, now: int, lease_us: int) -> Channel | None:
    """The channel as stored, its lease renewed, if ``owner`` still holds it (else None)."""
    result = conn.execute(
        update(_w)
        .where(
            _w.c.org_id == channel.org_id,
            _w.c.channel_id == channel.channel_id,
            _w.c.lease_owner == owner,
            _w.c.expires_at > now,
        )
        .values(lease_until=now + lease_us)
    )
    if result.rowcount != 1:
        return None
    return get(conn, channel.org_id, channel.channel_id)


def release(conn: Connection, channel: Channel, owner: str) -> None:
    conn.execute(
        update(_w)
        .where(
            _w.c.org_id == channel.org_id, _w.c.channel_id == channel.channel_id, _w.c.lease_owner == owner
        )
        .values(lease_owner=None, lease_until=0)
    )


@dataclass(frozen=True, slots=True)
class NewDelivery:
    id: int
    first_seq: int
    last_seq: int
    module: str
    operation: str
    payload: str


def queue(conn: Connection, channel: Channel, items: Sequence[NewDelivery], cursor: int, now: int) -> None:
    """Queue notifications built from the channel's changes up to ``cursor`` and move its cursor
    there, in one transaction (so each change is queued once)."""
    if items:
        conn.execute(
            insert(_d),
            [
                {
                    "org_id": channel.org_id,
                    "id": d.id,
                    "channel_id": channel.channel_id,
                    "first_seq": d.first_seq,
                    "last_seq": d.last_seq,
                    "module": d.module,
                    "operation": d.operation,
                    "payload": d.payload,
                    "notify_url": channel.notify_url,
                    "state": "pending",
                    "attempts": 0,
                    "next_at": now,
                    "created_at": now,
                    "done_at": None,
                }
                for d in items
            ],
        )
    conn.execute(
        update(_w)
        .where(_w.c.org_id == channel.org_id, _w.c.channel_id == channel.channel_id)
        .values(cursor=cursor)
    )


@dataclass(frozen=True, slots=True)
class Pending:
    org_id: int
    id: int
    channel_id: int
    payload: str
    notify_url: str
    attempts: int
    next_at: int


def head(conn: Connection, channel: Channel) -> Pending | None:
    """The channel's oldest pending notification (due or not): the only one that may go next."""
    row = conn.execute(
        select(
            _d.c.org_id, _d.c.id, _d.c.channel_id, _d.c.payload, _d.c.notify_url, _d.c.attempts, _d.c.next_at
        )
        .where(_d.c.org_id == channel.org_id, _d.c.channel_id == channel.channel_id, _d.c.state == "pending")
        .order_by(_d.c.first_seq)
        .limit(1)
    ).first()
    return Pending(*row) if row is not None else None


def record_attempt(
    conn: Connection,
    pending: Pending,
    *,
    at: int,
    status_code: int | None,
    latency_us: int,
    error: str | None,
    worker: str,
    state: str,
    next_at: int,
) -> None:
    """Log one attempt and move the notification to ``state`` (pending with ``next_at``,
    delivered or failed)."""
    attempt = pending.attempts + 1
    conn.execute(
        insert(_a).values(
            org_id=pending.org_id,
            delivery_id=pending.id,
            attempt=attempt,
            at=at,
            status_code=status_code,
            latency_us=latency_us,
            error=error,
            worker=worker,
        )
    )
    conn.execute(
        update(_d)
        .where(and_(_d.c.org_id == pending.org_id, _d.c.id == pending.id))
        .values(
            attempts=attempt,
            state=state,
            next_at=next_at,
            done_at=at if state != "pending" else None,
        )
    )


@dataclass(frozen=True, slots=True)
class Attempt:
    attempt: int
    at: int
    status_code: int | None
    latency_us: int
    error: str | None


@dataclass(frozen=True, slots=True)
class LoggedDelivery:
    id: int
    channel_id: int
    first_seq: int
    last_seq: int
    module: str
    operation: str
    payload: str
    notify_url: str
    state: str
    attempts: int
    created_at: int
    done_at: int | None
    tries: list[Attempt]


def log(
    conn: Connection, org_id: int, *, channel_id: int | None, after_id: int, limit: int
) -> list[LoggedDelivery]:
    """The org's notifications (by id, after ``after_id``), each with every attempt."""
    query = select(
        _d.c.id,
        _d.c.channel_id,
        _d.c.first_seq,
        _d.c.last_seq,
        _d.c.module,
        _d.c.operation,
        _d.c.payload,
        _d.c.notify_url,
        _d.c.state,
        _d.c.attempts,
        _d.c.created_at,
        _d.c.done_at,
    ).where(_d.c.org_id == org_id, _d.c.id > after_id)
    if channel_id is not None:
        query = query.where(_d.c.channel_id == channel_id)
    rows = conn.execute(query.order_by(_d.c.id).limit(limit)).all()
    ids = [int(r[0]) for r in rows]
    tries: dict[int, list[Attempt]] = {i: [] for i in ids}
    if ids:
        for t in conn.execute(
            select(_a.c.delivery_id, _a.c.attempt, _a.c.at, _a.c.status_code, _a.c.latency_us, _a.c.error)
            .where(_a.c.org_id == org_id, _a.c.delivery_id.in_(ids))
            .order_by(_a.c.delivery_id, _a.c.attempt)
        ):
            tries[int(t[0])].append(Attempt(int(t[1]), int(t[2]), t[3], int(t[4]), t[5]))
    return [LoggedDelivery(*r, tries=tries[int(r[0])]) for r in rows]  # type: ignore[call-arg]


def lookup_targets(
    conn: Connection, org_id: int, record_ids: Sequence[int]
) -> dict[int, list[tuple[int, str]]]:
    """``{record id: [(target id, target module)]}``: the records the lookups of each point at."""
    if not record_ids:
        return {}
    lk, r = tables.lookups, tables.records
    rows = conn.execute(
        select(lk.c.record_id, r.c.id, r.c.module)
        .select_from(lk.join(r, and_(r.c.org_id == lk.c.org_id, r.c.id == lk.c.target_id)))
        .where(lk.c.org_id == org_id, lk.c.record_id.in_(list(record_ids)))
    )
    out: dict[int, list[tuple[int, str]]] = {}
    for record_id, target, module in rows:
        out.setdefault(int(record_id), []).append((int(target), str(module)))
    return out


def prune(conn: Connection, before_at: int, batch: int = 5000) -> int:
    """Delete up to ``batch`` finished notifications (delivered, failed or cancelled) done before
    ``before_at`` (microseconds), with their attempts; pending ones are never pruned. Returns how
    many notifications went."""
    done = (
        select(_d.c.org_id, _d.c.id)
        # A cancelled notification has no done_at: its creation time counts.
        .where(_d.c.state != "pending", func.coalesce(_d.c.done_at, _d.c.created_at) < before_at)
        .limit(batch)
    )
    keys = [(row.org_id, row.id) for row in conn.execute(done)]
    if not keys:
        return 0
    conn.execute(delete(_a).where(tuple_(_a.c.org_id, _a.c.delivery_id).in_(keys)))
    conn.execute(delete(_d).where(tuple_(_d.c.org_id, _d.c.id).in_(keys)))
    return len(keys)
