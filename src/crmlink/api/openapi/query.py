"""The description of search (per module) and COQL."""

from __future__ import annotations

from collections.abc import Iterable

from crmlink.api.openapi.operations import (
    FIELDS,
    PAGE,
    PER_PAGE,
    VERSION,
    Operation,
    RouteDoc,
    empty_answer,
    json_body,
    json_content,
    make_op,
    query_param,
    with_errors,
)
from crmlink.api.openapi.schemas import Schema, record_list, ref
from crmlink.domain.catalog import Catalog

_TRISTATE: Schema = {"type": "string", "enum": ["true", "false", "both"]}


def _search(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        params = [
            VERSION,
            query_param(
                "criteria",
                {"type": "string", "maxLength": 10_000},
                "(Field:operator:value) groups joined by and/or; see docs/query.md. "
                "Malformed criteria answer 400 INVALID_QUERY.",
            ),
            query_param("email", {"type": "string"}, "Matches every email field."),
            query_param("phone", {"type": "string"}, "Matches every phone field."),
            query_param(
                "word", {"type": "string"}, "Text contained in any text field (2 characters at least)."
            ),
            query_param("converted", _TRISTATE, "Leads: converted records (none here); default false."),
            query_param("approved", _TRISTATE, "Approved records (all here); default true."),
            PAGE,
            PER_PAGE,
            FIELDS,
        ]
        ok = {
            200: {
                "description": "A page of matches.",
                "content": json_content(record_list(f"Record_{m.api_name}")),
            },
            204: empty_answer(204, "Nothing matches."),
        }
        yield (
            f"/crm/{{version}}/{m.api_name}/search",
            make_op(f"search{m.api_name}", f"Search {m.plural_label}", params, with_errors(ok, body=False)),
        )


COQL_ANSWER: Schema = {
    "type": "object",
    "required": ["data", "info"],
    "additionalProperties": False,
    "properties": {
        "data": {"type": "array", "minItems": 1, "maxItems": 2000, "items": {"type": "object"}},
        "info": {
            "type": "object",
            "required": ["count", "more_records"],
            "additionalProperties": False,
            "properties": {"count": {"type": "integer"}, "more_records": {"type": "boolean"}},
        },
    },
}


def _coql(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    body = json_body(
        {
            "type": "object",
            "required": ["select_query"],
            "properties": {"select_query": {"type": "string"}},
        },
        "The COQL query (docs/query.md).",
    )
    ok = {
        200: {"description": "The rows.", "content": json_content(COQL_ANSWER)},
        204: empty_answer(204, "No rows."),
    }
    responses = with_errors(ok, body=True)
    responses["400"]["description"] += " SYNTAX_ERROR, INVALID_QUERY for the query."
    responses["400"]["content"] = json_content(ref("Error"))
    yield (
        "/crm/{version}/coql",
        make_op("coql", "Records through a COQL query", [VERSION], responses, requestBody=body),
    )


SEARCH_ROUTE_DOCS: tuple[RouteDoc, ...] = (RouteDoc("GET", "/crm/{version}/{module}/search", _search),)
COQL_ROUTE_DOCS: tuple[RouteDoc, ...] = (RouteDoc("POST", "/crm/{version}/coql", _coql),)
