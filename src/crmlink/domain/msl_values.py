"""A multi-select lookup field's value in a record body (spec schema §4.3).

On read, the field is the record's links of the field's relation, as linking rows::

    [{"<connectedlookup_apiname>": {"name": "...", "id": "<B id>"}, "id": "<linking id>"}]

On write (insert or update of the record), the array's elements are changes to that set:
``{"<connectedlookup_apiname>": {"id": "<B id>"}}`` (or the id alone) adds a link,
``{"id": "<linking id>", "_delete": null}`` removes one, ``{"id": "<linking id>"}`` alone keeps
one (nothing to do). Decision (the spec leaves the v2.1 form UNCONFIRMED): the array does not
replace the set, as v7 documents. This module parses and checks; ``domain/linking.py`` writes
the links through ``domain/relations.py``.

A link's own id (the linking record's id) is kept in the link's data as ``{"id": "<id>"}``:
a multi-select lookup's relation has no relation fields, so that text is exactly the link's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import msgspec

from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, FieldDef, ModuleDef
from crmlink.domain.rendering import display_names
from crmlink.errors import CRMError, InvalidData
from crmlink.storage import links as link_store
from crmlink.storage import records as record_store
from crmlink.storage.connection import Connection

DELETE_KEY = "_delete"


def link_data(linking_id: int | str) -> str:
    """The stored data of a link whose linking record id is ``linking_id``."""
    return msgspec.json.encode({"id": str(linking_id)}).decode()


def linking_id_of(data: str) -> str | None:
    found = msgspec.json.decode(data).get("id") if data else None
    return found if isinstance(found, str) else None


@dataclass(slots=True)
class MslChange:
    """What one record body asks of one multi-select lookup field."""

    field: FieldDef
    index: int  # the item's index in ``data`` (for json_path)
    adds: list[int] = dc_field(default_factory=list)  # B ids to link
    removes: list[int] = dc_field(default_factory=list)  # linking ids to remove
    remove_others: list[int] = dc_field(default_factory=list)  # their B ids, set by ``check``


def _digits(raw: Any) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and raw[0] != "0" and len(raw) <= 19:
        return int(raw)
    return None


def _bad(f: FieldDef, index: int, path: str = "") -> InvalidData:
    return InvalidData(
        details={
            "expected_data_type": "jsonarray",
            "api_name": f.api_name,
            "json_path": f"$.data[{index}].{f.api_name}{path}",
        }
    )


def parse(f: FieldDef, value: Any, index: int) -> MslChange | CRMError:
    """The changes a body's value asks for (``null`` or ``[]``: none), or ``INVALID_DATA``."""
    assert f.msl is not None
    out = MslChange(f, index)
    if value is None:
        return out
    if not isinstance(value, list):
        return _bad(f, index)
    connected = f.msl.connectedlookup_apiname
    for n, element in enumerate(value):
        where = f"[{n}]"
        if not isinstance(element, dict):
            return _bad(f, index, where)
        if DELETE_KEY in element:
            linking = _digits(element.get("id"))
            if linking is None:
                return _bad(f, index, f"{where}.id")
            out.removes.append(linking)
            continue
        if connected in element:
            ref = element[connected]
            other = _digits(ref.get("id") if isinstance(ref, dict) else ref)
            if other is None:
                return _bad(f, index, f"{where}.{connected}")
            out.adds.append(other)
            continue
        if _digits(element.get("id")) is None:
            return _bad(f, index, where)
    return out


def check(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    may_read: Any,
    changes: Sequence[MslChange],
    record_id: int | None,
) -> CRMError | None:
    """Every B id must be a record of the connected module the actor may read (``may_read``:
    ``Actor.may_read``); every linking id removed must be a link of ``record_id`` (of this
    field). Sets ``remove_others``. The first problem, as ``INVALID_DATA``; ``None`` when fine."""
    for change in changes:
        f, msl = change.field, change.field.msl
        assert msl is not None
        target = catalog.module_map[msl.connected_module]
        found = record_store.record_modules(conn, org_id, set(change.adds))
        for other in change.adds:
            if found.get(other) != target.api_name or not may_read(target.api_name, target.scope_name):
                return _bad(f, change.index, f".{msl.connectedlookup_apiname}")
        if change.removes:
            stored = link_store.links_with_data(
                conn, org_id, msl.relation_name, [link_data(i) for i in change.removes]
            )
            by_id = {linking_id_of(s.data): s for s in stored}
            for linking in change.removes:
                link = by_id.get(str(linking))
                if link is None or record_id is None or link.left_id != record_id:
                    return _bad(f, change.index, ".id")
                change.remove_others.append(link.right_id)
    return None


def with_fields(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    module: ModuleDef,
    rendered: list[dict[str, Any]],
    fields: Sequence[str] | None,
    reader: Actor | None,
) -> list[dict[str, Any]]:
    """Set each multi-select lookup field of the rendered records (of ``module``) to its linking
    rows, oldest link first (``[]`` without links); fields ``fields`` leaves out stay out."""
    if not module.msl_fields or not rendered:
        return rendered
    wanted = [f for f in module.msl_fields if not fields or f.api_name in fields]
    record_ids = [int(r["id"]) for r in rendered]
    for f in wanted:
        assert f.msl is not None
        links = link_store.links_of_lefts(conn, org_id, f.msl.relation_name, record_ids)
        names = display_names(conn, catalog, org_id, {link.right_id for link in links}, reader)
        rows: dict[int, list[dict[str, Any]]] = {}
        key = f.msl.connectedlookup_apiname
        for link in links:
            rows.setdefault(link.left_id, []).append(
                {
                    key: {"name": names.get(link.right_id), "id": str(link.right_id)},
                    "id": linking_id_of(link.data),
                }
            )
        for record in rendered:
            record[f.api_name] = rows.get(int(record["id"]), [])
    return rendered
