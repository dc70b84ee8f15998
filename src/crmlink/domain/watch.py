"""Zoho's notification channels (``/crm/{v}/actions/watch``): enable, list, replace, patch, disable.

Each request item is answered in input order: ``SUCCESS`` or its own error (Zoho answers 202
when any item fails; spec §11). What the spec leaves open, decided here (docs/notifications.md):

* ``POST`` on an existing channel re-subscribes it: the events given are added, the other keys
  given replace theirs and the expiry restarts (clients renew a channel by enabling it again). An
  expired channel enabled again starts afresh (no backlog from while it was expired).
* ``channel_expiry`` missing or past Zoho's v2/v2.1 maximum of one day: one hour from now; in the
  past: ``INVALID_DATA``.
* ``PATCH`` with ``_delete_events`` removing a channel's last event disables the channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from crmlink.domain.catalog import Catalog
from crmlink.domain.clock import iso, parse_iso
from crmlink.domain.ids import parse_id
from crmlink.domain.url_policy import UrlPolicy
from crmlink.errors import CRMError, InvalidData, InvalidModule, MandatoryNotFound, NotSubscribed
from crmlink.storage import changes, watch
from crmlink.storage.connection import Connection
from crmlink.storage.watch import Channel

OPERATIONS = ("create", "edit", "delete")
HOUR_US = 3600 * 1_000_000
MAX_EXPIRY_US = 24 * HOUR_US  # Zoho v2/v2.1: at most one day
TOKEN_MAX = 50

SUBSCRIBED = "Successfully subscribed for actions-watch of the given module"
UPDATED = "Successfully updated the subscribe details"
REMOVED = "Successfully removed the subscribe details"
UNSUBSCRIBED = "Successfully un-subscribed from actions-watch"
NOT_SUBSCRIBED_CHANNEL = "Not subscribed for actions-watch of the given channel"
NOT_SUBSCRIBED_MODULE = "Not subscribed for actions-watch of the given module/channel"


@dataclass(slots=True)
class _Item:
    """A checked request item: the keys it gave."""

    channel_id: int
    given: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Context:
    catalog: Catalog
    policy: UrlPolicy
    resource_base: str  # "https://host/crm/v2/"
    org_id: int
    actor_id: int
    now: int


def modules_of(events: Sequence[str]) -> list[str]:
    """The modules named in ``events``, in first-appearance order."""
    out: list[str] = []
    for event in events:
        module = event.rsplit(".", 1)[0]
        if module not in out:
            out.append(module)
    return out


def _path(index: int, key: str | None = None) -> str:
    return f"$.watch[{index}]" + (f".{key}" if key else "")


def _bad(index: int, key: str, **details: Any) -> InvalidData:
    return InvalidData(details={"api_name": key, "json_path": _path(index, key), **details})


def _events(ctx: Context, raw: Any, index: int) -> list[str] | CRMError:
    if not isinstance(raw, list) or not raw:
        return _bad(index, "events", expected_data_type="jsonarray")
    out: list[str] = []
    for j, event in enumerate(raw):
        if not isinstance(event, str) or "." not in event:
            return _bad(index, "events")
        name, op = event.rsplit(".", 1)
        module = ctx.catalog.find_module(name)
        if module is None:
            return InvalidModule(
                details={"api_name": "events", "json_path": f"{_path(index, 'events')}[{j}]"}
            )
        if op not in (*OPERATIONS, "all"):
            return InvalidData(details={"api_name": "events", "json_path": f"{_path(index, 'events')}[{j}]"})
        for one in OPERATIONS if op == "all" else (op,):
            full = f"{module.api_name}.{one}"
            if full not in out:
                out.append(full)
    return out


def _check(ctx: Context, raw: Any, index: int, *, required: Sequence[str]) -> _Item | CRMError:
    """Shape and values of one item; ``required`` keys must be present."""
    if not isinstance(raw, dict):
        return InvalidData(details={"expected_data_type": "jsonobject", "json_path": _path(index)})
    for key in ("channel_id", *required):
        if raw.get(key) is None:
            return MandatoryNotFound(details={"api_name": key, "json_path": _path(index, key)})
    channel_id = parse_id(raw["channel_id"]) if not isinstance(raw["channel_id"], bool) else None
    if channel_id is None:
        return _bad(index, "channel_id", expected_data_type="long")
    item = _Item(channel_id)
    if raw.get("events") is not None:
        events = _events(ctx, raw["events"], index)
        if isinstance(events, CRMError):
            return events
        item.given["events"] = events
    if raw.get("notify_url") is not None:
        url = raw["notify_url"]
        if not isinstance(url, str) or ctx.policy.check_url(url) is not None:
            return _bad(index, "notify_url")
        item.given["notify_url"] = url
    if "token" in raw:
        token = raw["token"]
        if token is not None and (not isinstance(token, str) or len(token) > TOKEN_MAX):
            return _bad(index, "token", maximum_length=TOKEN_MAX)
        item.given["token"] = token or None
    if raw.get("channel_expiry") is not None:
        text = raw["channel_expiry"]
        at = parse_iso(text) if isinstance(text, str) else None
        if at is None or at <= ctx.now:
            return _bad(index, "channel_expiry", expected_data_type="datetime")
        item.given["expires_at"] = at
    for key in ("notify_on_related_action", "return_affected_field_values"):
        if raw.get(key) is not None:
            if not isinstance(raw[key], bool):
                return _bad(index, key, expected_data_type="boolean")
            item.given[key] = raw[key]
    if raw.get("_delete_events") is not None:
        if not isinstance(raw["_delete_events"], bool):
            return _bad(index, "_delete_events", expected_data_type="boolean")
        item.given["_delete_events"] = raw["_delete_events"]
    return item


def expiry(ctx: Context, given: int | None) -> int:
    """A requested expiry, or one hour when missing or past the one-day maximum."""
    if given is None or given > ctx.now + MAX_EXPIRY_US:
        return ctx.now + HOUR_US
    return given


def resource(ctx: Context, module: str) -> dict[str, str]:
    mod = ctx.catalog.module_map[module]
    return {"resource_uri": ctx.resource_base + module, "resource_id": mod.id, "resource_name": module}


def _success(
    ctx: Context, channel: Channel, message: str, modules: Sequence[str] | None = None
) -> dict[str, Any]:
    events = [
        {
            "channel_expiry": iso(channel.expires_at),
            **resource(ctx, module),
            "channel_id": str(channel.channel_id),
        }
        for module in (modules if modules is not None else modules_of(channel.events))
    ]
    return {"code": "SUCCESS", "details": {"events": events}, "message": message, "status": "success"}


def _new_channel(ctx: Context, conn: Connection, item: _Item) -> Channel:
    g = item.given
    return Channel(
        org_id=ctx.org_id,
        channel_id=item.channel_id,
        events=tuple(g["events"]),
        notify_url=g["notify_url"],
        token=g.get("token"),
        expires_at=expiry(ctx, g.get("expires_at")),
        notify_on_related_action=g.get("notify_on_related_action", True),
        return_affected_field_values=g.get("return_affected_field_values", False),
        resource_base=ctx.resource_base,
        # Changes committed from now on (storage/changes.py: numbers become visible in order).
        cursor=changes.last_seq(conn, ctx.org_id),
    )


def enable(conn: Connection, ctx: Context, items: Sequence[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, raw in enumerate(items):
        item = _check(ctx, raw, index, required=("events", "notify_url"))
        if isinstance(item, CRMError):
            out.append(item.as_item())
            continue
        old = watch.get(conn, ctx.org_id, item.channel_id, for_update=True)
        channel = _new_channel(ctx, conn, item)
        if old is not None and old.expires_at > ctx.now:
            merged = list(old.events) + [e for e in channel.events if e not in old.events]
            g = item.given
            channel = replace(
                channel,
                events=tuple(merged),
                token=g.get("token", old.token),
                notify_on_related_action=g.get("notify_on_related_action", old.notify_on_related_action),
                return_affected_field_values=g.get(
                    "return_affected_field_values", old.return_affected_field_values
                ),
                cursor=old.cursor,
            )
        watch.save(conn, channel, ctx.actor_id, ctx.now, exists=old is not None)
        out.append(_success(ctx, channel, SUBSCRIBED, modules_of(item.given["events"])))
    return out


def replace_all(conn: Connection, ctx: Context, items: Sequence[Any]) -> list[dict[str, Any]]:
    """PUT: the whole subscription is the item's; keys left out go back to their defaults."""
    out: list[dict[str, Any]] = []
    for index, raw in enumerate(items):
        item = _check(ctx, raw, index, required=("events", "notify_url"))
        if isinstance(item, CRMError):
            out.append(item.as_item())
            continue
        old = watch.get(conn, ctx.org_id, item.channel_id, for_update=True)
        if old is None or old.expires_at <= ctx.now:
            out.append(_not_subscribed(index))
            continue
        channel = replace(_new_channel(ctx, conn, item), cursor=old.cursor)
        watch.save(conn, channel, ctx.actor_id, ctx.now, exists=True)
        out.append(_success(ctx, channel, UPDATED))
    return out


