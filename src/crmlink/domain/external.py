"""External ids: records addressed by the value of an external field (``X-EXTERNAL``).

Spec records-more §12. The header names ``{Module}.{ExternalField}`` (the record itself) and/or
``{Module}.{LookupField}.{ExternalField}`` (a lookup's target, by its own external field),
comma-separated. With the record form, a path segment, an ``ids`` value or a bulk item's
external field value stands where the record id would; a lookup form lets a body give a lookup
as ``{"<ExternalField>": "<value>"}`` instead of an id. Without the header, ids count, as
always. Values compare as upsert's keys do (``storage/unique_keys.py``: ASCII letters folded)
and are found through the same per-field index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crmlink.domain.catalog import Catalog, FieldDef, ModuleDef
from crmlink.errors import CRMError, InvalidData
from crmlink.storage import Connection
from crmlink.storage.unique_keys import fold, ids_by_values

HEADER = "X-EXTERNAL"
INVALID_VALUE = "The value of the external field is invalid."
INVALID_LOOKUP = "The external ID of the lookup field or the Price Book is incorrect"


@dataclass(frozen=True, slots=True)
class External:
    """What an ``X-EXTERNAL`` header says for one request's module."""

    record: FieldDef | None = None  # the module's own external field
    # lookup field api name -> (target module, its external field)
    lookups: dict[str, tuple[ModuleDef, FieldDef]] = field(default_factory=dict)


def _bad(path: str) -> InvalidData:
    return InvalidData(details={"header_name": HEADER, "value": path})


def parse_header(catalog: Catalog, module: ModuleDef, raw: str | None) -> External | None:
    """The header's meaning, ``None`` when absent; ``INVALID_DATA`` naming the header for a
    path that is not an external field of ``module`` (or of a lookup's module)."""
    if raw is None or not raw.strip():
        return None
    record: FieldDef | None = None
    lookups: dict[str, tuple[ModuleDef, FieldDef]] = {}
    for path in (p.strip() for p in raw.split(",")):
        parts = path.split(".")
        if len(parts) not in (2, 3) or catalog.find_module(parts[0]) is not module:
            raise _bad(path)
        if len(parts) == 2:
            f = module.external_fields.get(parts[1])
            if f is None:
                raise _bad(path)
            record = f
            continue
        lookup = module.field_map.get(parts[1])
        target = catalog.find_module(lookup.lookup_module or "") if lookup is not None else None
        ext = target.external_fields.get(parts[2]) if target is not None else None
        if lookup is None or lookup.data_type != "lookup" or target is None or ext is None:
            raise _bad(path)
        lookups[lookup.api_name] = (target, ext)
    return External(record, lookups)


def find_ids(
    conn: Connection, org_id: int, module: ModuleDef, ext: FieldDef, values: Sequence[Any]
) -> dict[Any, int]:
    """``{value as given: record id}`` for the values some record of ``module`` holds."""
    strings = [v for v in values if isinstance(v, str) and v != ""]
    found = ids_by_values(conn, org_id, module.api_name, ext.api_name, strings)
    return {v: found[fold(v)] for v in strings if fold(v) in found}


def resolve_items(
    conn: Connection, org_id: int, module: ModuleDef, ext: FieldDef, items: Sequence[Any | CRMError]
) -> list[Any | CRMError]:
    """Bulk update by external value: each item with ``id`` set from its external field, or the
    item's error (no value, or a value no record holds); errors already found pass through."""
    values = [item.get(ext.api_name) if isinstance(item, dict) else None for item in items]
    found = find_ids(conn, org_id, module, ext, values)
    out: list[Any | CRMError] = []
    for index, (item, value) in enumerate(zip(items, values, strict=True)):
        if isinstance(item, CRMError):
            out.append(item)
            continue
        record_id = found.get(value)
        if not isinstance(item, dict) or record_id is None:
            path = f"$.data[{index}].{ext.api_name}"
            out.append(InvalidData(INVALID_VALUE, {"api_name": ext.api_name, "json_path": path}))
            continue
        out.append({**item, "id": str(record_id)})
    return out


def resolve_lookups(
    conn: Connection, org_id: int, external: External | None, items: Sequence[Any]
) -> list[Any | CRMError]:
    """Items with lookups given by external value (``{"External_Account_ID": "x"}``) replaced
    by ``{"id": ...}``, or the item's error when a value names no record. Under the header the
    external value decides even when an ``id`` is sent too (spec §12)."""
    if external is None or not external.lookups:
        return list(items)
    wanted: dict[str, list[Any]] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        for name, (_target, ext) in external.lookups.items():
            value = item.get(name)
            if isinstance(value, dict) and ext.api_name in value:
                wanted.setdefault(name, []).append(value[ext.api_name])
    found = {
        name: find_ids(conn, org_id, external.lookups[name][0], external.lookups[name][1], values)
        for name, values in wanted.items()
    }
    out: list[Any | CRMError] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            out.append(item)
            continue
        copy = dict(item)
        error: CRMError | None = None
        for name, (_target, ext) in external.lookups.items():
            value = item.get(name)
            if not isinstance(value, dict) or ext.api_name not in value:
                continue
            record_id = found.get(name, {}).get(value[ext.api_name])
            if record_id is None:
                error = InvalidData(
                    INVALID_LOOKUP, {"api_name": name, "json_path": f"$.data[{index}].{name}"}
                )
                break
            copy[name] = {"id": str(record_id)}
        out.append(error or copy)
    return out


def reindex(result: dict[str, Any], sub: int, index: int) -> dict[str, Any]:
    """A result of a sub-batch, its ``json_path`` pointing at the item's place in the request."""
    details = result.get("details")
    if isinstance(details, dict):
        path = details.get("json_path")
        prefix = f"$.data[{sub}]"
        if isinstance(path, str) and path.startswith(prefix):
            details["json_path"] = f"$.data[{index}]" + path[len(prefix) :]
    return result


def run_prepared(
    prepared: Sequence[Any | CRMError], run: Callable[[list[Any]], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """``run`` on the items that resolved; one result per item of ``prepared``, in its order,
    the unresolved ones answering their error."""
    good = [i for i, p in enumerate(prepared) if not isinstance(p, CRMError)]
    done = run([prepared[i] for i in good]) if good else []
    out: list[dict[str, Any]] = [p.as_item() if isinstance(p, CRMError) else {} for p in prepared]
    for sub, (i, result) in enumerate(zip(good, done, strict=True)):
        out[i] = reindex(result, sub, i)
    return out


def echo(results: list[dict[str, Any]], ext: FieldDef, values: Sequence[Any]) -> list[dict[str, Any]]:
    """Successes name the external value that addressed them first in ``details`` (spec §12)."""
    for result, value in zip(results, values, strict=True):
        if result.get("status") == "success" and isinstance(result.get("details"), dict):
            result["details"] = {ext.api_name: value, **result["details"]}
    return results
