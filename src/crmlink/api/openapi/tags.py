"""The description of tag settings and of tagging records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmlink.api.openapi.operations import (
    VERSION,
    Operation,
    RouteDoc,
    json_body,
    json_content,
    make_op,
    path_param,
    query_param,
    with_errors,
)
from crmlink.api.openapi.schemas import ID_STRING, IDS_PATTERN, Schema, ref
from crmlink.domain.catalog import Catalog

_MODULE = query_param("module", {"type": "string"}, "The module's api name.", required=True)
_TAG_ID = path_param("tag_id", "The tag's id.")
_USER: Schema = {
    "type": "object",
    "nullable": True,
    "properties": {"name": {"type": "string"}, "id": ID_STRING},
}
TAG: Schema = {
    "type": "object",
    "required": ["id", "name", "color_code"],
    "properties": {
        "created_time": {"type": "string"},
        "modified_time": {"type": "string"},
        "name": {"type": "string", "maxLength": 25},
        "modified_by": _USER,
        "id": ID_STRING,
        "created_by": _USER,
        "color_code": {"type": "string"},
    },
}
_TAG_RESULTS: Schema = {
    "type": "object",
    "required": ["tags"],
    "properties": {"tags": {"type": "array", "items": {"oneOf": [ref("Success"), ref("Error")]}}},
}
_TAG_IN: Schema = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {
            "type": "string",
            "description": "1-25 characters; no <, >, commas, emoji or other symbols.",
        },
        "color_code": {"type": "string", "description": "One of Zoho's 13 colours (#969696 when absent)."},
        "conflict_id": {"type": "string"},
    },
}
_TAGS_BODY = json_body(
    {"type": "object", "required": ["tags"], "properties": {"tags": {"type": "array", "items": _TAG_IN}}},
    "Tags (at most 100).",
)


def _results(ok: int) -> dict[str, Any]:
    answers = with_errors(
        {ok: {"description": "All done.", "content": json_content(_TAG_RESULTS)}}, body=True
    )
    answers["207"] = {"description": "Some done.", "content": json_content(_TAG_RESULTS)}
    answers["400"] = {
        "description": "None done (result list) or a request-level error.",
        "content": json_content({"oneOf": [_TAG_RESULTS, ref("Error")]}),
    }
    return answers


def _one(path: str, op: Operation) -> Iterable[tuple[str, Operation]]:
    return [(path, op)]


_S = "/crm/{version}/settings/tags"
_LIST: Schema = {
    "type": "object",
    "required": ["tags", "info"],
    "properties": {
        "tags": {"type": "array", "items": TAG},
        "info": {
            "type": "object",
            "properties": {"count": {"type": "integer"}, "allowed_count": {"type": "integer"}},
        },
    },
}
_MY_TAGS = query_param("my_tags", {"type": "string", "enum": ["true", "false"]}, "Only the caller's tags.")
_TAG_NAMES = query_param(
    "tag_names", {"type": "string"}, "Comma-separated names; unknown ones are created (grey).", required=True
)
_OVER_WRITE = query_param(
    "over_write", {"type": "string", "enum": ["true", "false"]}, "Replace the record's tags."
)
_IDS = query_param(
    "ids", {"type": "string", "pattern": IDS_PATTERN}, "Record ids, at most 500.", required=True
)
_RECORD = path_param("record_id", "The record's id.")
_ACTION_RESULT: Schema = {
    "type": "object",
    "required": ["data", "wf_scheduler", "success_count", "locked_count"],
    "properties": {
        "data": {"type": "array", "items": {"oneOf": [ref("Success"), ref("Error")]}},
        "wf_scheduler": {"type": "boolean"},
        "success_count": {"type": "string"},
        "locked_count": {"type": "string"},
    },
}


def _action_answers() -> dict[str, Any]:
    answers = with_errors(
        {200: {"description": "Done.", "content": json_content(_ACTION_RESULT)}}, body=False
    )
    answers["207"] = {"description": "Some done.", "content": json_content(_ACTION_RESULT)}
    answers["400"] = {
        "description": "None done or a request-level error.",
        "content": json_content({"oneOf": [_ACTION_RESULT, ref("Error")]}),
    }
    return answers


def _record_actions(catalog: Catalog, action: str, one: bool) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        if one:
            path = f"/crm/{{version}}/{m.api_name}/{{record_id}}/actions/{action}"
            params = [VERSION, _RECORD, _TAG_NAMES]
        else:
            path = f"/crm/{{version}}/{m.api_name}/actions/{action}"
            params = [VERSION, _IDS, _TAG_NAMES]
        if action == "add_tags":
            params.append(_OVER_WRITE)
        op_id = f"{'addTags' if action == 'add_tags' else 'removeTags'}{m.api_name}{'One' if one else ''}"
        yield path, make_op(op_id, f"{action} ({m.api_name})", params, _action_answers())


_DELETED: Schema = {"type": "object", "properties": {"tags": {"type": "array", "items": ref("Success")}}}
TAG_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc(
        "GET",
        _S,
        lambda _c: _one(
            _S,
            make_op(
                "listTags",
                "Tags of a module",
                [VERSION, _MODULE, _MY_TAGS],
                with_errors({200: {"description": "The tags.", "content": json_content(_LIST)}}, body=False),
            ),
        ),
    ),
    RouteDoc(
        "POST",
        _S,
        lambda _c: _one(
            _S,
            make_op("createTags", "Create tags", [VERSION, _MODULE], _results(201), requestBody=_TAGS_BODY),
        ),
    ),
    RouteDoc(
        "PUT",
        _S,
        lambda _c: _one(
            _S,
            make_op("updateTags", "Update tags", [VERSION, _MODULE], _results(200), requestBody=_TAGS_BODY),
        ),
    ),
    RouteDoc(
        "PUT",
        _S + "/{tag_id}",
        lambda _c: _one(
            _S + "/{tag_id}",
            make_op(
                "updateTag",
                "Update a tag",
                [VERSION, _TAG_ID, _MODULE],
                _results(200),
                requestBody=_TAGS_BODY,
            ),
        ),
    ),
    RouteDoc(
        "DELETE",
        _S + "/{tag_id}",
        lambda _c: _one(
            _S + "/{tag_id}",
            make_op(
                "deleteTag",
                "Delete a tag",
                [VERSION, _TAG_ID],
                with_errors(
                    {200: {"description": "Deleted.", "content": json_content(_DELETED)}}, body=False
                ),
            ),
        ),
    ),
    RouteDoc(
        "POST",
        _S + "/{tag_id}/actions/merge",
        lambda _c: _one(
            _S + "/{tag_id}/actions/merge",
            make_op(
                "mergeTags",
                "Merge a tag (conflict_id) into this one",
                [VERSION, _TAG_ID],
                with_errors({200: {"description": "Merged.", "content": json_content(_DELETED)}}, body=True),
                requestBody=_TAGS_BODY,
            ),
        ),
    ),
    RouteDoc(
        "GET",
        _S + "/{tag_id}/actions/records_count",
        lambda _c: _one(
            _S + "/{tag_id}/actions/records_count",
            make_op(
                "tagRecordsCount",
                "Records carrying the tag",
                [VERSION, _TAG_ID, _MODULE],
                with_errors(
                    {
                        200: {
                            "description": "A count, as a string.",
                            "content": json_content(
                                {"type": "object", "properties": {"count": {"type": "string"}}}
                            ),
                        }
                    },
                    body=False,
                ),
            ),
        ),
    ),
    RouteDoc(
        "POST",
        "/crm/{version}/{module}/{record_id}/actions/add_tags",
        lambda c: _record_actions(c, "add_tags", True),
    ),
    RouteDoc(
        "POST",
        "/crm/{version}/{module}/{record_id}/actions/remove_tags",
        lambda c: _record_actions(c, "remove_tags", True),
    ),
    RouteDoc(
        "POST", "/crm/{version}/{module}/actions/add_tags", lambda c: _record_actions(c, "add_tags", False)
    ),
    RouteDoc(
        "POST",
        "/crm/{version}/{module}/actions/remove_tags",
        lambda c: _record_actions(c, "remove_tags", False),
    ),
)


# --- lead conversion (kept beside the record actions) ------------------------------------------

_CONVERT_IN: Schema = {
    "type": "object",
    "properties": {
        "overwrite": {"type": "boolean"},
        "notify_lead_owner": {"type": "boolean"},
        "notify_new_entity_owner": {"type": "boolean"},
        "Accounts": {"description": "An Account id (a string; {'id': …} accepted too)."},
        "Contacts": {"description": "A Contact id (a string; {'id': …} accepted too)."},
        "assign_to": {"description": "A user id: owner of the new records."},
        "Deals": {"type": "object", "description": "A Deal to create: Deal_Name, Closing_Date, Stage."},
        "carry_over_tags": {"type": "object"},
    },
}
_CONVERTED: Schema = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["Contacts", "Accounts", "Deals"],
                "properties": {
                    "Contacts": ID_STRING,
                    "Accounts": {**ID_STRING, "nullable": True},
                    "Deals": {**ID_STRING, "nullable": True},
                },
            },
        }
    },
}


def _convert(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    body = json_body(
        {
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"type": "array", "maxItems": 1, "items": _CONVERT_IN}},
        },
        "Exactly one LeadConverter.",
    )
    answers = with_errors(
        {200: {"description": "Converted.", "content": json_content(_CONVERTED)}}, body=True
    )
    op = make_op("convertLead", "Convert a lead", [VERSION, _RECORD], answers, requestBody=body)
    return [("/crm/{version}/Leads/{record_id}/actions/convert", op)]


CONVERT_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("POST", "/crm/{version}/{module}/{record_id}/actions/convert", _convert),
)