def patch(conn: Connection, ctx: Context, items: Sequence[Any]) -> list[dict[str, Any]]:
    """PATCH: only the keys given change; with ``_delete_events``, the events given go."""
    out: list[dict[str, Any]] = []
    for index, raw in enumerate(items):
        removing = isinstance(raw, dict) and raw.get("_delete_events") is True
        item = _check(ctx, raw, index, required=("events",) if removing else ())
        if isinstance(item, CRMError):
            out.append(item.as_item())
            continue
        old = watch.get(conn, ctx.org_id, item.channel_id, for_update=True)
        if old is None or old.expires_at <= ctx.now:
            out.append(_not_subscribed(index))
            continue
        g = item.given
        if removing:
            gone = g["events"]
            if not set(gone) & set(old.events):
                out.append(_not_subscribed(index))
                continue
            left = tuple(e for e in old.events if e not in gone)
            channel = replace(old, events=left)
            if left:
                watch.save(conn, channel, ctx.actor_id, ctx.now, exists=True)
            else:
                watch.remove(conn, ctx.org_id, old.channel_id)
            out.append(_success(ctx, channel, REMOVED, modules_of(gone)))
            continue
        channel = replace(
            old,
            events=tuple(g.get("events", old.events)),
            notify_url=g.get("notify_url", old.notify_url),
            token=g.get("token", old.token),
            expires_at=expiry(ctx, g["expires_at"]) if "expires_at" in g else old.expires_at,
            notify_on_related_action=g.get("notify_on_related_action", old.notify_on_related_action),
            return_affected_field_values=g.get(
                "return_affected_field_values", old.return_affected_field_values
            ),
        )
        watch.save(conn, channel, ctx.actor_id, ctx.now, exists=True)
        out.append(_success(ctx, channel, UPDATED))
    return out


