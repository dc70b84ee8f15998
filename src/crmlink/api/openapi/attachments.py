"""The description of a record's attachments and of ``POST /{module}/{id}/Notes``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmlink.api.openapi.operations import (
    FIELDS,
    IDS,
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
    with_errors,
)
from crmlink.api.openapi.records import delete_answers, write_answers
from crmlink.api.openapi.related import served_lists
from crmlink.api.openapi.schemas import ID_STRING, Schema, data_body, record_in
from crmlink.domain.catalog import Catalog, ListKind, ModuleDef, RelatedListDef

_PARENT_ID = path_param("record_id", "The parent record's id (anything else: 400 INVALID_DATA).")
_ATTACHMENT_ID = path_param("related_id", "The attachment's id.")
_USER: Schema = {
    "type": "object",
    "nullable": True,
    "properties": {"name": {"type": "string"}, "id": ID_STRING, "email": {"type": "string"}},
}

ATTACHMENT: Schema = {
    "type": "object",
    "description": "A file or link attached to a record (Zoho's keys).",
    "required": ["id", "File_Name", "Size", "Parent_Id", "$se_module", "$type"],
    "properties": {
        "Owner": _USER,
        "Modified_By": _USER,
        "Created_By": _USER,
        "Created_Time": {"type": "string", "format": "date-time"},
        "Modified_Time": {"type": "string", "format": "date-time"},
        "File_Name": {"type": "string"},
        "Size": {"type": "string", "pattern": "^[0-9]+$", "description": "Bytes, as a string."},
        "Parent_Id": {"type": "object", "properties": {"name": {"nullable": True}, "id": ID_STRING}},
        "id": ID_STRING,
        "$file_id": {"type": "string", "nullable": True},
        "$type": {"type": "string", "enum": ["File", "Link URL"]},
        "$se_module": {"type": "string"},
        "$editable": {"type": "boolean"},
        "$state": {"type": "string"},
        "$link_url": {"type": "string", "nullable": True},
        "$sharing_permission": {"type": "string"},
        "$attachment_type": {"type": "integer", "enum": [1, 3]},
        "description": {"type": "string", "nullable": True},
        "category": {"type": "string", "nullable": True},
    },
}

_ATTACHMENT_LIST: Schema = {
    "type": "object",
    "required": ["data", "info"],
    "properties": {
        "data": {"type": "array", "items": ATTACHMENT},
        "info": {"$ref": "#/components/schemas/Info"},
    },
}

_UPLOAD: dict[str, Any] = {
    "required": False,
    "description": "The file, as the multipart part ``file`` (streamed; at most CRMLINK_MAX_UPLOAD_BYTES, "
    "Zoho's 100 MB by default), or a link as the form field ``attachmentUrl``. Absent when "
    "``attachmentUrl`` is given in the query.",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "attachmentUrl": {"type": "string", "format": "uri"},
                },
            }
        }
    },
}
_LINK = query_param(
    "attachmentUrl",
    {"type": "string", "format": "uri"},
    "Attach this http(s) link instead of a file (stored as given, never fetched).",
)


def _attachment_lists(catalog: Catalog) -> Iterable[tuple[ModuleDef, RelatedListDef, str]]:
    for m, rl in served_lists(catalog, ListKind.ATTACHMENTS):
        yield m, rl, f"/crm/{{version}}/{m.api_name}/{{record_id}}/{rl.api_name}"


def _list(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, _rl, path in _attachment_lists(catalog):
        ok = {
            200: {"description": "A page of attachments.", "content": json_content(_ATTACHMENT_LIST)},
            204: empty_answer(204, "No attachments."),
        }
        params = [VERSION, _PARENT_ID, PAGE, PER_PAGE, FIELDS]
        op = make_op(
            f"listAttachments{m.api_name}",
            f"Attachments of a {m.singular_label}",
            params,
            with_errors(ok, body=False),
        )
        yield path, op


def _download(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, _rl, path in _attachment_lists(catalog):
        ok = {
            200: {
                "description": "The file's bytes, with Content-Disposition naming the file.",
                "headers": {
                    "Content-Disposition": {"schema": {"type": "string"}, "required": True},
                    "Content-Length": {"schema": {"type": "integer"}, "required": True},
                },
                "content": {"application/x-download": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
        params = [VERSION, _PARENT_ID, _ATTACHMENT_ID]
        summary = "Download an attachment (a link attachment answers 400 INVALID_DATA)"
        yield (
            path + "/{related_id}",
            make_op(f"downloadAttachment{m.api_name}", summary, params, with_errors(ok, body=False)),
        )


def _upload(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, _rl, path in _attachment_lists(catalog):
        op = make_op(
            f"uploadAttachment{m.api_name}",
            f"Attach a file or a link to a {m.singular_label}",
            [VERSION, _PARENT_ID, _LINK],
            write_answers("Attached."),
            requestBody=_UPLOAD,
        )
        yield path, op


def _delete(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, _rl, path in _attachment_lists(catalog):
        yield (
            path,
            make_op(
                f"deleteAttachments{m.api_name}",
                "Delete attachments",
                [VERSION, _PARENT_ID, IDS],
                delete_answers(),
            ),
        )


def _delete_one(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, _rl, path in _attachment_lists(catalog):
        params = [VERSION, _PARENT_ID, _ATTACHMENT_ID]
        yield (
            path + "/{related_id}",
            make_op(f"deleteAttachment{m.api_name}", "Delete an attachment", params, delete_answers()),
        )


def _notes(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    notes = catalog.module_map["Notes"]
    for m, rl in served_lists(catalog, ListKind.LOOKUP):
        if rl.module != notes.api_name:
            continue
        body = json_body(
            data_body(record_in(notes, creating=True, with_id=False)),
            "1 to 100 notes; Parent_Id and $se_module are set from the path.",
        )
        answers = write_answers("All created.")
        answers["201"] = answers.pop("200")
        op = make_op(
            f"addNotes{m.api_name}",
            f"Add notes to a {m.singular_label}",
            [VERSION, _PARENT_ID],
            answers,
            requestBody=body,
        )
        yield f"/crm/{{version}}/{m.api_name}/{{record_id}}/{rl.api_name}", op


_RELATED_LIST = "/crm/{version}/{module}/{record_id}/{related_list}"
ATTACHMENT_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("GET", _RELATED_LIST, _list),
    RouteDoc("GET", _RELATED_LIST + "/{related_id}", _download),
    RouteDoc("POST", _RELATED_LIST, _upload),
    RouteDoc("POST", _RELATED_LIST, _notes),
    RouteDoc("DELETE", _RELATED_LIST, _delete),
    RouteDoc("DELETE", _RELATED_LIST + "/{related_id}", _delete_one),
)


# --- record photos ---------------------------------------------------------------------------

_PHOTO_BODY: dict[str, Any] = {
    "required": True,
    "description": "The image as the multipart part ``file``: PNG, JPEG, GIF or BMP by content (the file "
    "name does not matter), at most 10 MB and 10 megapixels (415 FILE_SIZE_MORE_THAN_ALLOWED_SIZE).",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}
_PHOTO_OK: Schema = {
    "type": "object",
    "required": ["code", "details", "message", "status"],
    "properties": {
        "code": {"type": "string", "enum": ["SUCCESS"]},
        "details": {"type": "object"},
        "message": {"type": "string"},
        "status": {"type": "string", "enum": ["success"]},
    },
}


def _photo_modules(catalog: Catalog, *, uploading: bool) -> Iterable[ModuleDef]:
    from crmlink.domain.photos import PHOTO_MODULES, UPLOAD_ONLY

    allowed = PHOTO_MODULES | (UPLOAD_ONLY if uploading else frozenset())
    return (m for m in catalog.modules if m.api_name in allowed)


def _photo_path(m: ModuleDef) -> str:
    return f"/crm/{{version}}/{m.api_name}/{{record_id}}/photo"


def _get_photo(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in _photo_modules(catalog, uploading=False):
        ok = {
            200: {
                "description": "The image's bytes, typed by content.",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("image/png", "image/jpeg", "image/gif", "image/bmp")
                },
            },
            204: empty_answer(204, "The record has no photo."),
        }
        yield (
            _photo_path(m),
            make_op(
                f"getPhoto{m.api_name}",
                "Download the record's photo",
                [VERSION, _PARENT_ID],
                with_errors(ok, body=False),
            ),
        )


def _post_photo(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in _photo_modules(catalog, uploading=True):
        answers = with_errors(
            {200: {"description": "Uploaded.", "content": json_content(_PHOTO_OK)}}, body=True
        )
        answers["415"] = {
            "description": "FILE_SIZE_MORE_THAN_ALLOWED_SIZE: over 10 MB or 10 megapixels.",
            "content": json_content({"$ref": "#/components/schemas/Error"}),
        }
        yield (
            _photo_path(m),
            make_op(
                f"uploadPhoto{m.api_name}",
                "Upload the record's photo",
                [VERSION, _PARENT_ID],
                answers,
                requestBody=_PHOTO_BODY,
            ),
        )


def _delete_photo(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in _photo_modules(catalog, uploading=False):
        ok = {200: {"description": "Deleted (also when there was none).", "content": json_content(_PHOTO_OK)}}
        yield (
            _photo_path(m),
            make_op(
                f"deletePhoto{m.api_name}",
                "Delete the record's photo",
                [VERSION, _PARENT_ID],
                with_errors(ok, body=False),
            ),
        )


_PHOTO = "/crm/{version}/{module}/{record_id}/photo"
PHOTO_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("GET", _PHOTO, _get_photo),
    RouteDoc("POST", _PHOTO, _post_photo),
    RouteDoc("DELETE", _PHOTO, _delete_photo),
)
