"""The change feed (crmlink's own, beyond Zoho): every record and link change of an org, in
commit order, read after a cursor.

A cursor is the decimal number of the last change a reader has seen (``"0"``: before the first).
Changes are numbered per org in commit order (storage/changes.py), so reading ``since`` a cursor
never skips a committed change nor repeats one. The answer's ``next_cursor`` is the number of the
last change read, including changes the caller may not see (modules its profile or token may not
read are left out, but the cursor still moves past them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from crmlink.domain.auth import VIEW, Actor, Operation, module_scope_allows
from crmlink.domain.catalog import Catalog
from crmlink.errors import InvalidData
from crmlink.storage import changes, deliveries
from crmlink.storage.changes import ChangeRow
from crmlink.storage.connection import Connection

MAX_LIMIT = 1000
DEFAULT_LIMIT = 200

_decode = msgspec.json.decode


@dataclass(frozen=True, slots=True)
class FeedPage:
    changes: list[dict[str, Any]]
    next_cursor: int
    more: bool


def parse_cursor(raw: str | None, name: str = "since") -> int:
    """``since``: a decimal change number (absent: ``0``, the beginning)."""
    if raw is None or raw == "":
        return 0
    if not raw.isdigit() or len(raw) > 19:
        raise InvalidData(details={"param_name": name})
    return int(raw)


def read(
    conn: Connection, catalog: Catalog, org_id: int, since: int, limit: int, actor: Actor | None = None
) -> FeedPage:
    """Up to ``limit`` changes after ``since``; with ``actor``, only those of modules it may read
    (without: all, for the CLI). ``INVALID_DATA`` (param ``since``) for a cursor past the org's
    last change, or older than the oldest change retention kept (the reader missed changes and
    must resynchronize; ``details.oldest_cursor`` says where the log starts)."""
    last = changes.last_seq(conn, org_id)
    if since > last:
        raise InvalidData("the cursor given seems to be invalid", {"param_name": "since"})
    first = changes.first_seq(conn, org_id)
    oldest = (first - 1) if first is not None else last
    if since < oldest:
        raise InvalidData(
            "the changes after the cursor given are no longer kept",
            {"param_name": "since", "oldest_cursor": str(oldest)},
        )
    rows = changes.read(conn, org_id, since, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    visible = _Visibility(catalog, actor) if actor is not None else None
    out = [render(catalog, row) for row in rows if visible is None or visible.row(catalog, row)]
    return FeedPage(out, rows[-1].seq if rows else since, more)


#: How far back the console's history of a record looks: the org's last changes, this many.
HISTORY_WINDOW = 20_000


@dataclass(frozen=True, slots=True)
class History:
    changes: list[dict[str, Any]]
    cut: bool  # older changes are kept but were not looked at (outside the window)


def record_history(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    record_id: int,
    actor: Actor,
    limit: int = DEFAULT_LIMIT,
    window: int = HISTORY_WINDOW,
) -> History:
    """The changes of one record and of every link it has or had, newest first, as the feed
    renders them, leaving out what ``actor`` may not read (the console's history page). Only
    the org's last ``window`` changes are looked at, which bounds the page's time whatever the
    size of the log (200k changes: 140-230 ms without the bound, measured)."""
    visible = _Visibility(catalog, actor)
    floor = max(changes.last_seq(conn, org_id) - window, 0)
    first = changes.first_seq(conn, org_id)
    rows = changes.of_record(conn, org_id, record_id, limit, after=floor)
    shown = [render(catalog, row) for row in rows if visible.row(catalog, row)]
    return History(shown, first is not None and first <= floor)


class _Visibility:
    """Which modules the caller may read (token scope and profile), cached per module."""

    def __init__(self, catalog: Catalog, actor: Actor) -> None:
        self._catalog, self._actor = catalog, actor
        self._seen: dict[str, bool] = {}

    def module(self, name: str) -> bool:
        found = self._seen.get(name)
        if found is None:
            module = self._catalog.find_module(name)
            found = module is not None and (
                module_scope_allows(self._actor.scopes, module.scope_name, Operation.READ)
                and self._actor.may(module.api_name, VIEW)
            )
            self._seen[name] = found
        return found

    def row(self, catalog: Catalog, row: ChangeRow) -> bool:
        if row.kind == "record":
            return row.module is not None and self.module(row.module)
        relation = catalog.relation_map.get(row.relation or "")
        return relation is not None and self.module(relation.left) and self.module(relation.right)


def time_text(us: int) -> str:
    return datetime.fromtimestamp(us / 1_000_000, UTC).isoformat(timespec="milliseconds")


def render(catalog: Catalog, row: ChangeRow) -> dict[str, Any]:
    """One change as the feed shows it (docs/notifications.md, "The change feed")."""
    out: dict[str, Any] = {
        "cursor": str(row.seq),
        "time": time_text(row.at),
        "actor": {"id": str(row.actor_id)},
        "type": row.kind,
        "action": row.action,
    }
    if row.kind == "record":
        out["module"] = row.module
        out["id"] = str(row.record_id)
    else:
        relation = catalog.relation_map[row.relation or ""]
        out["relation"] = row.relation
        out["left"] = {"module": relation.left, "id": str(row.left_id)}
        out["right"] = {"module": relation.right, "id": str(row.right_id)}
    out["old"] = _decode(row.old_data) if row.old_data is not None else None
    out["new"] = _decode(row.new_data) if row.new_data is not None else None
    return out


def delivery_log(
    conn: Connection, org_id: int, *, channel_id: int | None, after: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` logged notifications after id ``after``; whether more follow."""
    rows = deliveries.log(conn, org_id, channel_id=channel_id, after_id=after, limit=limit + 1)
    return [render_delivery(d) for d in rows[:limit]], len(rows) > limit


def render_delivery(d: Any) -> dict[str, Any]:
    """A logged notification (``storage.deliveries.LoggedDelivery``) and its attempts."""
    payload = _decode(d.payload)
    return {
        "id": str(d.id),
        "channel_id": str(d.channel_id),
        "module": d.module,
        "operation": d.operation,
        "ids": payload.get("ids", []),
        "changes": {"first_cursor": str(d.first_seq), "last_cursor": str(d.last_seq)},
        "notify_url": d.notify_url,
        "state": d.state,
        "attempts": [
            {
                "attempt": t.attempt,
                "time": time_text(t.at),
                "status_code": t.status_code,
                "latency_ms": round(t.latency_us / 1000, 3),
                "error": t.error,
            }
            for t in d.tries
        ],
        "created_time": time_text(d.created_at),
        "done_time": time_text(d.done_at) if d.done_at is not None else None,
    }
