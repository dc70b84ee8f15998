"""Who is calling, and what they may do: tokens, scopes and profile permissions.

Secrets (client secrets, grant codes, access and refresh tokens) are random, shown once, and
stored only as SHA-256 digests; lookups go by digest and the digest is compared again in
constant time. Nothing here logs a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import msgspec

from crmlink.domain.clock import now_us, org_now_us
from crmlink.errors import InvalidToken
from crmlink.storage import tokens as store
from crmlink.storage.connection import Connection

# Profile permissions, per module.
VIEW, CREATE, EDIT, DELETE = "view", "create", "edit", "delete"
ALL_PERMISSIONS = (VIEW, CREATE, EDIT, DELETE)


class Operation(StrEnum):
    """What a route does to a module, for scopes (``READ``...) and profiles (``view``...)."""

    READ = "READ"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


# Which scope operation types grant which route operation (Zoho: WRITE covers all writes).
_SCOPE_GRANTS: Mapping[Operation, frozenset[str]] = {
    Operation.READ: frozenset({"all", "read"}),
    Operation.CREATE: frozenset({"all", "write", "create"}),
    Operation.UPDATE: frozenset({"all", "write", "update"}),
    Operation.DELETE: frozenset({"all", "write", "delete"}),
}

PERMISSION_FOR: Mapping[Operation, str] = {
    Operation.READ: VIEW,
    Operation.CREATE: CREATE,
    Operation.UPDATE: EDIT,
    Operation.DELETE: DELETE,
}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_token() -> str:
    """A token shaped like Zoho's: ``1000.<32 hex>.<32 hex>``."""
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


@lru_cache(maxsize=1024)
def parse_scopes(scope: str) -> frozenset[str]:
    """Scopes as lower-cased strings; Zoho separates them with commas (spaces tolerated)."""
    parts = scope.replace(" ", ",").split(",")
    return frozenset(p.strip().lower() for p in parts if p.strip())


def module_scope_allows(scopes: frozenset[str], scope_name: str, op: Operation) -> bool:
    """Does ``ZohoCRM.modules...`` grant ``op`` on the module whose scope name is ``scope_name``?"""
    if "zohocrm.modules.all" in scopes:
        return True
    return any(f"zohocrm.modules.{scope_name}.{grant}" in scopes for grant in _SCOPE_GRANTS[op])


def settings_scope_allows(scopes: frozenset[str], area: str) -> bool:
    """``ZohoCRM.settings.ALL`` or ``ZohoCRM.settings.{area}.{ALL|READ}`` (reads only)."""
    return (
        "zohocrm.settings.all" in scopes
        or f"zohocrm.settings.{area}.all" in scopes
        or f"zohocrm.settings.{area}.read" in scopes
    )


def users_scope_allows(scopes: frozenset[str]) -> bool:
    return bool({"zohocrm.users.all", "zohocrm.users.read"} & scopes)


# --- scope grammar ---------------------------------------------------------------------------

# Zoho's operation types, and the scope names its accounts server knows for CRM (docs/auth.md;
# spec section 7.4). Scopes compare case-insensitively, as Zoho's do.
_OPERATIONS = frozenset({"all", "read", "create", "write", "update", "delete"})
_MODULE_SCOPES = frozenset(
    {
        "approvals",
        "leads",
        "accounts",
        "contacts",
        "deals",
        "campaigns",
        "tasks",
        "cases",
        "events",
        "calls",
        "solutions",
        "products",
        "vendors",
        "pricebooks",
        "quotes",
        "salesorders",
        "purchaseorders",
        "invoices",
        "custom",
        "dashboards",
        "notes",
        "activities",
        "search",
    }
)
_SETTINGS_SCOPES = frozenset(
    {
        "territories",
        "custom_views",
        "related_lists",
        "modules",
        "variables",
        "tags",
        "tab_groups",
        "fields",
        "layouts",
        "macros",
        "custom_links",
        "custom_buttons",
        "roles",
        "profiles",
        "currencies",
    }
)
# Areas whose scopes are ``ZohoCRM.{area}.{operation}``, with the operations each takes.
_PLAIN_AREAS: dict[str, frozenset[str]] = {
    "users": _OPERATIONS,
    "org": _OPERATIONS,
    "bulk": frozenset({"all", "read", "create"}),
    "notifications": frozenset({"all", "read", "create", "update", "delete"}),
    "coql": frozenset({"read"}),
    "files": frozenset({"all", "read", "create"}),
}
# Scopes of other Zoho services that CRM clients commonly ask for alongside CRM's.
_OTHER_SERVICES = frozenset({"aaaserver.profile.read"})


