"""Authentication and authorization at the edge: every API route calls one of these first."""

from __future__ import annotations

from collections.abc import Mapping

from crmlink.api.context import Req, Services
from crmlink.domain.auth import (
    PERMISSION_FOR,
    VIEW,
    Actor,
    Operation,
    actor_for_token,
    module_scope_allows,
    settings_scope_allows,
    users_scope_allows,
)
from crmlink.domain.catalog import ModuleDef
from crmlink.errors import AuthenticationFailure, AuthorizationFailed, NoPermission, OAuthScopeMismatch

_SCHEMES = frozenset({"zoho-oauthtoken", "bearer"})

NO_PERMISSION_MESSAGES: Mapping[Operation, str] = {
    Operation.READ: "Permission denied to read records",
    Operation.CREATE: "Permission denied to create records",
    Operation.UPDATE: "Permission denied to update records",
    Operation.DELETE: "Permission denied to delete records",
}

# Related-records routes (Zoho's messages for them).
RELATED_NO_PERMISSION: Mapping[Operation, str] = {
    Operation.READ: "Permission denied to read related records",
    Operation.UPDATE: "Permission denied to update records",
    Operation.DELETE: "Permission denied to delete records",
}
RELATED_AUTHORIZATION_FAILED: Mapping[Operation, str] = {
    Operation.READ: "User does not have sufficient privilege to read related records data",
    Operation.UPDATE: "User does not have sufficient privilege to update related records data",
    Operation.DELETE: "User does not have sufficient privilege to delete related records data",
}


def bearer_token(request: Req) -> str:
    """The token of ``Authorization: Zoho-oauthtoken <t>`` (or ``Bearer <t>``)."""
    header = request.headers.get("authorization")
    if not header:
        raise AuthenticationFailure()
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() not in _SCHEMES or not token or " " in token:
        raise AuthenticationFailure()
    return token


async def authenticate(request: Req, svc: Services) -> Actor:
    token = bearer_token(request)

    def lookup() -> Actor:
        with svc.db.read() as conn:
            return actor_for_token(conn, token)

    return await svc.db.run(lookup)


def authorize_module(actor: Actor, module: ModuleDef, op: Operation, *, message: str | None = None) -> None:
    """The token's scope, then the user's profile, must allow ``op`` on ``module``."""
    if not module_scope_allows(actor.scopes, module.scope_name, op):
        raise OAuthScopeMismatch()
    if not actor.may(module.api_name, PERMISSION_FOR[op]):
        raise NoPermission(message or NO_PERMISSION_MESSAGES[op])


def authorize_settings(actor: Actor, area: str) -> None:
    if not settings_scope_allows(actor.scopes, area):
        raise OAuthScopeMismatch()


def authorize_users(actor: Actor) -> None:
    if not users_scope_allows(actor.scopes):
        raise OAuthScopeMismatch()


def authorize_related(actor: Actor, parent: ModuleDef, related: ModuleDef, op: Operation) -> None:
    """Related records: ``op`` on the parent module (scope, then profile: Zoho's documented
    checks), then on the related module too: its scope must allow ``op`` (a read answers its
    records; a link belongs to both records, so changing it from either side needs the same),
    and the profile must allow viewing it and ``op`` on it (``AUTHORIZATION_FAILED`` otherwise).
    Relating a Lead to a Campaign thus needs the same rights from the Leads side and from the
    Campaigns side (docs/auth.md, "Related records")."""
    authorize_module(actor, parent, op, message=RELATED_NO_PERMISSION[op])
    if not module_scope_allows(actor.scopes, related.scope_name, op):
        raise OAuthScopeMismatch()
    if not (actor.may(related.api_name, VIEW) and actor.may(related.api_name, PERMISSION_FOR[op])):
        raise AuthorizationFailed(RELATED_AUTHORIZATION_FAILED[op])
