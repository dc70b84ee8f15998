"""Notification channels: the rows behind ``/actions/watch``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy import Connection, delete, insert, select, update

from crmlink.storage import tables

_w = tables.watch_channels


@dataclass(frozen=True, slots=True)
class Channel:
    org_id: int
    channel_id: int
    events: tuple[str, ...]
    notify_url: str
    token: str | None
    expires_at: int
    notify_on_related_action: bool
    return_affected_field_values: bool
    resource_base: str
    cursor: int


_COLUMNS = (
    _w.c.org_id,
    _w.c.channel_id,
    _w.c.events,
    _w.c.notify_url,
    _w.c.token,
    _w.c.expires_at,
    _w.c.notify_on_related_action,
    _w.c.return_affected_field_values,
    _w.c.resource_base,
    _w.c.cursor,
)


def _channel(row: Sequence[object]) -> Channel:
    events = msgspec.json.decode(str(row[2]), type=list[str])
    return Channel(
        int(row[0]),  # type: ignore[call-overload]
        int(row[1]),  # type: ignore[call-overload]
        tuple(events),
        str(row[3]),
        None if row[4] is None else str(row[4]),
        int(row[5]),  # type: ignore[call-overload]
        bool(row[6]),
        bool(row[7]),
        str(row[8]),
        int(row[9]),  # type: ignore[call-overload]
    )


def get(conn: Connection, org_id: int, channel_id: int, *, for_update: bool = False) -> Channel | None:
    query = select(*_COLUMNS).where(_w.c.org_id == org_id, _w.c.channel_id == channel_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return _channel(row) if row is not None else None


def list_live(conn: Connection, org_id: int, now: int) -> list[Channel]:
    """The org's channels that have not expired, by channel id."""
    rows = conn.execute(
        select(*_COLUMNS).where(_w.c.org_id == org_id, _w.c.expires_at > now).order_by(_w.c.channel_id)
    )
    return [_channel(row) for row in rows]


def save(conn: Connection, channel: Channel, actor_id: int, now: int, *, exists: bool) -> None:
    """Insert or replace a channel's subscription (its cursor and lease are kept on replace)."""
    values = {
        "events": msgspec.json.encode(list(channel.events)).decode(),
        "notify_url": channel.notify_url,
        "token": channel.token,
        "expires_at": channel.expires_at,
        "notify_on_related_action": channel.notify_on_related_action,
        "return_affected_field_values": channel.return_affected_field_values,
        "resource_base": channel.resource_base,
        "modified_at": now,
    }
    if exists:
        conn.execute(
            update(_w)
            .where(_w.c.org_id == channel.org_id, _w.c.channel_id == channel.channel_id)
            .values(values)
        )
        return
    conn.execute(
        insert(_w).values(
            org_id=channel.org_id,
            channel_id=channel.channel_id,
            created_by=actor_id,
            created_at=now,
            cursor=channel.cursor,
            lease_owner=None,
            lease_until=0,
            **values,
        )
    )


def remove(conn: Connection, org_id: int, channel_id: int) -> None:
    """Drop the channel and the notifications it has not sent yet (sent ones stay in the log)."""
    conn.execute(delete(_w).where(_w.c.org_id == org_id, _w.c.channel_id == channel_id))
    d = tables.deliveries
    conn.execute(
        update(d)
        .where(d.c.org_id == org_id, d.c.channel_id == channel_id, d.c.state == "pending")
        .values(state="cancelled")
    )