def disable(conn: Connection, ctx: Context, channel_ids: Sequence[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for channel_id in channel_ids:
        old = watch.get(conn, ctx.org_id, channel_id, for_update=True)
        if old is None or old.expires_at <= ctx.now:
            out.append(NotSubscribed(NOT_SUBSCRIBED_CHANNEL, {"channel_id": str(channel_id)}).as_item())
            continue
        watch.remove(conn, ctx.org_id, channel_id)
        for module in modules_of(old.events):
            r = resource(ctx, module)
            details = {
                "resource_uri": r["resource_uri"],
                "resource_id": r["resource_id"],
                "channel_id": str(channel_id),
            }
            out.append({"code": "SUCCESS", "details": details, "message": UNSUBSCRIBED, "status": "success"})
    return out


def _not_subscribed(index: int) -> dict[str, Any]:
    return NotSubscribed(
        NOT_SUBSCRIBED_MODULE, {"api_name": "channel_id", "json_path": _path(index, "channel_id")}
    ).as_item()


def details(
    conn: Connection, ctx: Context, *, channel_id: int | None, module: str | None
) -> list[dict[str, Any]]:
    """GET: one entry per live channel and module it watches."""
    out: list[dict[str, Any]] = []
    for channel in watch.list_live(conn, ctx.org_id, ctx.now):
        if channel_id is not None and channel.channel_id != channel_id:
            continue
        for name in modules_of(channel.events):
            if module is not None and name != module:
                continue
            entry: dict[str, Any] = {
                "notify_on_related_action": channel.notify_on_related_action,
                "channel_expiry": iso(channel.expires_at),
                **{k: v for k, v in resource(ctx, name).items() if k != "resource_name"},
                "notify_url": channel.notify_url,
                "resource_name": name,
                "channel_id": str(channel.channel_id),
                "events": [e for e in channel.events if e.rsplit(".", 1)[0] == name],
                "token": channel.token,
            }
            if channel.return_affected_field_values:
                entry["return_affected_field_values"] = True
            out.append(entry)
    return out
