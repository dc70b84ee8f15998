"""The description of records and metadata routes, expanded per module."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from crmlink.api.openapi.operations import (
    FIELDS,
    IDS,
    IF_MODIFIED_SINCE,
    PAGE,
    PER_PAGE,
    VERSION,
    Operation,
    RouteDoc,
    empty_answer,
    json_body,
    json_content,
    make_op,
    path_param,
    query_param,
    result_list,
    with_errors,
)
from crmlink.api.openapi.schemas import (
    IDS_PATTERN,
    Schema,
    data_body,
    record_in,
    record_list,
    record_single,
    ref,
)
from crmlink.domain.catalog import Catalog, ModuleDef


def _module_path(module: ModuleDef) -> str:
    return f"/crm/{{version}}/{module.api_name}"


_RECORD_ID = path_param("record_id", "The record's id (1-19 digits; anything else answers 400 INVALID_DATA).")


def _list_records(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        sortable = ["id", "Created_Time", "Modified_Time", *(f.api_name for f in m.fields)]
        params = [
            VERSION,
            PAGE,
            PER_PAGE,
            FIELDS,
            query_param(
                "ids",
                {"type": "string", "pattern": "^$|" + IDS_PATTERN},
                "Comma-separated record ids, at most 100 (empty: no filter).",
            ),
            query_param("sort_by", {"type": "string", "enum": sortable}, "Field to sort by."),
            query_param(
                "cvid",
                {"type": "string"},
                "A custom view's id (settings/custom_views): its records; others answer 400 INVALID_DATA.",
            ),
            query_param(
                "sort_order", {"type": "string", "enum": ["asc", "desc"]}, "Sort direction (default desc)."
            ),
            IF_MODIFIED_SINCE,
        ]
        ok = {
            200: {
                "description": "A page of records.",
                "content": json_content(record_list(f"Record_{m.api_name}")),
            },
            204: empty_answer(204, "No records."),
            304: empty_answer(304, "Nothing modified since If-Modified-Since."),
        }
        yield (
            _module_path(m),
            make_op(f"list{m.api_name}", f"List {m.plural_label}", params, with_errors(ok, body=False)),
        )


def _get_record(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        ok = {
            200: {
                "description": "The record.",
                "content": json_content(record_single(f"Record_{m.api_name}")),
            },
            204: empty_answer(204, "No such record."),
        }
        yield (
            _module_path(m) + "/{record_id}",
            make_op(
                f"get{m.api_name}",
                f"Get a {m.singular_label}",
                [VERSION, _RECORD_ID],
                with_errors(ok, body=False),
            ),
        )


def _insert_records(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        ok = {
            201: result_list(201, "All created."),
            207: result_list(207, "Some created."),
            400: result_list(400, "None created, or a request-level error."),
        }
        responses = with_errors(ok, body=True)
        responses["400"] = {
            "description": "None created (result list) or a request-level error.",
            "content": json_content({"oneOf": [ref("ResultList"), ref("Error")]}),
        }
        body = json_body(data_body(record_in(m, creating=True, with_id=False)), "1 to 100 records.")
        yield (
            _module_path(m),
            make_op(
                f"insert{m.api_name}", f"Insert {m.plural_label}", [VERSION], responses, requestBody=body
            ),
        )


def write_answers(ok_text: str) -> dict[str, Any]:
    responses = with_errors(
        {200: result_list(200, ok_text), 207: result_list(207, "Some succeeded.")}, body=True
    )
    responses["400"] = {
        "description": "None succeeded (result list) or a request-level error.",
        "content": json_content({"oneOf": [ref("ResultList"), ref("Error")]}),
    }
    return responses


def _update_records(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        body = json_body(
            data_body(record_in(m, creating=False, with_id=True)), "1 to 100 records, each with its id."
        )
        yield (
            _module_path(m),
            make_op(
                f"update{m.api_name}",
                f"Update {m.plural_label}",
                [VERSION],
                write_answers("All updated."),
                requestBody=body,
            ),
        )


def _update_record(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        body = json_body(
            data_body(record_in(m, creating=False, with_id=False), max_items=1), "Exactly one record."
        )
        yield (
            _module_path(m) + "/{record_id}",
            make_op(
                f"updateOne{m.api_name}",
                f"Update a {m.singular_label}",
                [VERSION, _RECORD_ID],
                write_answers("Updated."),
                requestBody=body,
            ),
        )


def delete_answers() -> dict[str, Any]:
    responses = with_errors(
        {200: result_list(200, "All deleted."), 207: result_list(207, "Some deleted.")}, body=False
    )
    responses["400"] = {
        "description": "None deleted (result list) or a request-level error.",
        "content": json_content({"oneOf": [ref("ResultList"), ref("Error")]}),
    }
    return responses


def _delete_records(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        yield (
            _module_path(m),
            make_op(f"delete{m.api_name}", f"Delete {m.plural_label}", [VERSION, IDS], delete_answers()),
        )


def _delete_record(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        yield (
            _module_path(m) + "/{record_id}",
            make_op(
                f"deleteOne{m.api_name}",
                f"Delete a {m.singular_label}",
                [VERSION, _RECORD_ID],
                delete_answers(),
            ),
        )


def _module_names(catalog: Catalog) -> Schema:
    return {
        "type": "string",
        "enum": [m.api_name for m in catalog.modules],
        "description": "A module api name (matched case-insensitively; others answer 400 INVALID_MODULE).",
    }


def _settings(
    path: str,
    op_id: str,
    summary: str,
    schema: str,
    extra: list[dict[str, Any]] | None = None,
    *,
    since: bool = False,
) -> Callable[[Catalog], Iterable[tuple[str, Operation]]]:
    def expand(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
        params = [VERSION]
        if extra:
            params += [
                p if p.get("name") != "module" else {**p, "schema": _module_names(catalog)} for p in extra
            ]
        ok: dict[int, dict[str, Any]] = {200: {"description": summary, "content": json_content(ref(schema))}}
        if since:
            params.append(IF_MODIFIED_SINCE)
            ok[304] = empty_answer(304, "The catalog has not changed since If-Modified-Since.")
        yield path, make_op(op_id, summary, params, with_errors(ok, body=False, forbidden=False))

    return expand


_MODULE_QUERY = query_param("module", {"type": "string"}, "The module's api name.", required=True)

RECORD_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc(
        "GET",
        "/crm/{version}/settings/modules",
        _settings("/crm/{version}/settings/modules", "listModules", "All modules.", "Modules", since=True),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/modules/{api_name}",
        lambda c: _settings(
            "/crm/{version}/settings/modules/{api_name}",
            "getModule",
            "One module.",
            "Modules",
            [
                {
                    "name": "api_name",
                    "in": "path",
                    "required": True,
                    "description": "The module's api name.",
                    "schema": _module_names(c),
                }
            ],
        )(c),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/fields",
        _settings(
            "/crm/{version}/settings/fields", "listFields", "A module's fields.", "Fields", [_MODULE_QUERY]
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/related_lists",
        _settings(
            "/crm/{version}/settings/related_lists",
            "listRelatedLists",
            "A module's related lists.",
            "RelatedLists",
            [_MODULE_QUERY],
        ),
    ),
    RouteDoc("GET", "/crm/{version}/{module}", _list_records),
    RouteDoc("GET", "/crm/{version}/{module}/{record_id}", _get_record),
    RouteDoc("POST", "/crm/{version}/{module}", _insert_records),
    RouteDoc("PUT", "/crm/{version}/{module}", _update_records),
    RouteDoc("PUT", "/crm/{version}/{module}/{record_id}", _update_record),
    RouteDoc("DELETE", "/crm/{version}/{module}", _delete_records),
    RouteDoc("DELETE", "/crm/{version}/{module}/{record_id}", _delete_record),
)
