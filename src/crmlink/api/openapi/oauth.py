"""The description of the users API and of the OAuth accounts server (token, revoke, sign-in)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmlink.api.openapi.operations import (
    PAGE,
    PER_PAGE,
    VERSION,
    Operation,
    RouteDoc,
    empty_answer,
    error_answer,
    json_content,
    make_op,
    path_param,
    query_param,
    with_errors,
)
from crmlink.api.openapi.schemas import ID_STRING, MAX_PER_PAGE, Schema, ref
from crmlink.api.responses import JSON
from crmlink.domain.catalog import Catalog

_HTML = "text/html"
_USER_TYPES = [
    "AllUsers",
    "ActiveUsers",
    "DeactiveUsers",
    "ConfirmedUsers",
    "NotConfirmedUsers",
    "DeletedUsers",
    "ActiveConfirmedUsers",
    "AdminUsers",
    "ActiveConfirmedAdmins",
    "CurrentUser",
]


def user_schema() -> Schema:
    s, b, ns = {"type": "string"}, {"type": "boolean"}, {"type": "string", "nullable": True}
    props: dict[str, Schema] = {
        "id": ID_STRING,
        "zuid": ID_STRING,
        "first_name": ns,
        "last_name": ns,
        "full_name": s,
        "email": s,
        "status": {"type": "string", "enum": ["active", "disabled"]},
        "confirm": b,
        "profile": {
            "type": "object",
            "required": ["name", "id"],
            "additionalProperties": False,
            "properties": {"name": s, "id": ID_STRING},
        },
        "role": {"type": "object", "nullable": True},
        "created_time": s,
        "Modified_Time": s,
        "time_zone": s,
        "locale": s,
        "language": s,
        "country_locale": s,
        "date_format": s,
        "time_format": s,
        "territories": {"type": "array"},
    }
    return {"type": "object", "required": list(props), "additionalProperties": False, "properties": props}


def _users_body(*, single: bool) -> Schema:
    users: Schema = {"type": "array", "minItems": 1, "items": ref("User")}
    if single:
        return {
            "type": "object",
            "required": ["users"],
            "additionalProperties": False,
            "properties": {"users": {**users, "maxItems": 1}},
        }
    return {
        "type": "object",
        "required": ["users", "info"],
        "additionalProperties": False,
        "properties": {"users": {**users, "maxItems": MAX_PER_PAGE}, "info": ref("Info")},
    }


def _list_users(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [
        VERSION,
        query_param("type", {"type": "string", "enum": _USER_TYPES}, "Which users (default AllUsers)."),
        PAGE,
        PER_PAGE,
    ]
    ok = {
        200: {"description": "A page of users.", "content": json_content(_users_body(single=False))},
        204: empty_answer(204, "No users of that type."),
    }
    yield (
        "/crm/{version}/users",
        make_op("listUsers", "The org's users", params, with_errors(ok, body=False, forbidden=False)),
    )


def _get_user(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [VERSION, path_param("user_id", "The user's id.")]
    ok = {
        200: {"description": "The user.", "content": json_content(_users_body(single=True))},
        204: empty_answer(204, "No such user."),
    }
    yield (
        "/crm/{version}/users/{user_id}",
        make_op("getUser", "One user", params, with_errors(ok, body=False, forbidden=False)),
    )


def _form(props: dict[str, Schema], description: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": props}
    return {
        "required": False,
        "description": description + " Query-string parameters are read too; the body wins.",
        "content": {
            "application/x-www-form-urlencoded": {"schema": schema},
            "multipart/form-data": {"schema": schema},
        },
    }


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {_HTML: {"schema": {"type": "string"}}}}


# A multipart body that cannot be parsed is refused before the handler, in Zoho's envelope.
_MALFORMED_FORM = {"description": "A malformed form body.", "content": json_content(ref("Error"))}


def _html_or_malformed(description: str) -> dict[str, Any]:
    return {
        "description": description + " A malformed form body gets Zoho's error envelope (JSON).",
        "content": {_HTML: {"schema": {"type": "string"}}, JSON: {"schema": ref("Error")}},
    }


_REDIRECT = {
    "description": "Redirect to the client's redirect_uri (or back to sign-in).",
    "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
}


def _oauth_op(op_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> Operation:
    responses = {**responses, "500": error_answer(500)}
    return {
        "operationId": op_id,
        "summary": summary,
        "security": [],
        "parameters": extra.pop("parameters", []),
        "responses": responses,
        **extra,
    }


def _token(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    s = {"type": "string"}
    body = _form(
        {
            "grant_type": {"type": "string", "enum": ["authorization_code", "refresh_token"]},
            "client_id": s,
            "client_secret": s,
            "code": s,
            "redirect_uri": s,
            "refresh_token": s,
        },
        "The grant to exchange.",
    )
    tokens = {
        "type": "object",
        "required": ["access_token", "api_domain", "token_type", "expires_in"],
        "additionalProperties": False,
        "properties": {
            "access_token": s,
            "refresh_token": s,
            "api_domain": s,
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer", "minimum": 0},
        },
    }
    refusal = {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "string",
                "enum": ["unsupported_grant_type", "invalid_client", "invalid_code", "invalid_redirect_uri"],
            }
        },
    }
    responses = {
        "200": {
            "description": 'Tokens, or a refusal ``{"error"}`` (200, as Zoho\'s accounts server).',
            "content": json_content({"oneOf": [tokens, refusal]}),
        },
        "400": _MALFORMED_FORM,
        "413": error_answer(413),
    }
    yield (
        "/oauth/v2/token",
        _oauth_op("token", "Exchange a grant token or a refresh token", responses, requestBody=body),
    )


def _revoke(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    body = _form(
        {"token": {"type": "string"}}, "A refresh token (revokes its access tokens too) or an access token."
    )
    responses = {
        "200": {
            "description": "Revoked.",
            "content": json_content(
                {
                    "type": "object",
                    "required": ["status"],
                    "additionalProperties": False,
                    "properties": {"status": {"type": "string", "enum": ["success"]}},
                }
            ),
        },
        "400": {
            "description": "No token, or an unknown or already revoked one; or a malformed form body "
            "(then Zoho's error envelope).",
            "content": json_content(
                {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["error"],
                            "additionalProperties": False,
                            "properties": {
                                "error": {"type": "string", "enum": ["invalid_request", "invalid_token"]}
                            },
                        },
                        ref("Error"),
                    ]
                }
            ),
        },
        "413": error_answer(413),
    }
    yield "/oauth/v2/token/revoke", _oauth_op("revoke", "Revoke a token", responses, requestBody=body)


def _authorize(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    s = {"type": "string"}
    params = [
        query_param(
            "response_type", {"type": "string", "enum": ["code"]}, "Must be ``code``.", required=True
        ),
        query_param("client_id", s, "The client.", required=True),
        query_param("scope", s, "Comma-separated scopes.", required=True),
        query_param("redirect_uri", s, "A redirect URI registered for the client.", required=True),
        query_param("state", s, "Returned unchanged."),
        query_param(
            "access_type", {"type": "string", "enum": ["offline", "online"]}, "offline: a refresh token too."
        ),
        query_param("prompt", s, "Accepted and ignored."),
    ]
    responses = {
        "200": _html("The sign-in page."),
        "302": _REDIRECT,
        "400": _html("Unknown client or redirect_uri (shown, not redirected)."),
    }
    yield (
        "/oauth/v2/auth",
        _oauth_op("authorize", "Start the browser sign-in and consent", responses, parameters=params),
    )


def _sign_in(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    s = {"type": "string"}
    body = _form(
        {"email": s, "password": s, "csrf_token": s},
        "The sign-in form (read from the body only; never from the query string).",
    )
    responses = {
        "200": _html("The consent page."),
        "400": _html_or_malformed("A problem with the request."),
        "401": _html("The sign-in page again: wrong or missing email or password."),
        "403": _html("Expired or forged form, or too many failed sign-ins in this authorization."),
        "413": error_answer(413),
        "429": _html(
            "The sign-in page again: too many failed sign-ins from this address, or for this email"
            " from it; try again after Retry-After seconds."
        ),
    }
    yield "/oauth/v2/auth/signin", _oauth_op("signIn", "Sign in", responses, requestBody=body)


def _consent(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    s = {"type": "string"}
    body = _form(
        {"decision": {"type": "string", "enum": ["allow", "deny"]}, "csrf_token": s}, "The consent form."
    )
    responses = {
        "302": _REDIRECT,
        "400": _html_or_malformed("A problem with the request."),
        "403": _html("Expired or forged form."),
        "413": error_answer(413),
    }
    yield "/oauth/v2/auth/consent", _oauth_op("consent", "Allow or deny", responses, requestBody=body)


def _demo_callback(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [
        query_param("code", {"type": "string"}, "The grant token."),
        query_param("error", {"type": "string"}, "A refusal."),
    ]
    responses = {"200": _html("Shows the grant token to copy.")}
    yield (
        "/oauth/v2/demo-callback",
        _oauth_op("demoCallback", "Where the demo client's browser flow lands", responses, parameters=params),
    )


USERS_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("GET", "/crm/{version}/users", _list_users),
    RouteDoc("GET", "/crm/{version}/users/{user_id}", _get_user),
)
OAUTH_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("POST", "/oauth/v2/token", _token),
    RouteDoc("POST", "/oauth/v2/token/revoke", _revoke),
    RouteDoc("GET", "/oauth/v2/auth", _authorize),
    RouteDoc("POST", "/oauth/v2/auth/signin", _sign_in),
    RouteDoc("POST", "/oauth/v2/auth/consent", _consent),
    RouteDoc("GET", "/oauth/v2/demo-callback", _demo_callback),
)
