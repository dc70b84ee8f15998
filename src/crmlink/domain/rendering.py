"""Rows of ``records`` as Zoho renders them: every field of the module (null when empty), users
as objects, lookups as ``{"name","id"}``, then the system fields and ``id``, and for a related
list the relation's fields.

A page is 200 records, so the work per record is what counts. What depends only on the module,
the ``fields`` selection and the relation (which keys, in which order, which of them are owners,
lookups or system fields) is worked out once into a ``_Plan``. A record is then a copy of the
plan's template dict (every key in place, ``None``) filled in: the stored field values in one
``update`` when the stored keys all have their place in the template (the usual case), then
owners, lookups, system fields, ``id`` and relation fields by assignment, which keeps each key
where the template put it. The keys, their order and the values are those of assigning every
key in turn; the template only saves the per-field checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import msgspec

from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, FieldDef, ModuleDef, RelationDef
from crmlink.domain.clock import iso_seconds
from crmlink.domain.orgs import user_refs
from crmlink.domain.values import lookup_id
from crmlink.storage.connection import Connection
from crmlink.storage.records import RecordRow, named_records

_decode = msgspec.json.decode

SE_MODULE_KEY = "$se_module"
LINE_TAX_KEY = "$line_tax"
_LOOKUP_TYPES = frozenset({"lookup"})
_OWNER_AND_LOOKUP_TYPES = _LOOKUP_TYPES | {"ownerlookup", "userlookup"}
# Columns of a ``RecordRow`` (storage/records.py): rendering reads them by position, as the rows
# come from the driver's cursor; this is the hottest loop of every read.
_MODULE, _OWNER, _CREATED_BY, _MODIFIED_BY = itemgetter(1), itemgetter(3), itemgetter(4), itemgetter(5)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to render records of one module for one ``fields`` selection and relation."""

    module: ModuleDef
    relation: RelationDef | None
    template: dict[str, Any]  # every key of a record, in order (values None)
    se_template: dict[str, Any]  # the same with ``$se_module`` after the module's fields
    placed: frozenset[str]  # stored keys whose place is in the template (may be overwritten)
    plain: tuple[str, ...]  # fields rendered as stored
    owners: tuple[str, ...]
    lookups: tuple[str, ...]
    user_fields: tuple[str, ...]  # userlookup fields: a user's {name, id, email}
    created_time: bool
    modified_time: bool
    created_by: bool
    modified_by: bool
    link_fields: tuple[str, ...]

    @staticmethod
    def build(module: ModuleDef, wanted: frozenset[str] | None, relation: RelationDef | None) -> _Plan:
        def keep(f: FieldDef) -> bool:
            return wanted is None or f.api_name in wanted

        fields = [f for f in module.fields if keep(f)]
        names = [f.api_name for f in fields]
        if any(f.data_type == "subform" for f in module.fields) and "Grand_Total" in module.field_map:
            names.append(LINE_TAX_KEY)  # an order's taxes, after its fields (spec schema 1.5)
        system = [
            key
            for key in ("Created_Time", "Modified_Time", "Created_By", "Modified_By")
            if wanted is None or key in wanted
        ]
        links = [f.api_name for f in (relation.fields if relation else ()) if keep(f)]
        return _Plan(
            module=module,
            relation=relation,
            template=dict.fromkeys([*names, *system, "id", *links]),
            se_template=dict.fromkeys([*names, SE_MODULE_KEY, *system, "id", *links]),
            placed=frozenset([*names, SE_MODULE_KEY]),
            plain=tuple(f.api_name for f in fields if f.data_type not in _OWNER_AND_LOOKUP_TYPES),
            owners=tuple(f.api_name for f in fields if f.data_type == "ownerlookup"),
            lookups=tuple(f.api_name for f in fields if f.data_type in _LOOKUP_TYPES),
            user_fields=tuple(f.api_name for f in fields if f.data_type == "userlookup"),
            created_time="Created_Time" in system,
            modified_time="Modified_Time" in system,
            created_by="Created_By" in system,
            modified_by="Modified_By" in system,
            link_fields=tuple(links),
        )

    def records(
        self,
        rows: Sequence[RecordRow],
        decoded: Sequence[dict[str, Any]],
        users: dict[int, dict[str, str]],
        names: dict[int, str | None],
    ) -> list[dict[str, Any]]:
        """The records of ``rows`` (all of this plan's module), their stored data ``decoded``."""
        template, se_template, placed, plain = self.template, self.se_template, self.placed, self.plain
        owners, lookups, link_fields = self.owners, self.lookups, self.link_fields
        created_time, modified_time = self.created_time, self.modified_time
        created_by, modified_by = self.created_by, self.modified_by
        out: list[dict[str, Any]] = []
        append = out.append
        for row, data in zip(rows, decoded, strict=True):
            record = (se_template if SE_MODULE_KEY in data else template).copy()
            if data.keys() <= placed:
                record.update(data)
            else:
                for name in plain:
                    if name in data:
                        record[name] = data[name]
                if SE_MODULE_KEY in data:
                    record[SE_MODULE_KEY] = data[SE_MODULE_KEY]
            for name in owners:
                record[name] = users.get(row[3])
            for name in lookups:
                ref = lookup_id(data.get(name))
                record[name] = {"name": names[ref], "id": str(ref)} if ref in names else None
            for name in self.user_fields:
                user = lookup_id(data.get(name))
                record[name] = users.get(user) if user is not None else None
            if created_time:
                record["Created_Time"] = iso_seconds(row[6] // 1_000_000)
            if modified_time:
                record["Modified_Time"] = iso_seconds(row[7] // 1_000_000)
            if created_by:
                record["Created_By"] = users.get(row[4])
            if modified_by:
                record["Modified_By"] = users.get(row[5])
            record["id"] = str(row[0])
            if link_fields:
                link = _decode(row[8])
                for name in link_fields:
                    record[name] = link.get(name)
            append(record)
        return out


# Plans are pure functions of catalog entries (immutable, built once per process) and the
# ``fields`` selection; the bound keeps arbitrary selections from growing the dict without end.
# Keyed by the module object's id: each org's catalog has its own ModuleDef for a module it
# changed (and shares the standard one otherwise); ``plan.module is module`` guards id reuse.
_PLANS: dict[tuple[int, frozenset[str] | None, str | None], _Plan] = {}
_MAX_PLANS = 256


def _plan(module: ModuleDef, wanted: frozenset[str] | None, relation: RelationDef | None) -> _Plan:
    key = (id(module), wanted, relation.name if relation else None)
    plan = _PLANS.get(key)
    if plan is None or plan.module is not module or plan.relation is not relation:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan.build(module, wanted, relation)
    return plan


def render(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    rows: Sequence[RecordRow],
    fields: Sequence[str] | None = None,
    relation: RelationDef | None = None,
    *,
    reader: Actor | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``records`` (id, module, data, owner, created_by, modified_by, created_at,
    modified_at; with ``relation``, the link's data after them) rendered as records; ``fields``
    keeps only the keys named (``$se_module`` and ``id`` always). A lookup's name is shown only
    when ``reader`` may read the target's module (``{"name": null, "id"}`` otherwise); without a
    reader (internal use) every name is shown."""
    if not rows:
        return []
    wanted = frozenset(fields) if fields else None
    decoded = [_decode(row[2]) for row in rows]
    user_ids = set(map(_OWNER, rows))
    user_ids.update(map(_CREATED_BY, rows), map(_MODIFIED_BY, rows))
    plans = {name: _plan(catalog.module_map[name], wanted, relation) for name in set(map(_MODULE, rows))}
    if any(plan.user_fields for plan in plans.values()):
        for row, data in zip(rows, decoded, strict=True):
            for name in plans[row[1]].user_fields:
                user = lookup_id(data.get(name))
                if user is not None:
                    user_ids.add(user)
    users = user_refs(conn, org_id, user_ids)
    targets: set[int] = set()
    if any(plan.lookups for plan in plans.values()):
        for row, data in zip(rows, decoded, strict=True):
            for name in plans[row[1]].lookups:
                ref = lookup_id(data.get(name))
                if ref is not None:
                    targets.add(ref)
    names = _display_names(conn, catalog, org_id, targets, reader) if targets else {}
    if len(plans) == 1:
        (plan,) = plans.values()
        return plan.records(rows, decoded, users, names)
    return [
        plans[row[1]].records([row], [data], users, names)[0] for row, data in zip(rows, decoded, strict=True)
    ]


def _display_names(
    conn: Connection, catalog: Catalog, org_id: int, ids: set[int], reader: Actor | None
) -> dict[int, str | None]:
    """``{id: display field value}`` of the lookup targets that exist (None where ``reader`` may
    not read the target's module: the name follows the reader's access, as in Zoho; None too for
    a module the org has removed)."""
    out: dict[int, str | None] = {}
    for found in named_records(conn, org_id, ids):
        target = catalog.module_map.get(found.module)
        if target is None or (reader is not None and not reader.may_read(target.api_name, target.scope_name)):
            out[found.id] = None
            continue
        out[found.id] = _decode(found.data).get(target.display_field)
    return out


#: ``{id: display name}`` of records, as lookups show them (domain/msl_values.py, linking.py).
display_names = _display_names
