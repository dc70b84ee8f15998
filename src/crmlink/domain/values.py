"""Field values: checking a JSON value against a field's ``data_type``.

``check_value`` returns the value to store, or raises ``BadValue`` naming the expected type.
Lookups are only checked for shape here; their targets are checked in bulk by the caller.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from crmlink.domain.catalog import FieldDef
from crmlink.domain.clock import parse_iso
from crmlink.domain.ids import parse_id

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BIGINT = re.compile(r"^-?[0-9]{1,19}$")
_WEBSITE = re.compile(r"^(https?://)?[^\s/]+\.[^\s]+$", re.IGNORECASE)

TEXT_TYPES = frozenset(
    {"text", "textarea", "website", "email", "phone", "mediumtext", "autonumber", "profileimage"}
)
INTEGER_TYPES = frozenset({"integer", "long", "bigint"})
NUMBER_TYPES = frozenset({"double", "percent", "currency"})
LOOKUP_TYPES = frozenset({"lookup", "ownerlookup", "userlookup"})

# Zoho's expected_data_type names in INVALID_DATA details.
_EXPECTED = {"ownerlookup": "lookup", "userlookup": "lookup", "mediumtext": "textarea"}


class BadValue(Exception):
    """A value that does not fit its field; ``expected`` is Zoho's expected_data_type."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def expected_type(f: FieldDef) -> str:
    return _EXPECTED.get(f.data_type, f.data_type)


def is_finite_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) < 1e15
    )


def lookup_id(value: object) -> int | None:
    """The id in a lookup value: ``"123"``, ``123`` or ``{"id": "123", ...}``."""
    if isinstance(value, dict):
        value = value.get("id")
    return parse_id(value)


def check_value(f: FieldDef, value: Any) -> Any:
    """The value to store for ``f``; ``None`` clears the field. Raises ``BadValue``."""
    if value is None:
        return None
    kind = f.data_type
    if kind in TEXT_TYPES:
        if not isinstance(value, str):
            raise BadValue(expected_type(f))
        if f.length is not None and len(value) > f.length:
            raise BadValue(expected_type(f))
        if kind == "email" and value and not _EMAIL.match(value):
            raise BadValue(expected_type(f))
        if kind == "website" and value and f.custom and not _WEBSITE.match(value):
            raise BadValue(expected_type(f))
        return value
    if kind == "bigint" and isinstance(value, str) and _BIGINT.match(value):
        value = int(value)  # Zoho's bigint travels as a numeric string too
    if kind in INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
            raise BadValue(expected_type(f))
        return value
    if kind in NUMBER_TYPES:
        if not is_finite_number(value):
            raise BadValue(expected_type(f))
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise BadValue("boolean")
        return value
    if kind == "date":
        if not isinstance(value, str):
            raise BadValue("date")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise BadValue("date") from None
    if kind == "datetime":
        if not isinstance(value, str) or parse_iso(value) is None:
            raise BadValue("datetime")
        return value
    if kind == "picklist":
        if not isinstance(value, str) or value not in f.picklist:
            raise BadValue("picklist")
        return value
    if kind == "multiselectpicklist":
        if not isinstance(value, list) or not all(isinstance(v, str) and v in f.picklist for v in value):
            raise BadValue("multiselectpicklist")
        return list(value)
    if kind in LOOKUP_TYPES:
        found = lookup_id(value)
        if found is None:
            raise BadValue(expected_type(f))
        return str(found)
    if kind in {"ALARM", "RRULE"}:
        # Tasks' Remind_At {"ALARM": "FREQ=NONE;ACTION=EMAIL;TRIGGER=DATE-TIME:..."} and the
        # activities' Recurring_Activity {"RRULE": "FREQ=DAILY;INTERVAL=1;..."} (spec schema 1.3).
        rule = value.get(kind) if isinstance(value, dict) else None
        if not isinstance(rule, str) or not rule.strip() or len(rule) > 1000:
            raise BadValue(kind)
        return {kind: rule}
    if kind == "event_reminder":
        if not isinstance(value, str) or parse_iso(value) is None:
            raise BadValue("datetime")
        return value
    if kind in {"fileupload", "imageupload"}:
        return _files(f, value)
    raise BadValue(expected_type(f))


# The v2.1 SDK's wire names of a file-upload item (record.FileDetails). The SDK itself sends
# them lower-cased on input (json_converter: ``key_name.lower()``) and reads them in this
# casing on output, so input keys are matched without case and stored in this casing.
_FILE_KEYS = {
    k.lower(): k
    for k in (
        "file_Id",
        "file_Name",
        "file_Size",
        "extn",
        "download_Url",
        "preview_Url",
        "delete_Url",
        "attachment_Id",
        "entity_Id",
        "creator_Id",
        "original_Size_Byte",
        "is_Preview_Available",
        "link_Docs",
        "mode",
    )
}


def _files(f: FieldDef, value: Any) -> list[dict[str, Any]]:
    """A file or image upload field: a list of objects naming uploaded files (``file_Id`` for
    files, ``File_Id`` or ``Encrypted_Id`` for images, the v2.1 SDK's wire keys), at most
    ``length`` of them."""
    if not isinstance(value, list) or (f.length is not None and len(value) > f.length):
        raise BadValue(f.data_type)
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict):
            raise BadValue(f.data_type)
        if f.data_type == "fileupload":
            clean = {_FILE_KEYS[k.lower()]: v for k, v in item.items() if k.lower() in _FILE_KEYS}
            ident = clean.get("file_Id")
        else:
            clean = dict(item)
            ident = item.get("File_Id", item.get("Encrypted_Id"))
        if not isinstance(ident, str) or not ident:
            raise BadValue(f.data_type)
        out.append(clean)
    return out
