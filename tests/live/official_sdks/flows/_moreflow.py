"""Upsert, deleted records, record count and mass update through an official SDK, unmodified
(issue 11, item 8): shared by ``zohocrmsdk21_more.py`` (v2.1 paths) and ``zcrmsdk31_more.py``
(v2 paths), whose SDKs have the same classes for these calls (v2's has no record count).
Standard library and the SDK only."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from _flowkit import Flow, _plain
from zcrmsdk.src.com.zoho.crm.api import ParameterMap
from zcrmsdk.src.com.zoho.crm.api.record import BodyWrapper as RecordBody
from zcrmsdk.src.com.zoho.crm.api.record import (
    GetDeletedRecordsParam,
    GetMassUpdateStatusParam,
    MassUpdateBodyWrapper,
    Record,
    RecordOperations,
)


def _call(flow: Flow, name: str, response: Any) -> tuple[dict[str, Any], Any]:
    """The call as ``Flow.call`` records it, and the SDK's object (``None`` for none)."""
    return flow.call(name, response), (response.get_object() if response is not None else None)


def _data(obj: Any) -> list[Any]:
    return list(obj.get_data() or []) if obj is not None and hasattr(obj, "get_data") else []


def _records(items: list[dict[str, object]]) -> list[Record]:
    out = []
    for fields in items:
        record = Record()
        for key, value in fields.items():
            record.add_key_value(key, value)
        out.append(record)
    return out


def _upsert(flow: Flow, name: str, items: list[dict[str, object]], check: list[str] | None) -> dict[str, Any]:
    body = RecordBody()
    body.set_data(_records(items))
    if check is not None:
        body.set_duplicate_check_fields(check)
    described, obj = _call(flow, name, RecordOperations().upsert_records("Leads", body))
    described["upserted"] = [
        {"action": _plain(i.get_action()), "duplicate_field": i.get_duplicate_field()}
        for i in _data(obj)
        if hasattr(i, "get_action")
    ]
    return described


def main(flow: Flow, initialize: Callable[[Flow], None], has_count: bool) -> None:
    initialize(flow)
    # The flows of both SDKs may share a server: each run's records have their own domain.
    d = f"sdk-{secrets.token_hex(4)}.example"
    ops = RecordOperations()
    if has_count:
        before, obj = _call(flow, "count before", ops.record_count("Leads"))
        before["count"] = obj.get_count() if obj is not None and hasattr(obj, "get_count") else None
    leads = [{"Last_Name": f"Lead {i}", "Email": f"l{i}@{d}", "Company": "Zylker"} for i in range(3)]
    first = _upsert(flow, "upsert insert", leads, ["Email"])
    flow.ids["leads"] = [int(i["details"]["id"]) for i in first.get("items", []) if i["details"]]
    again = [{**lead, "Email": str(lead["Email"]).upper(), "Company": "Again"} for lead in leads]
    _upsert(flow, "upsert update", again, None)
    if has_count:
        after, obj = _call(flow, "count after", ops.record_count("Leads"))
        after["count"] = obj.get_count() if obj is not None and hasattr(obj, "get_count") else None
    # Mass update by ids (one text field).
    mass = MassUpdateBodyWrapper()
    mass.set_data(_records([{"Company": "Mass Co"}]))
    mass.set_ids(flow.ids["leads"][:2])
    described, obj = _call(flow, "mass update", ops.mass_update_records("Leads", mass))
    described["mass"] = [
        {"class": type(i).__name__, "code": _plain(i.get_code()), "details": _plain(i.get_details())}
        for i in _data(obj)
    ]
    pm = ParameterMap()
    pm.add(GetMassUpdateStatusParam.job_id, "1234567890123456789")
    status, obj = _call(flow, "mass update status unknown job", ops.get_mass_update_status("Leads", pm))
    if obj is not None and hasattr(obj, "get_code"):
        status["error"] = {"code": _plain(obj.get_code()), "message": _plain(obj.get_message())}
    # Delete two, find them under deleted.
    flow.call("delete one", ops.delete_record(flow.ids["leads"][0], "Leads"))
    pm = ParameterMap()
    pm.add(GetDeletedRecordsParam.type, "recycle")
    pm.add(GetDeletedRecordsParam.per_page, 200)
    listed, obj = _call(flow, "deleted recycle", ops.get_deleted_records("Leads", pm))
    listed["deleted"] = [
        {
            "id": r.get_id(),
            "type": r.get_type(),
            "display_name": r.get_display_name(),
            "deleted_by": _plain(r.get_deleted_by()),
            "deleted_time": str(r.get_deleted_time()),
        }
        for r in _data(obj)
    ]
    pm = ParameterMap()
    pm.add(GetDeletedRecordsParam.type, "permanent")
    flow.call("deleted permanent", ops.get_deleted_records("Leads", pm))
