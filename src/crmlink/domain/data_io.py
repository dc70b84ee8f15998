"""Loading and exporting data files (``crmlink load`` / ``crmlink export``; docs/data.md).

Files are read as streams of rows, one at a time, and loaded in batches: each batch is one
transaction through the same domain functions the API uses (``records.insert_records``,
``relations.relate``), so a bad row gets the error the API would answer and the others go in.
Nothing here holds more than a batch.

Formats:

* CSV with Zoho's import column names: field labels as the CRM shows them ("Last Name",
  "Company"), or API names. A lookup or owner column holds a name (resolved within the org by
  the target's display field, a user's name or email), and its ``<Label>.id`` column the id
  (``zcrm_<id>`` as Zoho's export writes it, or the bare id). The id wins when it names a
  record (or user) of this org; otherwise the name is used, so an export of one org loads into
  another. "Record Id" and read-only columns are ignored.
* JSON: Zoho's ``{"data": [...]}`` (or a top-level array), read item by item; or JSON lines
  (``.jsonl``, ``.ndjson``). Items use API names, as on the API.
* Links (a file whose columns/keys include ``Related Id``/``related_id``): ``Module``, ``Parent
  Id``, ``Related List``, ``Related Id``; any other column is relation data (``list_price``).

Export writes Zoho's export CSV: "Record Id" first, then every field of the module by label;
lookups and owners as two columns, ``<Label>.id`` (``zcrm_<id>``) and ``<Label>`` (the name);
multi-select picklists joined with ``;``; booleans ``true``/``false``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from crmlink.domain import external
from crmlink.domain import records as rec
from crmlink.domain import relations as rel
from crmlink.domain.auth import Actor, parse_permissions, parse_scopes
from crmlink.domain.catalog import Catalog, FieldDef, ModuleDef
from crmlink.domain.ids import IdGenerator
from crmlink.domain.relation_values import RELATED_ID_INVALID
from crmlink.domain.rendering import render
from crmlink.domain.values import INTEGER_TYPES, LOOKUP_TYPES, NUMBER_TYPES
from crmlink.errors import CRMError, InvalidData
from crmlink.storage import data_io as store
from crmlink.storage.connection import Connection

T = TypeVar("T")

BATCH = 1000
"""Rows per transaction."""

ID_PREFIX = "zcrm_"
RECORD_ID = "Record Id"
_SKIPPED_TYPES = frozenset({"subform", "multiselectlookup"})
_LINK_KEYS = {
    "module": ("Module", "module", "Parent Module", "parent_module"),
    "parent": ("Parent Id", "parent_id"),
    "list": ("Related List", "related_list", "Relation", "relation"),
    "related": ("Related Id", "related_id"),
    # The parent by an external field's value (as X-EXTERNAL: Module.Field): the field's API
    # name, and the value.
    "ext_field": ("Parent External Field", "parent_external_field"),
    "ext_value": ("Parent External Id", "parent_external_id"),
}
_LINK_COLUMNS = frozenset(k for keys in _LINK_KEYS.values() for k in keys)


# --- reading files ---------------------------------------------------------------------------


def _json_items(stream: IO[bytes]) -> Iterator[Any]:
    import ijson  # type: ignore[import-untyped]

    head = stream.read(1)
    while head and head.isspace():
        head = stream.read(1)
    stream.seek(stream.tell() - 1)
    prefix = "item" if head == b"[" else "data.item"
    yield from ijson.items(stream, prefix, use_float=True)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any], bool]]:
    """``(row number, row, from_csv)`` of a data file, one at a time (row 1 is the first data
    row). A JSON item that is not an object comes as ``{"": item}`` and fails validation."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            for number, row in enumerate(csv.DictReader(f), start=1):
                yield number, {k: v for k, v in row.items() if k is not None}, True
        return
    if suffix in {".jsonl", ".ndjson"}:
        with path.open(encoding="utf-8") as f:
            number = 0
            for line in f:
                if not line.strip():
                    continue
                number += 1
                try:
                    item = json.loads(line)
                except ValueError:
                    item = None
                yield number, item if isinstance(item, dict) else {"": item}, False
        return
    with path.open("rb") as f:
        for number, item in enumerate(_json_items(f), start=1):
            yield number, item if isinstance(item, dict) else {"": item}, False


FORMATS = {"csv": ".csv", "json": ".json", "jsonl": ".jsonl", "ndjson": ".ndjson"}
"""A file's format (as the admin API names it) and the suffix ``read_rows`` reads it by."""


