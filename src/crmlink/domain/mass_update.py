"""Mass update (``POST /{module}/actions/mass_update``) and its job status (spec records-more §6).

v2.1 knows two modes. By ``ids`` (at most 500) every record is updated at once, with one
result per id in input order, through ``records.update_records`` (same validation and answers
as ``PUT /{module}``). By ``cvid`` (or ``territory``) Zoho schedules a job over a custom view;
crmlink serves no custom views, so a ``cvid`` names nothing (``INVALID_DATA``). Only one field
may be set per call (three in Deals), and never an email, lookup, owner, multi-line or read-only
field, as Zoho's mass update refuses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmlink.domain import records as rec
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import SYSTEM_FIELDS, Catalog, ModuleDef
from crmlink.domain.ids import parse_id
from crmlink.domain.values import BadValue, check_value
from crmlink.errors import InvalidData, LimitExceeded, MandatoryNotFound, NotFound
from crmlink.storage import Connection
from crmlink.storage import mass_update as store

MAX_IDS = 500
# Types Zoho's mass update cannot set: email, lookups (the owner too), multi-line, files.
_NOT_MASS_UPDATABLE = frozenset(
    {"email", "lookup", "ownerlookup", "userlookup", "multiselectlookup", "textarea", "fileupload", "subform"}
)
_ID_INVALID = "the id given seems to be invalid"


def max_fields(module: ModuleDef) -> int:
    return 3 if module.api_name == "Deals" else 1


def check_request(module: ModuleDef, body: Any) -> tuple[dict[str, Any], list[Any]]:
    """The field values to set and the raw ids, or the request-level error (module docstring)."""
    if not isinstance(body, dict):
        raise InvalidData(details={"expected_data_type": "jsonobject"})
    data = body.get("data")
    if data is None:
        raise MandatoryNotFound(details={"api_name": "data", "json_path": "$.data"})
    if not isinstance(data, list) or len(data) != 1 or not isinstance(data[0], dict):
        raise InvalidData(details={"api_name": "data", "json_path": "$.data"})
    values = {k: v for k, v in data[0].items() if k not in SYSTEM_FIELDS}
    if not values:
        raise InvalidData("No field found", {"api_name": "data", "json_path": "$.data[0]"})
    if len(values) > max_fields(module):
        raise InvalidData("Max field limit exceeded", {"limit": max_fields(module), "json_path": "$.data[0]"})
    for name in values:
        f = module.field_map.get(name)
        if f is None:
            raise InvalidData("No field found", {"api_name": name, "json_path": f"$.data[0].{name}"})
        if f.read_only or f.data_type in _NOT_MASS_UPDATABLE:
            raise InvalidData(details={"api_name": name, "json_path": f"$.data[0].{name}"})
        try:
            check_value(f, values[name])
        except BadValue as bad:
            raise InvalidData(
                details={
                    "api_name": name,
                    "expected_data_type": bad.expected,
                    "json_path": f"$.data[0].{name}",
                }
            ) from None
    ids = body.get("ids")
    if ids is None:
        if body.get("cvid") is not None or body.get("territory") is not None:
            # No custom views or territories here: the cvid names nothing.
            raise InvalidData(_ID_INVALID, {"api_name": "cvid", "json_path": "$.cvid"})
        raise MandatoryNotFound(details={"api_name": "ids", "json_path": "$.ids"})
    if not isinstance(ids, list) or not ids:
        raise InvalidData(
            details={"api_name": "ids", "expected_data_type": "jsonarray", "json_path": "$.ids"}
        )
    if len(ids) > MAX_IDS:
        raise LimitExceeded("Record count exceeded", {"api_name": "ids", "limit": MAX_IDS})
    return values, ids


def mass_update(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    module: ModuleDef,
    values: dict[str, Any],
    raw_ids: Sequence[Any],
) -> list[dict[str, Any]]:
    """One result per id, in input order; unknown ids answer ``INVALID_DATA`` ``{"id"}``."""
    parsed = [parse_id(raw) for raw in raw_ids]
    items = [{**values, "id": str(p)} for p in parsed if p is not None]
    done = iter(rec.update_records(conn, catalog, actor, module, items))
    out: list[dict[str, Any]] = []
    for raw, record_id in zip(raw_ids, parsed, strict=True):
        result = next(done) if record_id is not None else None
        if result is None or result.get("message") == _ID_INVALID:
            shown = raw if isinstance(raw, str) else str(raw)
            out.append(InvalidData(_ID_INVALID, {"id": shown}).as_item())
            continue
        details = result.get("details")
        if result.get("status") != "success" and isinstance(details, dict):
            path = details.get("json_path")
            if isinstance(path, str) and path.startswith("$.data["):
                details["json_path"] = "$.data[0]" + path[path.index("]") + 1 :]
        out.append(result)
    return out


def job_status(conn: Connection, org_id: int, module: ModuleDef, raw_job_id: str | None) -> dict[str, Any]:
    """``{Status, Failed_Count, Updated_Count, Not_Updated_Count, Total_Count}`` of a job."""
    if raw_job_id is None or raw_job_id == "":
        raise MandatoryNotFound("mandatory param missing", {"param_name": "job_id"})
    job_id = parse_id(raw_job_id)
    job = store.find_job(conn, org_id, module.api_name, job_id) if job_id is not None else None
    if job is None:
        raise NotFound()
    return {
        "Status": job.status,
        "Failed_Count": job.failed_count,
        "Updated_Count": job.updated_count,
        "Not_Updated_Count": job.not_updated_count,
        "Total_Count": job.total_count,
    }
