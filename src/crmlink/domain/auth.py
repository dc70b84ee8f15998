"""Who is calling, and what they may do: tokens, scopes and profile permissions.

Secrets (client secrets, grant codes, access and refresh tokens) are random, shown once, and
stored only as SHA-256 digests; lookups go by digest and the digest is compared again in
constant time. Nothing here logs a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import msgspec
from sqlalchemy import Connection, bindparam, select

from crmlink.domain.clock import now_us, org_now_us
from crmlink.errors import InvalidToken
from crmlink.storage import tables
from crmlink.storage.hot import HotStatement

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

    @property
    def user_ref(self) -> dict[str, str]:
        return {"name": self.name, "id": str(self.user_id), "email": self.email}


def _token_statement(_dialect: str) -> Any:
    t, u, p, o = tables.oauth_access_tokens, tables.users, tables.profiles, tables.orgs
    return (
        select(
            t.c.token_hash,
            t.c.org_id,
            t.c.user_id,
            t.c.scope,
            t.c.expires_at,
            t.c.revoked_at,
            t.c.client_id,
            u.c.name,
            u.c.email,
            u.c.active,
            p.c.name,
            p.c.permissions,
            o.c.schema_version,
        )
        .select_from(
            t.join(u, (u.c.org_id == t.c.org_id) & (u.c.id == t.c.user_id))
            .join(p, (p.c.org_id == u.c.org_id) & (p.c.id == u.c.profile_id))
            .join(o, o.c.id == t.c.org_id)
        )
        .where(t.c.token_hash == bindparam("digest"))
    )


# Every API call runs this first; built once and run on the driver's cursor (storage/hot.py).
_TOKEN = HotStatement(_token_statement)


def actor_for_token(conn: Connection, token: str) -> Actor:
    """The actor behind an access token; ``InvalidToken`` if unknown, expired or revoked."""
    wanted = digest(token)
    rows = _TOKEN.rows(conn, {"digest": wanted})
    row = rows[0] if rows else None
    if (
        row is None
        or not same_digest(row[0], wanted)
        or row[5] is not None
        or row[4] <= org_now_us(row[1])
        or not row[9]
    ):
        raise InvalidToken()
    return Actor(
        org_id=row[1],
        user_id=row[2],
        name=row[7],
        email=row[8],
        profile_name=row[10],
        permissions=parse_permissions(row[11]),
        scopes=parse_scopes(row[3]),
        client_id=row[6],
        schema_version=row[12],
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
    conn.execute(
        tables.oauth_access_tokens.insert().values(
            token_hash=digest(token),
            org_id=org_id,
            client_id=client_id,
            user_id=user_id,
            scope=scope,
            refresh_hash=refresh_hash,
            created_at=now,
            expires_at=now + ttl_seconds * 1_000_000,
            revoked_at=None,
        )
    )
    return token


def store_refresh_token(
    conn: Connection, *, org_id: int, user_id: int, scope: str, client_id: str | None
) -> str:
    token = new_token()
    conn.execute(
        tables.oauth_refresh_tokens.insert().values(
            token_hash=digest(token),
            org_id=org_id,
            client_id=client_id,
            user_id=user_id,
            scope=scope,
            created_at=now_us(),
            revoked_at=None,
        )
    )
    return token
