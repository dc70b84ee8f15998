"""Rules of the activities (Tasks, Events, Calls) that the field types alone do not express.

* ``What_Id`` is polymorphic: its module is named by ``$se_module``, which must come with it
  (MANDATORY_NOT_FOUND ``$se_module`` otherwise) and must name a module an activity can be
  related to: any served module but Contacts (an activity's contact is ``Who_Id``), Notes, the
  activities themselves, Solutions and Price_Books (spec schema 1.3; custom modules included).
  ``$se_module`` sent without ``What_Id`` is ignored.
* An event cannot end before it starts (INVALID_DATA on ``End_DateTime``).
* A call's ``Call_Duration`` is ``"mm:ss"`` (or ``"hh:mm:ss"``); a call that has started (its
  ``Call_Start_Time`` is not in the future) needs one. ``Call_Duration_in_seconds`` follows it.
"""

from __future__ import annotations

import re
from typing import Any

from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.domain.clock import now_us, parse_iso
from crmlink.errors import CRMError, InvalidData, MandatoryNotFound

WHAT_ID = "What_Id"
SE_MODULE_KEY = "$se_module"
NOT_WHAT_ID_TARGETS = frozenset({"Contacts", "Notes", "Tasks", "Events", "Calls", "Solutions", "Price_Books"})

_DURATION = re.compile(r"^(?:(\d{1,3}):)?(\d{1,4}):([0-5]\d)$")


def what_id_target(catalog: Catalog, name: Any) -> ModuleDef | None:
    """The module ``$se_module`` names, if activities may point at its records."""
    if not isinstance(name, str):
        return None
    module = catalog.find_module(name)
    if module is None or module.api_name in NOT_WHAT_ID_TARGETS:
        return None
    return module


def duration_seconds(value: str) -> int | None:
    match = _DURATION.match(value)
    if match is None:
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _path(index: int, key: str) -> str:
    return f"$.data[{index}].{key}"


def check_item(
    catalog: Catalog, module: ModuleDef, item: dict[str, Any], index: int, *, creating: bool
) -> CRMError | None:
    """The first rule ``item`` breaks, or None."""
    f = module.field_map.get(WHAT_ID)
    if f is not None and item.get(WHAT_ID) is not None:
        se = item.get(SE_MODULE_KEY)
        if se is None or (isinstance(se, str) and not se.strip()):
            return MandatoryNotFound(
                details={"api_name": SE_MODULE_KEY, "json_path": _path(index, SE_MODULE_KEY)}
            )
        if what_id_target(catalog, se) is None:
            return InvalidData(details={"api_name": SE_MODULE_KEY, "json_path": _path(index, SE_MODULE_KEY)})
    if module.api_name == "Events":
        start, end = item.get("Start_DateTime"), item.get("End_DateTime")
        if isinstance(start, str) and isinstance(end, str):
            s, e = parse_iso(start), parse_iso(end)
            if s is not None and e is not None and e < s:
                return InvalidData(
                    details={
                        "expected_data_type": "datetime",
                        "api_name": "End_DateTime",
                        "json_path": _path(index, "End_DateTime"),
                    }
                )
    if module.api_name == "Calls":
        duration = item.get("Call_Duration")
        if isinstance(duration, str) and duration and duration_seconds(duration) is None:
            return InvalidData(
                details={
                    "expected_data_type": "text",
                    "api_name": "Call_Duration",
                    "json_path": _path(index, "Call_Duration"),
                }
            )
        start = item.get("Call_Start_Time")
        started = isinstance(start, str) and (parse_iso(start) or 0) <= now_us()
        if creating and started and not duration:
            return MandatoryNotFound(
                details={"api_name": "Call_Duration", "json_path": _path(index, "Call_Duration")}
            )
    return None


def derive(module: ModuleDef, data: dict[str, Any]) -> None:
    """Read-only values that follow others (Call_Duration_in_seconds)."""
    if "Call_Duration_in_seconds" in module.field_map:
        duration = data.get("Call_Duration")
        data["Call_Duration_in_seconds"] = duration_seconds(duration) if isinstance(duration, str) else None
    if WHAT_ID in module.field_map and data.get(WHAT_ID) is None:
        data.pop(SE_MODULE_KEY, None)
