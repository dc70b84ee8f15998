"""Which notifications a channel gets for a run of changes, in Zoho's callback shape (spec §11.1).

A record change of module ``M`` is notified when the channel watches ``M.create`` (operation
``insert``), ``M.edit`` (``update``) or ``M.delete`` (``delete``). With
``notify_on_related_action`` (the default), a change *through an associated record* is also
notified, as an ``update`` of that record, when the channel watches its module's ``edit``
(decided here, spec UNCONFIRMED; docs/notifications.md):

* a link added, updated or removed (a Lead related to a Campaign): an ``update`` of each side,
  ``affected_fields`` naming the related list that changed (``{"<lead id>": ["Campaigns"]}``);
* a record created, updated or deleted that looks up another record (a Contact of an Account):
  an ``update`` of the record looked up, ``affected_fields`` naming the related list of the
  changed record's module (``{"<account id>": ["Contacts"]}``).

Consecutive notifications of the same module and operation are sent as one callback with several
``ids`` (at most 100), as Zoho batches them. ``affected_fields`` lists, per id, the fields whose
value changed (``[]`` for insert and delete); ``affected_values`` (only with
``return_affected_field_values``) gives their new values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec

from crmlink.domain.catalog import SE_MODULE, Catalog
from crmlink.storage.changes import ChangeRow
from crmlink.storage.watch import Channel

MAX_IDS = 100

_OPERATION = {"created": ("create", "insert"), "updated": ("edit", "update"), "deleted": ("delete", "delete")}
_decode = msgspec.json.decode


@dataclass(slots=True)
class Notification:
    """One callback to send: built from changes ``first_seq``..``last_seq``."""

    module: str
    operation: str
    first_seq: int
    last_seq: int
    ids: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def payload(self, channel: Channel) -> dict[str, Any]:
        """The callback body without ``server_time`` (added when it is sent)."""
        body: dict[str, Any] = {
            "query_params": query_params(channel.notify_url),
            "module": self.module,
            "resource_uri": channel.resource_base + self.module,
            "ids": self.ids,
            "affected_fields": (
                [{i: self.fields.get(i, [])} for i in self.ids] if self.operation == "update" else []
            ),
        }
        if channel.return_affected_field_values:
            body["affected_values"] = (
                [{"record_id": i, "values": self.values.get(i, {})} for i in self.ids]
                if self.operation == "update"
                else []
            )
        body["operation"] = self.operation
        body["channel_id"] = str(channel.channel_id)
        if channel.token is not None:
            body["token"] = channel.token
        return body


def query_params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


@dataclass(frozen=True, slots=True)
class _Hit:
    module: str
    operation: str
    record_id: str
    fields: tuple[str, ...]
    values: dict[str, Any]


def build(
    catalog: Catalog,
    channel: Channel,
    rows: Sequence[ChangeRow],
    lookups: dict[int, list[tuple[int, str]]],
) -> list[Notification]:
    """The channel's notifications for ``rows`` (in order). ``lookups``: for record changes, the
    records each record looks up now (``storage.deliveries.lookup_targets``)."""
    watched = set(channel.events)
    # A record deleted is not also notified as updated by the links its own delete removed.
    deleted = {str(r.record_id) for r in rows if r.kind == "record" and r.action == "deleted"}
    out: list[Notification] = []
    for row in rows:
        for hit in _hits(catalog, channel, watched, row, lookups):
            if row.action == "removed_by_delete" and hit.record_id in deleted:
                continue
            last = out[-1] if out else None
            if (
                last is None
                or (last.module, last.operation) != (hit.module, hit.operation)
                or (hit.record_id not in last.ids and len(last.ids) >= MAX_IDS)
            ):
                last = Notification(hit.module, hit.operation, row.seq, row.seq)
                out.append(last)
            last.last_seq = row.seq
            if hit.record_id not in last.ids:
                last.ids.append(hit.record_id)
            known = last.fields.setdefault(hit.record_id, [])
            known += [f for f in hit.fields if f not in known]
            last.values.setdefault(hit.record_id, {}).update(hit.values)
    return out


def _hits(
    catalog: Catalog,
    channel: Channel,
    watched: set[str],
    row: ChangeRow,
    lookups: dict[int, list[tuple[int, str]]],
) -> list[_Hit]:
    hits: list[_Hit] = []
    related = channel.notify_on_related_action
    if row.kind == "record" and row.module is not None and row.record_id is not None:
        event, operation = _OPERATION[row.action]
        if f"{row.module}.{event}" in watched:
            new = _decode(row.new_data) if row.new_data else {}
            changed = tuple(new) if row.action == "updated" else ()
            values = new if row.action == "updated" else {}
            hits.append(_Hit(row.module, operation, str(row.record_id), changed, values))
        if related:
            for target, module in _looked_up(catalog, row, lookups):
                if f"{module}.edit" in watched:
                    hits.append(
                        _Hit(module, "update", str(target), (_list_name(catalog, module, row.module),), {})
                    )
        return hits
    relation = catalog.relation_map.get(row.relation or "")
    if not related or relation is None or row.left_id is None or row.right_id is None:
        return hits
    for module, record_id, other in (
        (relation.left, row.left_id, relation.right),
        (relation.right, row.right_id, relation.left),
    ):
        if f"{module}.edit" in watched:
            hits.append(_Hit(module, "update", str(record_id), (_list_name(catalog, module, other),), {}))
    return hits


def _looked_up(
    catalog: Catalog, row: ChangeRow, lookups: dict[int, list[tuple[int, str]]]
) -> list[tuple[int, str]]:
    """Records the changed record looks up: now (from the lookups table), and, from the stored
    values, the ones a delete or a lookup change left behind."""
    assert row.record_id is not None and row.module is not None
    found = list(lookups.get(row.record_id, []))
    module = catalog.module_map.get(row.module)
    if module is None:
        return found
    for text in (row.old_data, row.new_data):
        data = _decode(text) if text else {}
        for name, value in data.items():
            f = module.field_map.get(name)
            if f is None or f.data_type != "lookup" or not isinstance(value, dict) or "id" not in value:
                continue
            target_module = data.get("$se_module") if f.lookup_module == SE_MODULE else f.lookup_module
            if isinstance(target_module, str) and target_module in catalog.module_map:
                pair = (int(value["id"]), target_module)
                if pair not in found:
                    found.append(pair)
    return found


def _list_name(catalog: Catalog, module: str, other: str) -> str:
    """The api name of ``module``'s related list of ``other`` records (``other`` if none)."""
    mod = catalog.module_map.get(module)
    if mod is not None:
        for rl in mod.related_lists:
            if rl.module == other:
                return rl.api_name
    return other
