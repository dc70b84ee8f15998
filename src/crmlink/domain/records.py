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

from crmlink.domain import activities, change_log, line_items, msl_values
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import SE_MODULE, SYSTEM_FIELDS, Catalog, ModuleDef
from crmlink.domain.clock import iso, now_us, org_now_us
from crmlink.domain.ids import IdGenerator, parse_id
from crmlink.domain.orgs import user_refs
from crmlink.domain.recycle_bin import Retention, bin_records
from crmlink.domain.rendering import render
from crmlink.domain.values import BadValue, check_value, expected_type
from crmlink.errors import CRMError, DuplicateData, InvalidData, MandatoryNotFound
from crmlink.storage import attachments as attachment_store
from crmlink.storage import links as link_store
from crmlink.storage import records as store
from crmlink.storage import schema as schema_store
from crmlink.storage import tags as tag_store
from crmlink.storage.connection import Connection
from crmlink.storage.line_items import price_book_prices, records_by_id

_encode = msgspec.json.encode
_decode = msgspec.json.decode

# Accepted in a record but not stored with it: a multi-select lookup's associations are the
# links of its relation (domain/msl_values.py, domain/linking.py; docs/org-schema.md).
_MSL = "multiselectlookup"


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rendered records."""

    data: list[dict[str, Any]]
    page: int
    per_page: int
    more_records: bool


# Leads leave ``GET /Leads`` once converted, unless ``converted=true|both`` (domain/convert.py).
CONVERTED_MODULE = "Leads"


def success(message: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"code": "SUCCESS", "details": details, "message": message, "status": "success"}


def _derive(module: ModuleDef, data: dict[str, Any]) -> None:
    """Read-only fields computed from others (Zoho's Full_Name, an order's totals, ...)."""
    if "Full_Name" in module.field_map:
        parts = [data.get("First_Name"), data.get("Last_Name")]
        data["Full_Name"] = " ".join(p for p in parts if p) or None
    activities.derive(module, data)
    line_items.apply_totals(module, data)


def record_modules(conn: Connection, org_id: int, ids: Iterable[int]) -> dict[int, str]:
    """``{id: module}`` for the ids that exist in the org."""
    return store.record_modules(conn, org_id, ids)


class _Checked:
    """A validated item: the field values to store and the lookups they make."""

    __slots__ = ("data", "lookups", "msl", "owner_id", "rows", "se_module", "users")

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.lookups: dict[str, int] = {}
        self.owner_id: int | None = None
        self.se_module: str | None = None
        self.users: dict[str, int] = {}  # userlookup fields: the users they name
        self.rows: list[line_items.RowIn] | None = None  # line items sent, checked for shape
        self.msl: list[msl_values.MslChange] = []  # multi-select lookup fields sent


def _check_item(
    module: ModuleDef, item: Any, index: int, *, creating: bool, catalog: Catalog | None = None
) -> _Checked | CRMError:
    """Shape and type checks that need no database."""
    if not isinstance(item, dict):
        return InvalidData(details={"expected_data_type": "jsonobject", "json_path": f"$.data[{index}]"})
    item = line_items.with_product_details(module, item)
    if catalog is not None:
        broken = activities.check_item(catalog, module, item, index, creating=creating)
        if broken is not None:
            return broken
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
        if key == line_items.LINE_TAX_KEY and line_items.has_totals(module):
            taxes = line_items.parse_order_taxes(value, index)
            if isinstance(taxes, CRMError):
                return taxes
            out.data[key] = line_items.stored_taxes(taxes)
            continue
        f_or_none = module.field_map.get(key)
        if f_or_none is None or f_or_none.read_only:
            continue  # Zoho ignores fields it does not know and read-only ones
        f = f_or_none
        if f.data_type == _MSL:
            change = msl_values.parse(f, value, index)
            if isinstance(change, CRMError):
                return change
            out.msl.append(change)
            continue
        if f.data_type == "subform":
            rows = line_items.parse_rows(f, value, index)
            if isinstance(rows, CRMError):
                return rows
            out.rows = rows
            continue
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
    actor: Actor,
    checked: Sequence[_Checked | CRMError],
) -> list[_Checked | CRMError]:
    """Lookups must point at existing records of the right module that the actor may read
    (its token's scope and its profile); owners at org users. A record the actor may not read
    gets the same answer as one that does not exist, so a write cannot probe for ids."""
    org_id = actor.org_id
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
            target_module = catalog.find_module(have) if have is not None else None
            if (
                target_module is None
                or (want is not None and catalog.find_module(want) is not target_module)
                or not actor.may_read(target_module.api_name, target_module.scope_name)
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


def _apply_line_items(
    conn: Connection,
    org_id: int,
    module: ModuleDef,
    checked: Sequence[_Checked | CRMError],
    stored: Sequence[frozenset[int]],
    ids: IdGenerator | None,
) -> list[_Checked | CRMError]:
    """Line items sent become the rows to store (ids, product names, totals), or the item's
    error: products and price books must exist, row ids must be the record's rows."""
    f = line_items.subform_field(module)
    sent = [c for c in checked if isinstance(c, _Checked) and c.rows is not None]
    if f is None or not sent:
        return list(checked)
    if ids is None:  # a caller that numbers nothing (mass update): line items are not updatable there
        return [
            InvalidData(details={"api_name": f.api_name})
            if isinstance(c, _Checked) and c.rows is not None
            else c
            for c in checked
        ]
    wanted = {r.product_id for c in sent for r in c.rows or ()}
    wanted |= {r.book_id for c in sent for r in c.rows or () if r.book_id is not None}
    found = records_by_id(conn, org_id, wanted)
    products = {i: line_items.product_from(rec.data) for i, rec in found.items() if rec.module == "Products"}
    books = {i: rec.data.get("Price_Book_Name") for i, rec in found.items() if rec.module == "Price_Books"}
    prices = price_book_prices(
        conn, org_id, {(r.product_id, r.book_id) for c in sent for r in c.rows or () if r.book_id is not None}
    )

    def new_id() -> int:
        assert ids is not None
        return ids.next()

    out: list[_Checked | CRMError] = []
    for c, stored_ids in zip(checked, stored, strict=True):
        if isinstance(c, _Checked) and c.rows is not None:
            rows = line_items.build_rows(c.rows, products, books, prices, stored_ids, new_id)
            if isinstance(rows, CRMError):
                out.append(rows)
                continue
            c.data[f.api_name] = rows
        out.append(c)
    return out


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
    checked = [_check_item(module, item, i, creating=True, catalog=catalog) for i, item in enumerate(items)]
    checked = _check_references(conn, catalog, module, actor, checked)
    checked = _apply_line_items(conn, actor.org_id, module, checked, [frozenset()] * len(checked), ids)
    checked = _check_unique(conn, module, actor.org_id, checked, [])
    checked = _check_msl(conn, catalog, actor, checked, [None] * len(checked))
    _number_records(conn, module, actor.org_id, [c for c in checked if isinstance(c, _Checked)])
    now = now_us()
    rows: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    msl_writes: list[tuple[int, list[msl_values.MslChange]]] = []
    for c in checked:
        if isinstance(c, CRMError):
            results.append(c.as_item())
            continue
        record_id = ids.next()
        if c.msl:
            msl_writes.append((record_id, c.msl))
        for f in module.fields:
            if f.data_type == "autonumber" and f.auto_number is None:  # custom ones: _number_records
                c.data[f.api_name] = str(record_id)
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
        store.insert_lookups(conn, actor.org_id, module.api_name, record_id, c.lookups)
        results.append(success("record added", _audit_details(actor, record_id, now, now)))
    store.insert_records(conn, rows)
    if rows:
        change_log.records_created(conn, actor.org_id, actor.user_id, module.api_name, rows, now)
    _write_msl(conn, catalog, ids, actor, module, msl_writes)
    return results


def _check_msl(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    checked: Sequence[_Checked | CRMError],
    record_ids: Sequence[int | None],
) -> list[_Checked | CRMError]:
    """Multi-select lookup values: the records they link must exist (and be readable), the
    links they remove must be the record's (``msl_values.check``)."""
    out: list[_Checked | CRMError] = []
    for c, record_id in zip(checked, record_ids, strict=True):
        if isinstance(c, _Checked) and c.msl:
            error = msl_values.check(conn, catalog, actor.org_id, actor.may_read, c.msl, record_id)
            out.append(error or c)
        else:
            out.append(c)
    return out


def _write_msl(
    conn: Connection,
    catalog: Catalog,
    ids: IdGenerator | None,
    actor: Actor,
    module: ModuleDef,
    writes: Sequence[tuple[int, list[msl_values.MslChange]]],
) -> None:
    if not writes:
        return
    # Imported here: linking writes through domain/relations.py, which imports this module.
    from crmlink.domain import linking

    linking.write_body_changes(conn, catalog, ids, actor, module, writes)


def update_records(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    module: ModuleDef,
    items: Sequence[Any],
    path_id: int | None = None,
    ids: IdGenerator | None = None,
) -> list[dict[str, Any]]:
    """Bulk update (each item carries ``id``) or, with ``path_id``, the single form; ``ids``
    numbers new line items."""
    wanted: list[int | None] = []
    for item in items:
        raw = item.get("id") if isinstance(item, dict) else None
        wanted.append(path_id if path_id is not None else parse_id(raw))
    existing = store.records_for_update(conn, actor.org_id, [w for w in wanted if w is not None])
    checked = [_check_item(module, item, i, creating=False, catalog=catalog) for i, item in enumerate(items)]
    checked = _check_references(conn, catalog, module, actor, checked)
    subform = line_items.subform_field(module)
    if subform is not None:
        stored = [
            line_items.row_ids(_decode(existing[w].data).get(subform.api_name))
            if w is not None and w in existing
            else frozenset()
            for w in wanted
        ]
        checked = _apply_line_items(conn, actor.org_id, module, checked, stored, ids)
    checked = _check_unique(conn, module, actor.org_id, checked, wanted)
    checked = _check_msl(conn, catalog, actor, checked, wanted)
    now = now_us()
    results: list[dict[str, Any]] = []
    msl_writes: list[tuple[int, list[msl_values.MslChange]]] = []
    changed: list[store.RecordChange] = []  # written in one statement after the loop
    logged: list[tuple[int, dict[str, Any], dict[str, Any]]] = []  # for the change log
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
        old = _decode(row.data)
        data = {**old, **c.data}
        _derive(module, data)
        changed.append(
            store.RecordChange(
                record_id=row.id,
                data=_encode(data).decode(),
                modified_by=actor.user_id,
                modified_at=now,
                owner_id=c.owner_id or row.owner_id,
            )
        )
        if c.lookups:
            store.delete_lookups(conn, actor.org_id, row.id, c.lookups)
            store.insert_lookups(conn, actor.org_id, module.api_name, row.id, c.lookups)
        cleared = [k for k, v in c.data.items() if v is None and k in module.field_map]
        if cleared:
            store.delete_lookups(conn, actor.org_id, row.id, cleared)
        logged.append((row.id, *change_log.diff(old, data, row.owner_id, c.owner_id or row.owner_id)))
        if c.msl:
            msl_writes.append((row.id, c.msl))
        results.append(success("record updated", _audit_details(actor, row.id, row.created_at, now)))
    store.update_records(conn, actor.org_id, changed)
    if logged:
        change_log.records_updated(conn, actor.org_id, actor.user_id, module.api_name, logged, now)
    _write_msl(conn, catalog, ids, actor, module, msl_writes)
    return results


def delete_records(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    module: ModuleDef,
    record_ids: Sequence[int | None],
    retention: Retention | None = None,
) -> list[dict[str, Any]]:
    """Delete records and everything that hangs on them: links (with change events), lookups.
    The records go to the recycle bin (``domain/recycle_bin.py``), kept as ``retention`` says."""
    existing = store.lock_records_for_delete(conn, actor.org_id, [i for i in record_ids if i is not None])
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
        bin_records(conn, actor, module, sorted(gone), org_now_us(actor.org_id), retention or Retention())
        remove_record_dependents(conn, catalog, actor, module, sorted(gone))
    return results


def remove_record_dependents(
    conn: Connection, catalog: Catalog, actor: Actor, module: ModuleDef, record_ids: list[int]
) -> None:
    """Delete the records, their links (one ``removed_by_delete`` event each) and lookups;
    the change log gets the links, then the records."""
    now = now_us()
    stored = change_log.read_records(conn, actor.org_id, record_ids)
    link_changes: list[tuple[Any, ...]] = []
    for relation in catalog.relations:
        for side, records_on_left in ((relation.left, True), (relation.right, False)):
            if side != module.api_name:
                continue
            # The records are locked (delete_records): no relate adds a link to them meanwhile.
            removed = link_store.delete_links_of_records(
                conn, actor.org_id, relation.name, records_on_left, record_ids
            )
            events = [
                (
                    actor.org_id,
                    now,
                    actor.user_id,
                    relation.name,
                    "removed_by_delete",
                    link.left_id,
                    link.right_id,
                    link.data,
                    None,
                )
                for link in removed
            ]
            link_store.insert_events(conn, events)
            link_changes += events
    # Attachments and photos go with the record; their blobs become orphans for ``crmlink gc``.
    attachment_store.delete_for_records(conn, actor.org_id, record_ids)
    tag_store.remove_for_records(conn, actor.org_id, record_ids, actor.user_id, now)
    store.delete_records(conn, actor.org_id, record_ids)
    change_log.records_deleted(conn, actor.org_id, actor.user_id, stored, link_changes, now)


# --- reading -------------------------------------------------------------------------------


def get_record(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    module: ModuleDef,
    record_id: int,
    *,
    reader: Actor | None = None,
) -> dict[str, Any] | None:
    row = store.record_row(conn, org_id, module.api_name, record_id)
    if row is None:
        return None
    rendered = render(conn, catalog, org_id, [row], reader=reader)
    rendered = msl_values.with_fields(conn, catalog, org_id, module, rendered, None, reader)
    return with_tags(conn, org_id, rendered, None)[0]


def with_tags(
    conn: Connection, org_id: int, rendered: list[dict[str, Any]], fields: Sequence[str] | None
) -> list[dict[str, Any]]:
    """Zoho's ``Tag`` field on record reads: ``[{"name","id"}]`` (``[]`` without tags); kept out
    when ``fields`` is given without it."""
    if not rendered or (fields and "Tag" not in fields):
        return rendered
    found = tag_store.tags_of(conn, org_id, [int(r["id"]) for r in rendered])
    for record in rendered:
        record["Tag"] = [{"name": name, "id": str(tid)} for tid, name in found.get(int(record["id"]), [])]
    return rendered


def check_sort_by(module: ModuleDef, sort_by: str) -> None:
    """``sort_by`` must be a system column (id, Created_Time, Modified_Time) or a field of the
    module; ``INVALID_DATA`` naming the parameter otherwise."""
    if sort_by not in store.SORT_COLUMNS and sort_by not in module.field_map:
        raise InvalidData(details={"param_name": "sort_by"})


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
    owner_id: int | None = None,
    reader: Actor | None = None,
    converted: str = "false",
) -> Page:
    """A page of the module's records; ``owner_id`` keeps that user's (a ``My ...`` view);
    ``converted`` (``false``, ``true``, ``both``) filters converted leads (Leads only)."""
    if sort_by:
        check_sort_by(module, sort_by)
    rows = store.module_records(
        conn,
        org_id,
        module.api_name,
        limit=per_page + 1,
        offset=(page - 1) * per_page,
        ids=ids,
        modified_since=modified_since,
        sort_by=sort_by,
        descending=(sort_order or "desc") == "desc",
        owner_id=owner_id,
        converted=converted if module.api_name == CONVERTED_MODULE and converted != "both" else None,
    )
    more = len(rows) > per_page
    rendered = render(conn, catalog, org_id, rows[:per_page], fields, reader=reader)
    rendered = msl_values.with_fields(conn, catalog, org_id, module, rendered, fields, reader)
    return Page(with_tags(conn, org_id, rendered, fields), page, per_page, more)


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
    reader: Actor | None = None,
) -> Page:
    """Records of ``module`` whose lookup ``field`` points at ``parent_id`` (a Lead's Notes)."""
    rows = store.records_looking_up(
        conn,
        org_id,
        parent_id,
        module.api_name,
        field,
        limit=per_page + 1,
        offset=(page - 1) * per_page,
        modified_since=modified_since,
    )
    more = len(rows) > per_page
    return Page(render(conn, catalog, org_id, rows[:per_page], fields, reader=reader), page, per_page, more)
