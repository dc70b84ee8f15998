"""The description of the further metadata routes (layouts, custom views, profiles, roles, org,
fields and related lists by id) and of the contact-role picklist (``/Contacts/roles``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from crmlink.api.openapi.operations import (
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
from crmlink.api.openapi.schemas import ID_STRING, Schema, ref
from crmlink.domain.catalog import Catalog

_s, _b, _i = {"type": "string"}, {"type": "boolean"}, {"type": "integer"}
_ns, _no = {"type": "string", "nullable": True}, {"type": "object", "nullable": True}


def _obj(props: dict[str, Schema], *, closed: bool = True) -> Schema:
    return {
        "type": "object",
        "required": list(props),
        "additionalProperties": not closed,
        "properties": props,
    }


def _wrapper(key: str, item: str) -> Schema:
    return _obj({key: {"type": "array", "items": ref(item)}})


def settings_schemas() -> dict[str, Schema]:
    section = _obj(
        {
            "display_label": _s,
            "sequence_number": _i,
            "isSubformSection": _b,
            "tab_traversal": _i,
            "api_name": _s,
            "column_count": _i,
            "name": _s,
            "generated_type": _s,
            "type": _s,
            "properties": _no,
            "fields": {"type": "array", "items": {"type": "object", "description": "A Field plus required."}},
        }
    )
    layout = _obj(
        {
            "created_time": _ns,
            "visible": _b,
            "created_for": _no,
            "profiles": {"type": "array", "items": {"type": "object"}},
            "name": _s,
            "modified_time": _ns,
            "show_business_card": _b,
            "modified_by": _no,
            "id": ID_STRING,
            "created_by": _no,
            "sections": {"type": "array", "items": section},
            "status": _i,
            "display_type": _i,
        },
        closed=False,  # Leads' layout adds convert_mapping
    )
    view = _obj(
        {
            "display_value": _s,
            "created_time": _ns,
            "system_name": _s,
            "created_by": _no,
            "default": _b,
            "modified_time": _ns,
            "name": _s,
            "system_defined": _b,
            "modified_by": _no,
            "id": ID_STRING,
            "category": _s,
            "last_accessed_time": _ns,
            "favorite": {"type": "integer", "nullable": True},
        },
        closed=False,  # the single view adds fields, sort_by, sort_order, access_type, shared_to, criteria
    )
    views = _obj(
        {
            "custom_views": {"type": "array", "items": ref("CustomView")},
            "info": _obj(
                {
                    "per_page": _i,
                    "count": _i,
                    "page": _i,
                    "more_records": _b,
                    "default": ID_STRING,
                    "translation": {"type": "object"},
                }
            ),
        }
    )
    profile = _obj(
        {"id": ID_STRING, "name": _s, "display_label": _s, "custom": _b, "default": _b},
        closed=False,  # the single profile adds permissions_details and sections
    )
    role = _obj(
        {
            "display_label": _s,
            "forecast_manager": _no,
            "share_with_peers": _b,
            "name": _s,
            "description": _ns,
            "reporting_to": _no,
            "id": ID_STRING,
            "admin_user": _b,
        }
    )
    org = _obj({"id": ID_STRING, "company_name": _s, "currency": _s, "iso_code": _s}, closed=False)
    contact_role = _obj({"sequence_number": _i, "name": _s, "id": ID_STRING})
    return {
        "Layout": layout,
        "Layouts": _wrapper("layouts", "Layout"),
        "CustomView": view,
        "CustomViews": views,
        "CustomViewOne": _wrapper("custom_views", "CustomView"),
        "Profile": profile,
        "Profiles": _wrapper("profiles", "Profile"),
        "Role": role,
        "Roles": _wrapper("roles", "Role"),
        "Org": org,
        "OrgAnswer": _wrapper("org", "Org"),
        "ContactRole": contact_role,
        "ContactRoles": _wrapper("contact_roles", "ContactRole"),
        "ContactRoleResults": _obj({"contact_roles": {"type": "array", "items": {"type": "object"}}}),
    }


_MODULE = query_param("module", {"type": "string"}, "The module's api name.", required=True)


def _get(
    path: str,
    op_id: str,
    summary: str,
    schema: str,
    params: list[dict[str, Any]],
    *,
    no_content: bool = False,
) -> Callable[[Catalog], Iterable[tuple[str, Operation]]]:
    def expand(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
        ok: dict[int, dict[str, Any]] = {200: {"description": summary, "content": json_content(ref(schema))}}
        if no_content:
            ok[204] = empty_answer(204, "Nothing to show.")
        module = [_CONTACTS] if "{module}" in path else []
        yield (
            path,
            make_op(
                op_id, summary, [VERSION, *module, *params], with_errors(ok, body=False, forbidden=False)
            ),
        )

    return expand


def _roles_write(
    method: str, path: str, op_id: str, summary: str, params: list[dict[str, Any]], *, body: bool
) -> RouteDoc:
    def expand(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
        answers: dict[int, dict[str, Any]] = {
            200: {"description": "Every item succeeded.", "content": json_content(ref("ContactRoleResults"))},
            207: {"description": "Some items succeeded.", "content": json_content(ref("ContactRoleResults"))},
        }
        extra: dict[str, Any] = {}
        if body:
            item = {"type": "object", "properties": {"id": {}, "name": _s, "sequence_number": _i}}
            extra["requestBody"] = json_body(
                _obj(
                    {"contact_roles": {"type": "array", "minItems": 1, "maxItems": 100, "items": item}},
                    closed=False,
                ),
                "Contact roles, 1-100 (exactly 1 on the single form).",
            )
        responses = with_errors(answers, body=body)
        responses["400"] = {
            "description": "Every item failed (one result per item), or a request-level error.",
            "content": json_content({"oneOf": [ref("ContactRoleResults"), ref("Error")]}),
        }
        yield (path, make_op(op_id, summary, [VERSION, _CONTACTS, *params], responses, **extra))

    return RouteDoc(method, path, expand)


_ROLES = "/crm/{version}/{module}/roles"  # the router's path; module is Contacts
_ROLE_ID = path_param("role_id", "A contact role's id.")
_CONTACTS = path_param(
    "module",
    "Contacts (case-insensitive); another module answers as for the record id ``roles``.",
    {"type": "string", "enum": ["Contacts"]},
)

SETTINGS_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc(
        "GET",
        "/crm/{version}/settings/fields/{field_id}",
        _get(
            "/crm/{version}/settings/fields/{field_id}",
            "getField",
            "One field of a module.",
            "Fields",
            [path_param("field_id", "The field's id."), _MODULE],
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/related_lists/{list_id}",
        _get(
            "/crm/{version}/settings/related_lists/{list_id}",
            "getRelatedList",
            "One related list of a module.",
            "RelatedLists",
            [path_param("list_id", "The related list's id."), _MODULE],
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/layouts",
        _get("/crm/{version}/settings/layouts", "listLayouts", "A module's layouts.", "Layouts", [_MODULE]),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/layouts/{layout_id}",
        _get(
            "/crm/{version}/settings/layouts/{layout_id}",
            "getLayout",
            "One layout of a module.",
            "Layouts",
            [path_param("layout_id", "The layout's id."), _MODULE],
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/custom_views",
        _get(
            "/crm/{version}/settings/custom_views",
            "listCustomViews",
            "A module's custom views.",
            "CustomViews",
            [_MODULE, PAGE, PER_PAGE],
            no_content=True,
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/custom_views/{cvid}",
        _get(
            "/crm/{version}/settings/custom_views/{cvid}",
            "getCustomView",
            "One custom view, with its columns and criteria.",
            "CustomViewOne",
            [path_param("cvid", "The view's id."), _MODULE],
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/profiles",
        _get("/crm/{version}/settings/profiles", "listProfiles", "The org's profiles.", "Profiles", []),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/profiles/{profile_id}",
        _get(
            "/crm/{version}/settings/profiles/{profile_id}",
            "getProfile",
            "One profile, with its permissions.",
            "Profiles",
            [path_param("profile_id", "The profile's id.")],
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/roles",
        _get("/crm/{version}/settings/roles", "listRoles", "The org's roles.", "Roles", []),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/roles/{role_id}",
        _get(
            "/crm/{version}/settings/roles/{role_id}",
            "getRole",
            "One role.",
            "Roles",
            [path_param("role_id", "The role's id.")],
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/org",
        _get("/crm/{version}/org", "getOrg", "The org (scope ZohoCRM.org.READ or ALL).", "OrgAnswer", []),
    ),
    RouteDoc(
        "GET",
        _ROLES,
        _get(
            _ROLES,
            "listContactRoles",
            "The org's contact roles.",
            "ContactRoles",
            [_CONTACTS],
            no_content=True,
        ),
    ),
    RouteDoc(
        "GET",
        _ROLES + "/{role_id}",
        _get(
            _ROLES + "/{role_id}",
            "getContactRole",
            "One contact role.",
            "ContactRoles",
            [_ROLE_ID],
            no_content=True,
        ),
    ),
    _roles_write("POST", _ROLES, "addContactRoles", "Add contact roles.", [], body=True),
    _roles_write("PUT", _ROLES, "updateContactRoles", "Update contact roles (each with id).", [], body=True),
    _roles_write(
        "PUT", _ROLES + "/{role_id}", "updateContactRole", "Update one contact role.", [_ROLE_ID], body=True
    ),
    _roles_write("DELETE", _ROLES, "deleteContactRoles", "Delete contact roles.", [IDS], body=False),
    _roles_write(
        "DELETE",
        _ROLES + "/{role_id}",
        "deleteContactRole",
        "Delete one contact role.",
        [_ROLE_ID],
        body=False,
    ),
)