def check_readable(path: Path) -> int:
    """The number of rows of a data file, read through to its end; ``INVALID_DATA`` for a file
    that is not CSV or JSON as its suffix says (bad UTF-8, broken JSON, a stray CSV quote).

    A load calls it first so an unreadable file stores nothing, not the batches before the
    unreadable point (reading twice costs far less than the load's transactions).
    """
    import ijson

    rows = 0
    try:
        for _ in read_rows(path):
            rows += 1
    except (UnicodeDecodeError, csv.Error, ijson.JSONError) as exc:
        kind = "CSV" if path.suffix.lower() == ".csv" else "JSON"
        raise InvalidData(
            f"the file cannot be read as {kind}", {"row": rows + 1, "reason": str(exc)[:200]}
        ) from None
    return rows


def is_links(row: dict[str, Any]) -> bool:
    return "Related Id" in row or "related_id" in row


def batches(rows: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """``rows`` in lists of ``size`` (the last one shorter), never holding more than one list."""
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- columns ---------------------------------------------------------------------------------


def _exported_fields(module: ModuleDef) -> list[FieldDef]:
    return [f for f in module.fields if f.data_type not in _SKIPPED_TYPES]


def headers(module: ModuleDef) -> list[tuple[str, FieldDef | None, bool]]:
    """Export columns: ``(header, field, is_id_column)``; a label two fields share gets the
    later field's API name instead."""
    out: list[tuple[str, FieldDef | None, bool]] = [(RECORD_ID, None, True)]
    seen = {RECORD_ID}
    for f in _exported_fields(module):
        name = f.label if f.label not in seen else f.api_name
        seen.add(name)
        if f.data_type in LOOKUP_TYPES:
            out.append((f"{name}.id", f, True))
        out.append((name, f, False))
    return out


@dataclass(slots=True)
class Columns:
    """How a module's CSV columns map to its fields (labels from the export, API names)."""

    by_name: dict[str, tuple[FieldDef, bool]] = field(default_factory=dict)

    @classmethod
    def of(cls, module: ModuleDef) -> Columns:
        out = cls()
        for header, f, is_id in headers(module):
            if f is not None:
                out.by_name.setdefault(header, (f, is_id))
        for f in _exported_fields(module):
            out.by_name.setdefault(f.label, (f, False))
            out.by_name.setdefault(f.api_name, (f, False))
            if f.data_type in LOOKUP_TYPES:
                out.by_name.setdefault(f"{f.api_name}.id", (f, True))
        return out


def _bare_id(value: str) -> str:
    value = value.strip()
    return value[len(ID_PREFIX) :] if value.startswith(ID_PREFIX) else value


def csv_value(f: FieldDef, raw: str) -> Any:
    """A CSV cell as the API would carry it; a cell that does not convert is passed on as text,
    so the domain answers it as it answers a bad value on the API."""
    kind = f.data_type
    try:
        if kind in INTEGER_TYPES:
            return int(raw)
        if kind in NUMBER_TYPES:
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        low = raw.strip().lower()
        return {"true": True, "false": False}.get(low, raw)
    if kind == "multiselectpicklist":
        return [part.strip() for part in raw.split(";") if part.strip()]
    if kind in {"ALARM", "RRULE"}:
        return {kind: raw}
    if kind == "event_reminder":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


@dataclass(slots=True)
class _Pending:
    """A row turned into an API item, with lookups still to resolve by id or name."""

    number: int
    item: Any  # a dict, or what a JSON file held instead (answered INVALID_DATA)
    ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def _from_csv(columns: Columns, number: int, row: dict[str, Any]) -> _Pending:
    out = _Pending(number, {})
    for header, raw in row.items():
        hit = columns.by_name.get(header)
        if hit is None or raw is None or raw == "":
            continue
        f, is_id = hit
        if f.data_type in LOOKUP_TYPES:
            (out.ids if is_id else out.names)[f.api_name] = _bare_id(raw) if is_id else raw
            continue
        out.item[f.api_name] = csv_value(f, raw)
    return out


def admin_actor(conn: Connection, org_id: int) -> Actor:
    """The org's first active administrator, as the author of loaded rows."""
    admin = store.first_admin(conn, org_id)
    if admin is None:
        raise InvalidData("the org has no active administrator", {"org_id": str(org_id)})
    return Actor(
        org_id=org_id,
        user_id=admin.id,
        name=admin.name,
        email=admin.email,
        profile_name="Administrator",
        permissions=parse_permissions('{"*":["view","create","edit","delete"]}'),
        scopes=parse_scopes("ZohoCRM.modules.ALL"),
    )


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """One row the load left out, with the error the API would answer."""

    row: int
    code: str
    message: str
    details: dict[str, Any]


def _resolve(
    conn: Connection,
    catalog: Catalog,
    module: ModuleDef,
    org_id: int,
    users: dict[str, int],
    rows: list[_Pending],
) -> None:
    """Lookups named by id or name become ids (unresolved names stay, and fail validation)."""
    wanted = {int(v) for p in rows for v in p.ids.values() if v.isdigit()}
    found = rec.record_modules(conn, org_id, wanted)
    user_ids = set(users.values())
    names: dict[str, set[str]] = {}
    for p in rows:
        for key, given in p.names.items():
            target = module.field_map[key].lookup_module
            if target is not None and module.field_map[key].data_type == "lookup":
                names.setdefault(target, set()).add(given)
    by_name: dict[str, dict[str, int]] = {}
    for target, values in names.items():
        target_module = catalog.find_module(target)
        if target_module is not None:
            by_name[target] = store.ids_by_value(
                conn, org_id, target_module.api_name, target_module.display_field, sorted(values)
            )
    for p in rows:
        for key in {*p.ids, *p.names}:
            f = module.field_map[key]
            given_id, name = p.ids.get(key), p.names.get(key)
            is_user = f.data_type != "lookup"
            known = (
                given_id is not None
                and given_id.isdigit()
                and (int(given_id) in user_ids if is_user else int(given_id) in found)
            )
            value: str | None = None
            if known or (given_id is not None and name is None):
                value = given_id
            elif is_user:
                hit = users.get(name or "")
                value = str(hit) if hit is not None else name
            else:
                hit = by_name.get(f.lookup_module or "", {}).get(name or "")
                value = str(hit) if hit is not None else name
            p.item[key] = value


def _error(number: int, result: dict[str, Any]) -> RowError:
    return RowError(number, str(result.get("code")), str(result.get("message")), result.get("details") or {})


def load_records(
    conn: Connection,
    catalog: Catalog,
    ids: IdGenerator,
    actor: Actor,
    module: ModuleDef,
    batch: Sequence[tuple[int, dict[str, Any], bool]],
    users: dict[str, int],
) -> tuple[int, list[RowError]]:
    """Insert one batch of rows (the caller's transaction); ``(rows added, row errors)``."""
    columns = Columns.of(module)
    pending = [
        _from_csv(columns, number, row) if from_csv else _Pending(number, row.get("") if "" in row else row)
        for number, row, from_csv in batch
    ]
    _resolve(conn, catalog, module, actor.org_id, users, [p for p in pending if isinstance(p.item, dict)])
    results = rec.insert_records(conn, catalog, ids, actor, module, [p.item for p in pending])
    errors = [
        _error(p.number, r) for p, r in zip(pending, results, strict=True) if r.get("status") != "success"
    ]
    return len(pending) - len(errors), errors


def load_batch(
    conn: Connection,
    catalog: Catalog,
    ids: IdGenerator,
    org_id: int,
    module: ModuleDef | None,
    batch: Sequence[tuple[int, dict[str, Any], bool]],
    users: dict[str, int],
) -> tuple[int, list[RowError]]:
    """One batch of a load, as one transaction of the caller's: link rows when ``module`` is
    None, else records of ``module``; authored by the org's first active administrator."""
    actor = admin_actor(conn, org_id)
    if module is None:
        return load_links(conn, catalog, actor, batch)
    return load_records(conn, catalog, ids, actor, module, batch, users)


def _pick(row: dict[str, Any], which: str) -> Any:
    for key in _LINK_KEYS[which]:
        if row.get(key) not in (None, ""):
            return row[key]
    return None


def load_links(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    batch: Sequence[tuple[int, dict[str, Any], bool]],
) -> tuple[int, list[RowError]]:
    """Relate one batch of link rows (consecutive rows of one parent go in one ``relate``)."""
    added = 0
    errors: list[RowError] = []
    groups: list[tuple[tuple[str, str, str, str, str], list[tuple[int, dict[str, Any]]]]] = []
    for number, row, from_csv in batch:
        key = (
            str(_pick(row, "module") or ""),
            _bare_id(str(_pick(row, "parent") or "")),
            str(_pick(row, "list") or ""),
            str(_pick(row, "ext_field") or ""),
            str(_pick(row, "ext_value") or ""),
        )
        item: dict[str, Any] = {"id": _bare_id(str(_pick(row, "related") or ""))}
        data = row.get("data") if isinstance(row.get("data"), dict) else None
        for name, value in (data or row).items():
            if name in _LINK_COLUMNS or name == "data" or value in (None, ""):
                continue
            item[name] = value
        if from_csv:
            item["__csv__"] = True
        if groups and groups[-1][0] == key:
            groups[-1][1].append((number, item))
        else:
            groups.append((key, [(number, item)]))
    for (module_name, parent_id, list_name, ext_field, ext_value), rows in groups:
        try:
            parent = catalog.find_module(module_name)
            if parent is None:
                raise InvalidData("the module name given seems to be invalid", {"api_name": "Module"})
            if not parent_id and ext_field:
                parent_id = _external_parent(conn, actor.org_id, parent, ext_field, ext_value)
            target = rel.target_for(catalog, parent, rel.find_related_list(catalog, parent, list_name))
            relation = target.link_relation() if target.relation is not None else None
            if relation is None:
                raise InvalidData(rel.RELATION_NAME_INVALID, {"api_name": "Related List"})
            relation_fields = {f.api_name: f for f in relation.fields}
            items = []
            for _, item in rows:
                if item.pop("__csv__", False):
                    item = {
                        k: csv_value(relation_fields[k], v) if k in relation_fields else v
                        for k, v in item.items()
                    }
                items.append(item)
            if not parent_id.isdigit():
                raise InvalidData(RELATED_ID_INVALID, {"api_name": "Parent Id"})
            results = rel.relate(conn, actor, target, int(parent_id), items)
        except CRMError as exc:
            item_error = exc.as_item()
            errors.extend(_error(number, item_error) for number, _ in rows)
            continue
        for (number, _), result in zip(rows, results, strict=True):
            if result.get("status") == "success":
                added += 1
            else:
                errors.append(_error(number, result))
    return added, errors


def _external_parent(conn: Connection, org_id: int, parent: ModuleDef, field_name: str, value: str) -> str:
    """The id of the ``parent`` record whose external field ``field_name`` holds ``value``;
    ``INVALID_DATA`` as for an X-EXTERNAL path or value that names nothing."""
    ext = parent.external_fields.get(field_name)
    if ext is None:
        raise InvalidData(
            details={"header_name": external.HEADER, "value": f"{parent.api_name}.{field_name}"}
        )
    found = external.find_ids(conn, org_id, parent, ext, [value]).get(value)
    if found is None:
        raise InvalidData(external.INVALID_VALUE, {"api_name": ext.api_name})
    return str(found)


# --- export ----------------------------------------------------------------------------------


def _cell(f: FieldDef, value: Any, is_id: bool) -> str:
    if value is None:
        return ""
    if f.data_type in LOOKUP_TYPES:
        if not isinstance(value, dict):
            return str(value)
        if is_id:
            return f"{ID_PREFIX}{value['id']}" if value.get("id") else ""
        return str(value.get("name") or "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        inner = value.get(f.data_type)
        return str(inner) if isinstance(inner, str) else json.dumps(value)
    if isinstance(value, float) and value.is_integer() and f.data_type not in NUMBER_TYPES:
        return str(int(value))
    return str(value)


def export_rows(
    conn: Connection, catalog: Catalog, org_id: int, module: ModuleDef, page: int = BATCH
) -> Iterator[list[str]]:
    """The export CSV of a module: the header row, then one row per record, in id order, read
    in keyset pages."""
    columns = headers(module)
    yield [name for name, _, _ in columns]
    after = 0
    while True:
        rows = store.records_after(conn, org_id, module.api_name, after, page)
        if not rows:
            return
        for record in render(conn, catalog, org_id, rows):
            out = []
            for _, f, is_id in columns:
                if f is None:
                    out.append(f"{ID_PREFIX}{record['id']}")
                else:
                    out.append(_cell(f, record.get(f.api_name), is_id))
            yield out
        after = int(rows[-1][0])


def report_header() -> list[str]:
    return ["file", "row", "code", "message", "details"]


def error_dict(error: RowError) -> dict[str, Any]:
    """A row error as the admin API answers it."""
    return {"row": error.row, "code": error.code, "message": error.message, "details": error.details}


def report_row(path: Path, error: RowError) -> list[str]:
    return [str(path), str(error.row), error.code, error.message, json.dumps(error.details, sort_keys=True)]
