"""Upsert: insert a record, or update the one that already holds its duplicate-check value.

The check chain (spec records-more §3.1): without ``duplicate_check_fields``, the module's
system-defined fields (Leads: Email), then its user-defined unique and external fields; with
it, the fields named in their order, then the remaining user-defined ones (the system field is
then not checked unless named). For each item, the first field of the chain whose value an
existing record holds decides: that record is updated (``action: update``, ``duplicate_field``
names the field); no match inserts (``action: insert``, ``duplicate_field: null``).

Concurrency: the keys of the whole batch are locked first (PostgreSQL; SQLite runs one writer
at a time), so two upserts of the same key never both insert. Items of one batch that share a
key run in order: the later one updates what the earlier one inserted. The inserts and updates
themselves are ``records.insert_records`` / ``records.update_records``, so validation, lookups
and answers are those of the plain routes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmlink.domain import records as rec
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, FieldDef, ModuleDef
from crmlink.domain.external import reindex
from crmlink.domain.ids import IdGenerator
from crmlink.domain.values import BadValue, check_value
from crmlink.errors import DuplicateData, InvalidData, InvalidModule
from crmlink.storage import Connection
from crmlink.storage.unique_keys import fold, ids_by_values, lock_keys

Key = tuple[str, Any]  # (field api name, stored value with ASCII letters folded)


def check_chain(module: ModuleDef, requested: Any) -> list[FieldDef]:
    """The fields to check, in order, for ``duplicate_check_fields`` (``None``: absent).

    Raises ``InvalidModule`` for a module without upsert (no duplicate-check field, e.g. Notes)
    and ``InvalidData`` for a list that is not strings naming the module's unique fields."""
    if not module.key_fields:
        raise InvalidModule(details={"resource_path_index": 0})
    if requested is None or requested == []:
        return list(module.key_fields)
    if not isinstance(requested, list):
        raise InvalidData(
            details={
                "api_name": "duplicate_check_fields",
                "expected_data_type": "jsonarray",
                "json_path": "$.duplicate_check_fields",
            }
        )
    allowed = {f.api_name: f for f in module.key_fields}
    chain: list[FieldDef] = []
    for index, name in enumerate(requested):
        f = allowed.get(name) if isinstance(name, str) else None
        if f is None:
            raise InvalidData(
                details={
                    "api_name": name if isinstance(name, str) else "duplicate_check_fields",
                    "json_path": f"$.duplicate_check_fields[{index}]",
                }
            )
        if f not in chain:
            chain.append(f)
    chain.extend(f for f in module.user_unique if f not in chain)
    return chain


def _keys(chain: Sequence[FieldDef], item: Any) -> list[Key]:
    """The item's values of the chain's fields, as stored but with ASCII letters folded (keys
    compare case-insensitively, as search does); values that would not be stored (absent,
    empty, of the wrong type) match nothing."""
    if not isinstance(item, dict):
        return []
    out: list[Key] = []
    for f in chain:
        raw = item.get(f.api_name)
        if raw is None or raw == "":
            continue
        try:
            value = check_value(f, raw)
        except BadValue:
            continue
        if value is not None and value != "":
            out.append((f.api_name, fold(value)))
    return out


def _answer(result: dict[str, Any], action: str, field: str | None) -> dict[str, Any]:
    if result.get("status") != "success":
        return result
    return {
        "code": result["code"],
        "duplicate_field": field,
        "action": action,
        "details": result["details"],
        "message": result["message"],
        "status": result["status"],
    }


def upsert_records(
    conn: Connection,
    catalog: Catalog,
    ids: IdGenerator,
    actor: Actor,
    module: ModuleDef,
    items: Sequence[Any],
    chain: Sequence[FieldDef],
) -> list[dict[str, Any]]:
    """One result per item, in input order (module docstring)."""
    org = actor.org_id
    keys = [_keys(chain, item) for item in items]
    lock_keys(conn, org, module.api_name, [k for item_keys in keys for k in item_keys])
    found: dict[str, dict[Any, int]] = {
        f.api_name: ids_by_values(
            conn, org, module.api_name, f.api_name, [v for ks in keys for n, v in ks if n == f.api_name]
        )
        for f in chain
    }
    results: list[dict[str, Any] | None] = [None] * len(items)
    pending = list(range(len(items)))
    while pending:
        # A wave: items whose keys no earlier pending item shares. Later sharers wait for the
        # next wave, which sees what this one inserted or changed.
        wave: list[int] = []
        later: list[int] = []
        taken: set[Key] = set()
        for i in pending:
            mine = set(keys[i])
            (later if mine & taken else wave).append(i)
            taken |= mine
        updates: list[tuple[int, int, str]] = []
        inserts: list[int] = []
        for i in wave:
            match = next(((n, found[n][v]) for n, v in keys[i] if v in found[n]), None)
            if match is None:
                inserts.append(i)
                continue
            field, record_id = match
            clash = next(
                ((n, found[n][v]) for n, v in keys[i] if found[n].get(v, record_id) != record_id), None
            )
            if clash is not None:
                results[i] = DuplicateData(details={"api_name": clash[0], "id": str(clash[1])}).as_item()
                continue
            updates.append((i, record_id, field))
        if updates:
            bodies = [
                {**{k: v for k, v in items[i].items() if k != "id"}, "id": str(rid)} for i, rid, _ in updates
            ]
            done = rec.update_records(conn, catalog, actor, module, bodies, ids=ids)
            for sub, ((i, rid, field), result) in enumerate(zip(updates, done, strict=True)):
                results[i] = _answer(reindex(result, sub, i), "update", field)
                if result.get("status") == "success":
                    for n, v in keys[i]:
                        found[n].setdefault(v, rid)
        if inserts:
            done = rec.insert_records(conn, catalog, ids, actor, module, [items[i] for i in inserts])
            for sub, (i, result) in enumerate(zip(inserts, done, strict=True)):
                results[i] = _answer(reindex(result, sub, i), "insert", None)
                if result.get("status") == "success":
                    new_id = int(result["details"]["id"])
                    for n, v in keys[i]:
                        found[n].setdefault(v, new_id)
        pending = later
    return [r for r in results if r is not None]
