"""Parameters, answers and operations shared by every part of the description, and ``RouteDoc``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from crmlink.api.openapi.schemas import ID_STRING, IDS_PATTERN, MAX_PER_PAGE, Schema, ref
from crmlink.api.responses import JSON
from crmlink.domain.catalog import Catalog

Operation = dict[str, Any]


VERSION = {
    "name": "version",
    "in": "path",
    "required": True,
    "description": "API version; any other value answers 404 INVALID_URL_PATTERN.",
    "schema": {"type": "string", "enum": ["v2", "v2.1"]},
}


def path_param(name: str, description: str, schema: Schema | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or ID_STRING,
    }


def query_param(name: str, schema: Schema, description: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


IF_MODIFIED_SINCE = {
    "name": "If-Modified-Since",
    "in": "header",
    "required": False,
    "description": "ISO-8601 date-time with offset; 304 when nothing changed since (400 if unparsable; "
    "an empty value is ignored).",
    "schema": {"type": "string", "format": "date-time"},
}
PAGE = query_param("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, "Page number, from 1.")
PER_PAGE = query_param(
    "per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, "Records per page (max 200)."
)
FIELDS = query_param(
    "fields", {"type": "string"}, "Comma-separated field api names; unknown names are ignored."
)
IDS = query_param(
    "ids",
    {"type": "string", "pattern": IDS_PATTERN},
    "Comma-separated record ids, at most 100.",
    required=True,
)

JSON_HEADER = {
    "Content-Type": {"schema": {"type": "string", "enum": [JSON]}, "description": "Always Zoho's JSON type."}
}

ERROR_TEXT = {
    400: "Bad request: INVALID_DATA, INVALID_MODULE, MANDATORY_NOT_FOUND, REQUIRED_PARAM_MISSING, "
    "LIMIT_EXCEEDED, INVALID_QUERY, SYNTAX_ERROR, LIMIT_REACHED, "
    "UNABLE_TO_PARSE_DATA_TYPE, AUTHORIZATION_FAILED, INVALID_REQUEST_METHOD.",
    401: "AUTHENTICATION_FAILURE (no usable Authorization header), INVALID_TOKEN, OAUTH_SCOPE_MISMATCH.",
    403: "NO_PERMISSION: the user's profile lacks the permission.",
    404: "INVALID_URL_PATTERN: unknown version or path.",
    413: "REQUEST_ENTITY_TOO_LARGE: the body is over the configured limit (not read further).",
    429: "TOO_MANY_REQUESTS: API credits or the concurrency cap are exhausted (when enabled).",
    500: "INTERNAL_ERROR: nothing internal is revealed.",
}


def json_content(schema: Schema) -> dict[str, Any]:
    return {JSON: {"schema": schema}}


def error_answer(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": ERROR_TEXT[status], "content": json_content(ref("Error"))}
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer", "minimum": 1},
                "required": True,
                "description": "Seconds to wait.",
            }
        }
    return response


def empty_answer(status: int, description: str) -> dict[str, Any]:
    return {"description": description, "headers": JSON_HEADER}


def with_errors(
    ok: dict[int, dict[str, Any]], *, body: bool, auth: bool = True, forbidden: bool = True
) -> dict[str, Any]:
    out: dict[str, Any] = {str(k): v for k, v in ok.items()}
    errors = [400, 404, 429, 500]
    if auth:
        errors.append(401)
    if forbidden:
        errors.append(403)
    if body:
        errors.append(413)
    for status in sorted(errors):
        out.setdefault(str(status), error_answer(status))
    return out


def result_list(status: int, text: str) -> dict[str, Any]:
    return {"description": text, "content": json_content(ref("ResultList"))}


def json_body(schema: Schema, description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description + " Parsed whatever the Content-Type says (Zoho's SDKs send none).",
        "content": {"application/json": {"schema": schema}},
    }


@dataclass(frozen=True, slots=True)
class RouteDoc:
    """One served route and how it expands into OpenAPI operations."""

    method: str
    route: str  # the Litestar path, without type annotations
    expand: Callable[[Catalog], Iterable[tuple[str, Operation]]]


def make_op(
    op_id: str, summary: str, params: list[dict[str, Any]], responses: dict[str, Any], **extra: Any
) -> Operation:
    return {"operationId": op_id, "summary": summary, "parameters": params, "responses": responses, **extra}
