"""Parsing what a request carries: JSON bodies, ``data`` lists, query parameters, path ids.

Bodies are parsed whatever the Content-Type says (Zoho's official SDKs send none).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from crmlink.api.context import Req
from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.domain.clock import parse_iso
from crmlink.domain.ids import parse_id
from crmlink.errors import (
    InvalidData,
    InvalidModule,
    InvalidUrlPattern,
    LimitExceeded,
    MandatoryNotFound,
    RequiredParamMissing,
    UnableToParseDataType,
)

MAX_ITEMS = 100
MAX_PER_PAGE = 200
VERSIONS = frozenset({"v2", "v2.1"})
# Words Zoho reserves in the segment after a module (``/Leads/search``, ``/Leads/actions/count``)
# and after the version (``/coql``). They are never record ids: until a route serves one, it is
# an unknown URL (404 INVALID_URL_PATTERN), not "the id given seems to be invalid".
RESERVED_PATH_WORDS = frozenset({"search", "upsert", "deleted", "actions", "coql"})

_decoder = msgspec.json.Decoder()


def check_version(version: str) -> None:
    if version not in VERSIONS:
        raise InvalidUrlPattern()


def check_record_segment(segment: str) -> None:
    """``INVALID_URL_PATTERN`` for a reserved word where a record id would be."""
    if segment.lower() in RESERVED_PATH_WORDS:
        raise InvalidUrlPattern()


def resolve_module(
    catalog: Catalog, name: str, *, path_index: int | None = 0, linking: bool = False
) -> ModuleDef:
    """The module a path or parameter names. Metadata (``path_index`` None) describes every
    module; record routes need API ones, and a linking module (its records are links,
    domain/linking.py) only where the route serves it (``linking``)."""
    if path_index == 0:
        check_record_segment(name)  # ``/crm/v2/coql`` names no module
    details = {"resource_path_index": path_index} if path_index is not None else {}
    module = catalog.find_module(name)
    served = module is not None and module.api_supported
    if served and module is not None and module.generated_type == "linking" and not linking:
        served = False
    if module is not None and (served or path_index is None):
        return module
    if module is not None:
        raise InvalidModule("The given module is not supported in API", details)
    if catalog.is_unsupported(name):
        raise InvalidModule("The given module is not supported in API", details)
    raise InvalidModule(details=details)


async def read_json(request: Req) -> Any:
    return decode_json(await request.body())


def decode_json(raw: bytes) -> Any:
    """A request body as JSON; ``MANDATORY_NOT_FOUND`` when empty, ``INVALID_DATA`` when not JSON."""
    if not raw.strip():
        raise MandatoryNotFound(details={"api_name": "data"})
    try:
        raw.decode("utf-8")  # msgspec passes invalid UTF-8 inside strings through
        return _decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        raise InvalidData("body is not valid JSON", {"expected_data_type": "jsonobject"}) from None


def data_items(body: Any, *, max_items: int = MAX_ITEMS) -> list[Any]:
    """The ``data`` list of a write body, 1 to ``max_items`` long."""
    if not isinstance(body, dict):
        raise InvalidData(details={"expected_data_type": "jsonobject"})
    if "data" not in body:
        raise MandatoryNotFound(details={"api_name": "data", "json_path": "$.data"})
    items = body["data"]
    if not isinstance(items, list):
        raise InvalidData(
            details={"api_name": "data", "expected_data_type": "jsonarray", "json_path": "$.data"}
        )
    if not items:
        raise InvalidData(details={"api_name": "data", "json_path": "$.data"})
    if len(items) > max_items:
        raise LimitExceeded(
            f"Limit Exceeded, You cannot give more than {max_items} records",
            {"api_name": "data", "limit": max_items},
        )
    return items


def int_param(request: Req, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidData(details={"param_name": name}) from None
    if not lo <= value <= hi:
        raise InvalidData(details={"param_name": name})
    return value


def paging(request: Req) -> tuple[int, int]:
    page = int_param(request, "page", 1, 1, 1_000_000)
    per_page = int_param(request, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    return page, per_page


def csv_param(request: Req, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def ids_param(request: Req, *, required: bool, max_items: int = MAX_ITEMS) -> list[int] | None:
    """``ids=a,b``: at most ``max_items`` (100), all numeric (``UNABLE_TO_PARSE_DATA_TYPE`` otherwise)."""
    parts = csv_param(request, "ids")
    if parts is None or not parts:
        if required:
            raise RequiredParamMissing(details={"param_name": "ids"})
        return None
    if len(parts) > max_items:
        raise LimitExceeded(
            f"Limit Exceeded, You cannot give more than {max_items} record ids",
            {"limit": str(max_items), "param_name": "ids"},
        )
    out: list[int] = []
    for part in parts:
        value = parse_id(part)
        if value is None:
            raise UnableToParseDataType(details={"param_name": "ids"})
        out.append(value)
    return out


def path_id(raw: str, index: int, message: str = "the id given seems to be invalid") -> int:
    value = parse_id(raw)
    if value is None:
        raise InvalidData(message, {"resource_path_index": index})
    return value


def modified_since(request: Req) -> int | None:
    raw = request.headers.get("if-modified-since")
    if not raw:
        return None
    value = parse_iso(raw)
    if value is None:
        raise InvalidData(details={"header_name": "If-Modified-Since"})
    return value


async def form_params(request: Req) -> dict[str, str]:
    """Query-string parameters, overridden by those of a form body."""
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    params.update(await body_form_params(request))
    return params


async def body_form_params(request: Req) -> dict[str, str]:
    """The parameters of a form body only (the browser sign-in: a query string would carry a
    password into proxy logs)."""
    params: dict[str, str] = {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params
    raw = await request.body()
    if raw:
        # A body that is not a form leaves only the query string.
        with suppress(UnicodeDecodeError, ValueError):
            params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return params