def unknown_scope(part: str, module_scopes: Iterable[str] = ()) -> bool:
    """Is ``part`` (one scope) outside the grammar Zoho's accounts server knows for CRM?"""
    if part.lower() in _OTHER_SERVICES:
        return False
    pieces = part.lower().split(".")
    if len(pieces) < 3 or pieces[0] != "zohocrm":
        return True
    area, rest = pieces[1], pieces[2:]
    if area == "mass_update":
        # ``mass_update.{ALL,READ,UPDATE}`` or ``mass_update.{module}.{ALL,READ,UPDATE}``.
        known_module = len(rest) == 2 and rest[0] in _MODULE_SCOPES | set(module_scopes)
        return rest[-1] not in {"all", "read", "update"} or not (len(rest) == 1 or known_module)
    if area in ("modules", "settings"):
        if rest == ["all"]:
            return False
        if len(rest) != 2 or rest[1] not in _OPERATIONS:
            return True
        known = _SETTINGS_SCOPES if area == "settings" else _MODULE_SCOPES | set(module_scopes)
        return rest[0] not in known
    operations = _PLAIN_AREAS.get(area)
    return operations is None or len(rest) != 1 or rest[0] not in operations


@lru_cache(maxsize=256)
def parse_permissions(raw: str) -> Mapping[str, frozenset[str]]:
    decoded = msgspec.json.decode(raw, type=dict[str, list[str]])
    return {module: frozenset(perms) for module, perms in decoded.items()}


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller: user, org, profile permissions and token scopes."""

    org_id: int
    user_id: int
    name: str
    email: str
    profile_name: str
    permissions: Mapping[str, frozenset[str]]
    scopes: frozenset[str]
    client_id: str | None = None
    schema_version: int = 0  # the org's (domain/org_catalogs.py), read with the token

    def may(self, module: str, permission: str) -> bool:
        granted = self.permissions.get(module)
        if granted is None:
            granted = self.permissions.get("*", frozenset())
        return permission in granted

    def may_read(self, api_name: str, scope_name: str) -> bool:
        """May this caller see the module's records (its token's scope and its profile)?"""
        return self.may(api_name, VIEW) and module_scope_allows(self.scopes, scope_name, Operation.READ)

    @property
    def user_ref(self) -> dict[str, str]:
        return {"name": self.name, "id": str(self.user_id), "email": self.email}


def actor_for_token(conn: Connection, token: str) -> Actor:
    """The actor behind an access token; ``InvalidToken`` if unknown, expired or revoked."""
    wanted = digest(token)
    row = store.access_token(conn, wanted)
    if (
        row is None
        or not same_digest(row.token_hash, wanted)
        or row.revoked_at is not None
        or row.expires_at <= org_now_us(row.org_id)
        or not row.user_active
    ):
        raise InvalidToken()
    return Actor(
        org_id=row.org_id,
        user_id=row.user_id,
        name=row.user_name,
        email=row.user_email,
        profile_name=row.profile_name,
        permissions=parse_permissions(row.permissions),
        scopes=parse_scopes(row.scope),
        client_id=row.client_id,
        schema_version=row.schema_version,
    )


def store_access_token(
    conn: Connection,
    *,
    org_id: int,
    user_id: int,
    scope: str,
    ttl_seconds: int,
    client_id: str | None = None,
    refresh_hash: str | None = None,
) -> str:
    """Mint an access token, store its digest, and return the token (shown once)."""
    token = new_token()
    now = org_now_us(org_id)
    store.insert_access_token(
        conn,
        token_hash=digest(token),
        org_id=org_id,
        user_id=user_id,
        scope=scope,
        client_id=client_id,
        refresh_hash=refresh_hash,
        created_at=now,
        expires_at=now + ttl_seconds * 1_000_000,
    )
    return token


def store_refresh_token(
    conn: Connection, *, org_id: int, user_id: int, scope: str, client_id: str | None
) -> str:
    token = new_token()
    store.insert_refresh_token(
        conn,
        token_hash=digest(token),
        org_id=org_id,
        user_id=user_id,
        scope=scope,
        client_id=client_id,
        created_at=now_us(),
    )
    return token
