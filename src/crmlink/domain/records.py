"""Records: insert, update, delete, read and list, with the catalog's validation.

Every public function takes an open connection (the caller owns the transaction: one call is
one transaction) and returns plain JSON-ready values. Per-item outcomes are values in input
order, never exceptions; only request-level problems raise ``CRMError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection, and_, bindparam, cast, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB

from crmlink.domain.auth import Actor
from crmlink.domain.catalog import SE_MODULE, SYSTEM_FIELDS, Catalog, ModuleDef
from crmlink.domain.clock import iso, now_us
from crmlink.domain.ids import IdGenerator, parse_id
from crmlink.domain.orgs import user_refs
from crmlink.domain.rendering import render
from crmlink.domain.values import BadValue, check_value, expected_type
from crmlink.errors import CRMError, DuplicateData, InvalidData, MandatoryNotFound
from crmlink.storage import schema as schema_store
from crmlink.storage import tables
from crmlink.storage.hot import HotStatement
from crmlink.storage.locks import lock

_encode = msgspec.json.encode
_decode = msgspec.json.decode

# Accepted in a record but not stored with it: a multi-select lookup's associations are the
# links of its relation, written through the related-records routes (docs/schema.md).
_IGNORED_ON_WRITE = frozenset({"multiselectlookup"})

SORTABLE_COLUMNS = {
    "id": tables.records.c.id,
    "Created_Time": tables.records.c.created_at,
    "Modified_Time": tables.records.c.modified_at,
}


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rendered records."""

    data: list[dict[str, Any]]
    page: int
    per_page: int
    more_records: bool


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    module: str
    data: dict[str, Any]
    owner_id: int
    created_by: int
    modified_by: int
    created_at: int
    modified_at: int


def success(message: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"code": "SUCCESS", "details": details, "message": message, "status": "success"}


def _derive(module: ModuleDef, data: dict[str, Any]) -> None:
    """Read-only fields computed from others (Zoho's Full_Name)."""
    if "Full_Name" in module.field_map:
        parts = [data.get("First_Name"), data.get("Last_Name")]
        data["Full_Name"] = " ".join(p for p in parts if p) or None


def _select_rows(
    conn: Connection, org_id: int, ids: Iterable[int], *, for_update: bool = False
) -> dict[int, _Row]:
    """Rows by id; ``for_update`` locks them until the transaction ends (PostgreSQL), so that a
    read-merge-write of a record's fields cannot interleave with another process's and lose its
    fields (SQLite needs no lock: a write transaction there holds the whole database)."""
    r = tables.records
    wanted = sorted(set(ids))  # one lock order for every transaction: no deadlock between two
    if not wanted:
        return {}
    query = (
        select(
            r.c.id,
            r.c.module,
            r.c.data,
            r.c.owner_id,
            r.c.created_by,
            r.c.modified_by,
            r.c.created_at,
            r.c.modified_at,
        )
        .where(r.c.org_id == org_id, r.c.id.in_(wanted))
        .order_by(r.c.id)
    )
    rows = conn.execute(query.with_for_update() if for_update else query)
    return {
        row[0]: _Row(row[0], row[1], _decode(row[2]), row[3], row[4], row[5], row[6], row[7]) for row in rows
    }


def record_modules(conn: Connection, org_id: int, ids: Iterable[int]) -> dict[int, str]:
    """``{id: module}`` for the ids that exist in the org."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    r = tables.records
    # ORDER BY id steers SQLite to the primary key instead of scanning the org's whole
    # ix_records_module, which covers id and module (see storage/hot.py, SQLITE_RECORDS_PK).
    rows = conn.execute(
        select(r.c.id, r.c.module).where(r.c.org_id == org_id, r.c.id.in_(wanted)).order_by(r.c.id)
    )
    return {row[0]: row[1] for row in rows}


class _Checked:
    """A validated item: the field values to store and the lookups they make."""

    __slots__ = ("data", "lookups", "owner_id", "se_module", "users")

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.lookups: dict[str, int] = {}
        self.owner_id: int | None = None
        self.se_module: str | None = None
        self.users: dict[str, int] = {}  # userlookup fields: the users they name


def _check_item(module: ModuleDef, item: Any, index: int, *, creating: bool) -> _Checked | CRMError:
    """Shape and type checks that need no database."""
    if not isinstance(item, dict):
        return InvalidData(details={"expected_data_type": "jsonobject", "json_path": f"$.data[{index}]"})
    out = _Checked()
    for f in module.mandatory_fields:
        value = item.get(f.api_name)
        missing = value is None or (isinstance(value, str) and not value.strip())
        if missing and (creating or f.api_name in item):
            return MandatoryNotFound(
                details={"api_name": f.api_name, "json_path": f"$.data[{index}].{f.api_name}"}
            )
    for key, value in item.items():
        if key in SYSTEM_FIELDS:
            continue
        if key == "$se_module":
            if not isinstance(value, str):
                return InvalidData(details={"api_name": key, "json_path": f"$.data[{index}].{key}"})
            out.se_module = value
            continue
        f_or_none = module.field_map.get(key)
        if f_or_none is None or f_or_none.read_only or f_or_none.data_type in _IGNORED_ON_WRITE:
            continue  # Zoho ignores fields it does not know and read-only ones
        f = f_or_none
        try:
            clean = check_value(f, value)
        except BadValue as bad:
            return InvalidData(
                details={
                    "expected_data_type": bad.expected,
                    "api_name": key,
                    "json_path": f"$.data[{index}].{key}",
                }
            )
        if f.data_type == "ownerlookup":
            out.owner_id = int(clean) if clean is not None else None
            continue
        if f.data_type == "userlookup" and clean is not None:
            out.users[key] = int(clean)
            clean = {"id": clean}
        elif f.data_type == "lookup" and clean is not None:
            out.lookups[key] = int(clean)
            clean = {"id": clean}
        out.data[key] = clean
    return out


def _check_references(
    conn: Connection,
    catalog: Catalog,
    module: ModuleDef,
    org_id: int,
    checked: Sequence[_Checked | CRMError],
) -> list[_Checked | CRMError]:
    """Lookups must point at existing records of the right module; owners at org users."""
    targets = {t for c in checked if isinstance(c, _Checked) for t in c.lookups.values()}
    owners = {c.owner_id for c in checked if isinstance(c, _Checked) and c.owner_id is not None}
    owners.update(u for c in checked if isinstance(c, _Checked) for u in c.users.values())
    found = record_modules(conn, org_id, targets)
    users = user_refs(conn, org_id, owners)
    out: list[_Checked | CRMError] = []
    for index, c in enumerate(checked):
        if isinstance(c, CRMError):
            out.append(c)
            continue
        error: CRMError | None = None
        if c.owner_id is not None and c.owner_id not in users:
            error = InvalidData(
                details={
                    "expected_data_type": "lookup",
                    "api_name": "Owner",
                    "json_path": f"$.data[{index}].Owner",
                }
            )
        for key, user in c.users.items():
            if user not in users:
                error = error or InvalidData(
                    details={
                        "expected_data_type": "lookup",
                        "api_name": key,
                        "json_path": f"$.data[{index}].{key}",
                    }
                )
        for key, target in c.lookups.items():
            f = module.field_map[key]
            want = c.se_module if f.lookup_module == SE_MODULE else f.lookup_module
            have = found.get(target)
            if have is None or (
                want is not None and catalog.find_module(want) is not catalog.find_module(have)
            ):
                error = error or InvalidData(
                    details={
                        "expected_data_type": expected_type(f),
                        "api_name": key,
                        "json_path": f"$.data[{index}].{key}",
                    }
                )
            elif f.lookup_module == SE_MODULE:
                c.data["$se_module"] = have
        out.append(error or c)
    return out


def _check_unique(
    conn: Connection,
    module: ModuleDef,
    org_id: int,
    checked: Sequence[_Checked | CRMError],
    own_ids: Sequence[int | None],
) -> list[_Checked | CRMError]:
    """Unique fields (an org's custom ``unique``): a value another record of the module holds,
    or that an earlier item of the call takes, is ``DUPLICATE_DATA``."""
    unique = [f for f in module.fields if f.unique]
    if not unique:
        return list(checked)
    out = list(checked)
    for f in unique:
        values = [
            c.data[f.api_name]
            for c in out
            if isinstance(c, _Checked) and isinstance(c.data.get(f.api_name), str | int | float)
        ]
        taken = schema_store.taken_values(conn, org_id, module.api_name, f.api_name, values)
        seen: dict[str, int | None] = {}
        for index, c in enumerate(out):
            if not isinstance(c, _Checked) or f.api_name not in c.data or c.data[f.api_name] is None:
                continue
            key = str(c.data[f.api_name])
            holder = taken.get(key)
            own = own_ids[index] if index < len(own_ids) else None
            if (holder is not None and holder != own) or key in seen:
                dup = holder if holder is not None and holder != own else seen.get(key)
                out[index] = DuplicateData(
                    details={
                        "api_name": f.api_name,
                        "json_path": f"$.data[{index}].{f.api_name}",
                        "duplicate_record": {
                            "module": {"api_name": module.api_name, "id": module.id},
                            "id": str(dup) if dup is not None else None,
                        },
                    }
                )
                continue
            seen[key] = own
    return out


def _number_records(conn: Connection, module: ModuleDef, org_id: int, items: Sequence[_Checked]) -> None:
    """Autonumber fields of new records: the org's next numbers, in input order."""
    for f in module.fields:
        if f.auto_number is None or not items:
            continue
        a = f.auto_number
        first = schema_store.next_numbers(
            conn, org_id, f"{module.api_name}.{f.api_name}", len(items), a.start_number
        )
        for offset, c in enumerate(items):
            c.data[f.api_name] = f"{a.prefix}{first + offset}{a.suffix}"


def _write_lookups(conn: Connection, org_id: int, module: str, record_id: int, refs: dict[str, int]) -> None:
    if refs:
        conn.execute(
            insert(tables.lookups),
            [
                {"org_id": org_id, "target_id": t, "module": module, "field": f, "record_id": record_id}
                for f, t in refs.items()
            ],
        )


def _audit_details(actor: Actor, record_id: int, created: int, modified: int) -> dict[str, Any]:
    by = {"name": actor.name, "id": str(actor.user_id)}
    return {
        "Modified_Time": iso(modified),
        "Modified_By": by,
        "Created_Time": iso(created),
        "id": str(record_id),
        "Created_By": by,
    }


def insert_records(
    conn: Connection,
    catalog: Catalog,
    ids: IdGenerator,
    actor: Actor,
    module: ModuleDef,
    items: Sequence[Any],
) -> list[dict[str, Any]]:
    checked = [_check_item(module, item, i, creating=True) for i, item in enumerate(items)]
    checked = _check_references(conn, catalog, module, actor.org_id, checked)
    checked = _check_unique(conn, module, actor.org_id, checked, [])
    _number_records(conn, module, actor.org_id, [c for c in checked if isinstance(c, _Checked)])
    now = now_us()
    rows: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for c in checked:
        if isinstance(c, CRMError):
            results.append(c.as_item())
            continue
        record_id = ids.next()
        _derive(module, c.data)
        rows.append(
            {
                "org_id": actor.org_id,
                "id": record_id,
                "module": module.api_name,
                "data": _encode(c.data).decode(),
                "owner_id": c.owner_id or actor.user_id,
                "created_by": actor.user_id,
                "modified_by": actor.user_id,
                "created_at": now,
                "modified_at": now,
            }
        )
        _write_lookups(conn, actor.org_id, module.api_name, record_id, c.lookups)
        results.append(success("record added", _audit_details(actor, record_id, now, now)))
    if rows:
        conn.execute(insert(tables.records), rows)
    return results


def update_records(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    module: ModuleDef,
    items: Sequence[Any],
    path_id: int | None = None,
) -> list[dict[str, Any]]:
    """Bulk update (each item carries ``id``) or, with ``path_id``, the single form."""
    wanted: list[int | None] = []
    for item in items:
        raw = item.get("id") if isinstance(item, dict) else None
        wanted.append(path_id if path_id is not None else parse_id(raw))
    existing = _select_rows(conn, actor.org_id, [w for w in wanted if w is not None], for_update=True)
    checked = [_check_item(module, item, i, creating=False) for i, item in enumerate(items)]
    checked = _check_references(conn, catalog, module, actor.org_id, checked)
    checked = _check_unique(conn, module, actor.org_id, checked, wanted)
    now = now_us()
    results: list[dict[str, Any]] = []
    r = tables.records
    for index, (record_id, c) in enumerate(zip(wanted, checked, strict=True)):
        if isinstance(c, CRMError) and not isinstance(c, InvalidData | MandatoryNotFound):
            results.append(c.as_item())
            continue
        row = existing.get(record_id) if record_id is not None else None
        if (
            record_id is None
            and path_id is None
            and isinstance(items[index], dict)
            and "id" not in items[index]
        ):
            results.append(
                MandatoryNotFound(details={"api_name": "id", "json_path": f"$.data[{index}].id"}).as_item()
            )
            continue
        if row is None or row.module != module.api_name:
            results.append(
                InvalidData(
                    "the id given seems to be invalid",
                    {"api_name": "id", "json_path": f"$.data[{index}].id"},
                ).as_item()
            )
            continue
        if isinstance(c, CRMError):
            results.append(c.as_item())
            continue
        data = {**row.data, **c.data}
        _derive(module, data)
        conn.execute(
            update(r)
            .where(r.c.org_id == actor.org_id, r.c.id == row.id)
            .values(
                data=_encode(data).decode(),
                modified_by=actor.user_id,
                modified_at=now,
                owner_id=c.owner_id or row.owner_id,
            )
        )
        if c.lookups:
            lk = tables.lookups
            conn.execute(
                delete(lk).where(
                    lk.c.org_id == actor.org_id, lk.c.record_id == row.id, lk.c.field.in_(list(c.lookups))
                )
            )
            _write_lookups(conn, actor.org_id, module.api_name, row.id, c.lookups)
        cleared = [k for k, v in c.data.items() if v is None and k in module.field_map]
        if cleared:
            lk = tables.lookups
            conn.execute(
                delete(lk).where(
                    lk.c.org_id == actor.org_id, lk.c.record_id == row.id, lk.c.field.in_(cleared)
                )
            )
        results.append(success("record updated", _audit_details(actor, row.id, row.created_at, now)))
    return results


def delete_records(
    conn: Connection, catalog: Catalog, actor: Actor, module: ModuleDef, record_ids: Sequence[int | None]
) -> list[dict[str, Any]]:
    """Delete records and everything that hangs on them: links (with change events), lookups."""
    existing = record_modules(conn, actor.org_id, [i for i in record_ids if i is not None])
    results: list[dict[str, Any]] = []
    gone: set[int] = set()
    for raw, record_id in zip(record_ids, record_ids, strict=True):
        if record_id is None or existing.get(record_id) != module.api_name or record_id in gone:
            results.append(
                InvalidData("the id given seems to be invalid", {"id": str(raw) if raw else raw}).as_item()
            )
            continue
        gone.add(record_id)
        results.append(success("record deleted", {"id": str(record_id)}))
    if gone:
        remove_record_dependents(conn, catalog, actor, module, sorted(gone))
    return results


def remove_record_dependents(
    conn: Connection, catalog: Catalog, actor: Actor, module: ModuleDef, record_ids: list[int]
) -> None:
    """Delete the records, their links (one ``removed_by_delete`` event each) and lookups."""
    now = now_us()
    l, ev = tables.links, tables.link_events
    for relation in catalog.relations:
        for side, column in ((relation.left, l.c.left_id), (relation.right, l.c.right_id)):
            if side != module.api_name:
                continue
            # Taken in catalog order, as relations.relate/delink take theirs (one at a time).
            lock(conn, "links", actor.org_id, relation.name)
            where = and_(l.c.org_id == actor.org_id, l.c.relation == relation.name, column.in_(record_ids))
            removed = conn.execute(select(l.c.left_id, l.c.right_id, l.c.data).where(where)).all()
            if not removed:
                continue
            conn.execute(delete(l).where(where))
            conn.execute(
                insert(ev),
                [
                    {
                        "org_id": actor.org_id,
                        "at": now,
                        "actor_id": actor.user_id,
                        "relation": relation.name,
                        "action": "removed_by_delete",
                        "left_id": left,
                        "right_id": right,
                        "old_data": data,
                        "new_data": None,
                    }
                    for left, right, data in removed
                ],
            )
    lk, r = tables.lookups, tables.records
    conn.execute(
        delete(lk).where(
            lk.c.org_id == actor.org_id, or_(lk.c.record_id.in_(record_ids), lk.c.target_id.in_(record_ids))
        )
    )
    conn.execute(delete(r).where(r.c.org_id == actor.org_id, r.c.id.in_(record_ids)))


# --- reading -------------------------------------------------------------------------------


RECORD_COLUMNS = (
    tables.records.c.id,
    tables.records.c.module,
    tables.records.c.data,
    tables.records.c.owner_id,
    tables.records.c.created_by,
    tables.records.c.modified_by,
    tables.records.c.created_at,
    tables.records.c.modified_at,
)


def get_record(
    conn: Connection, catalog: Catalog, org_id: int, module: ModuleDef, record_id: int
) -> dict[str, Any] | None:
    r = tables.records
    row = conn.execute(
        select(*RECORD_COLUMNS).where(
            r.c.org_id == org_id, r.c.id == record_id, r.c.module == module.api_name
        )
    ).first()
    if row is None:
        return None
    return render(conn, catalog, org_id, [row])[0]


def sort_expression(conn: Connection, module: ModuleDef, sort_by: str) -> Any:
    """A column or, for module fields, the JSON value (engine-specific extraction)."""
    column = SORTABLE_COLUMNS.get(sort_by)
    if column is not None:
        return column
    if sort_by not in module.field_map:
        raise InvalidData(details={"param_name": "sort_by"})
    data = tables.records.c.data
    if conn.dialect.name == "sqlite":
        return func.json_extract(data, f'$."{sort_by}"')
    # PostgreSQL: data is text holding JSON. jsonb cannot hold U+0000, which text fields may
    # contain (stored verbatim), so each ``\u0000`` escape is read as U+FFFD for sorting; the
    # replacement keeps the text valid JSON whatever precedes it.
    return cast(func.replace(data, "\\u0000", "\\ufffd"), JSONB)[sort_by].astext


def _module_page(since: bool) -> HotStatement:
    """A page of a module's records by id (optionally modified after ``since``): the plain
    ``GET /{module}``, the common case, run on the driver's cursor (storage/hot.py)."""
    r = tables.records
    query = select(*RECORD_COLUMNS).where(r.c.org_id == bindparam("org"), r.c.module == bindparam("module"))
    if since:
        query = query.where(r.c.modified_at > bindparam("since"))
    page = query.order_by(r.c.id).limit(bindparam("limit")).offset(bindparam("offset"))
    return HotStatement(lambda _dialect: page)


_MODULE_PAGE = {since: _module_page(since) for since in (False, True)}


def list_records(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    module: ModuleDef,
    *,
    page: int,
    per_page: int,
    fields: Sequence[str] | None,
    ids: Sequence[int] | None,
    sort_by: str | None,
    sort_order: str | None,
    modified_since: int | None,
) -> Page:
    limit, offset = per_page + 1, (page - 1) * per_page
    rows: Sequence[Any]
    if ids is None and not sort_by:
        params = {"org": org_id, "module": module.api_name, "limit": limit, "offset": offset}
        if modified_since is not None:
            params["since"] = modified_since
        rows = _MODULE_PAGE[modified_since is not None].rows(conn, params)
    else:
        r = tables.records
        query = select(*RECORD_COLUMNS).where(r.c.org_id == org_id, r.c.module == module.api_name)
        if ids is not None:
            query = query.where(r.c.id.in_(list(ids)))
        if modified_since is not None:
            query = query.where(r.c.modified_at > modified_since)
        if sort_by:
            expr = sort_expression(conn, module, sort_by)
            descending = (sort_order or "desc") == "desc"
            query = query.order_by(expr.desc() if descending else expr.asc(), r.c.id)
        else:
            query = query.order_by(r.c.id)
        rows = conn.execute(query.limit(limit).offset(offset)).all()
    more = len(rows) > per_page
    return Page(render(conn, catalog, org_id, rows[:per_page], fields), page, per_page, more)


def list_lookup_related(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    parent_id: int,
    module: ModuleDef,
    field: str,
    *,
    page: int,
    per_page: int,
    fields: Sequence[str] | None,
    modified_since: int | None,
) -> Page:
    """Records of ``module`` whose lookup ``field`` points at ``parent_id`` (a Lead's Notes)."""
    r, lk = tables.records, tables.lookups
    query = (
        select(*RECORD_COLUMNS)
        .select_from(lk.join(r, and_(r.c.org_id == lk.c.org_id, r.c.id == lk.c.record_id)))
        .where(
            lk.c.org_id == org_id,
            lk.c.target_id == parent_id,
            lk.c.module == module.api_name,
            lk.c.field == field,
        )
    )
    if modified_since is not None:
        query = query.where(r.c.modified_at > modified_since)
    rows = conn.execute(query.order_by(r.c.id).limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(render(conn, catalog, org_id, rows[:per_page], fields), page, per_page, len(rows) > per_page)
