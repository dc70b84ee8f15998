"""The SQL of OAuth tokens: access tokens (``oauth_access_tokens``) and refresh tokens
(``oauth_refresh_tokens``), found by the SHA-256 digest of the token.

``domain/auth.py`` and ``domain/oauth.py`` hold the rules (expiry, revocation, which client may
use which token, constant-time comparison of the digest found); this module stores and finds
rows in the caller's transaction. Nothing here sees a token itself, only its digest.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, delete, select, update

from crmlink.storage import tables
from crmlink.storage.hot import HotStatement

_t, _rt, _u, _p = tables.oauth_access_tokens, tables.oauth_refresh_tokens, tables.users, tables.profiles
_o = tables.orgs


class AccessTokenRow(NamedTuple):
    """An access token with its user and the user's profile."""

    token_hash: str
    org_id: int
    user_id: int
    scope: str
    expires_at: int
    revoked_at: int | None
    client_id: str | None
    user_name: str
    user_email: str
    user_active: bool
    profile_name: str
    permissions: str  # JSON text: {module: [permission, ...]}
    schema_version: int  # the org's (domain/org_catalogs.py): which catalog the call uses


class RefreshTokenRow(NamedTuple):
    token_hash: str
    org_id: int
    client_id: str | None
    user_id: int
    scope: str


def _token_statement(_dialect: str) -> Any:
    return (
        select(
            _t.c.token_hash,
            _t.c.org_id,
            _t.c.user_id,
            _t.c.scope,
            _t.c.expires_at,
            _t.c.revoked_at,
            _t.c.client_id,
            _u.c.name,
            _u.c.email,
            _u.c.active,
            _p.c.name,
            _p.c.permissions,
            _o.c.schema_version,
        )
        .select_from(
            _t.join(_u, (_u.c.org_id == _t.c.org_id) & (_u.c.id == _t.c.user_id))
            .join(_p, (_p.c.org_id == _u.c.org_id) & (_p.c.id == _u.c.profile_id))
            .join(_o, _o.c.id == _t.c.org_id)
        )
        .where(_t.c.token_hash == bindparam("digest"))
    )


# Every API call runs this first; built once and run on the driver's cursor (storage/hot.py).
_TOKEN = HotStatement(_token_statement)


def access_token(conn: Connection, token_hash: str) -> AccessTokenRow | None:
    """The access token stored under ``token_hash`` (revoked and expired ones too)."""
    rows = _TOKEN.rows(conn, {"digest": token_hash})
    return AccessTokenRow(*rows[0]) if rows else None


def insert_access_token(
    conn: Connection,
    *,
    token_hash: str,
    org_id: int,
    user_id: int,
    scope: str,
    client_id: str | None,
    refresh_hash: str | None,
    created_at: int,
    expires_at: int,
) -> None:
    conn.execute(
        _t.insert().values(
            token_hash=token_hash,
            org_id=org_id,
            client_id=client_id,
            user_id=user_id,
            scope=scope,
            refresh_hash=refresh_hash,
            created_at=created_at,
            expires_at=expires_at,
            revoked_at=None,
        )
    )


def insert_refresh_token(
    conn: Connection,
    *,
    token_hash: str,
    org_id: int,
    user_id: int,
    scope: str,
    client_id: str | None,
    created_at: int,
) -> None:
    conn.execute(
        _rt.insert().values(
            token_hash=token_hash,
            org_id=org_id,
            client_id=client_id,
            user_id=user_id,
            scope=scope,
            created_at=created_at,
            revoked_at=None,
        )
    )


def live_refresh_token(conn: Connection, token_hash: str) -> RefreshTokenRow | None:
    """The refresh token stored under ``token_hash``, unless revoked."""
    row = conn.execute(
        select(_rt.c.token_hash, _rt.c.org_id, _rt.c.client_id, _rt.c.user_id, _rt.c.scope).where(
            _rt.c.token_hash == token_hash, _rt.c.revoked_at.is_(None)
        )
    ).first()
    return RefreshTokenRow(*row) if row is not None else None


def delete_expired_access_tokens(conn: Connection, refresh_hash: str, now: int) -> None:
    """Forget the access tokens minted from one refresh token that have expired by ``now``."""
    conn.execute(delete(_t).where(_t.c.refresh_hash == refresh_hash, _t.c.expires_at <= now))


def revoke_refresh_token(conn: Connection, token_hash: str, now: int) -> bool:
    """Revoke a refresh token and every access token minted from it; False when there is no
    such refresh token not yet revoked."""
    revoked = conn.execute(
        update(_rt).where(_rt.c.token_hash == token_hash, _rt.c.revoked_at.is_(None)).values(revoked_at=now)
    ).rowcount
    if not revoked:
        return False
    conn.execute(
        update(_t).where(_t.c.refresh_hash == token_hash, _t.c.revoked_at.is_(None)).values(revoked_at=now)
    )
    return True


def revoke_access_token(conn: Connection, token_hash: str, now: int) -> bool:
    """Revoke one access token; False when there is no such token not yet revoked."""
    revoked = conn.execute(
        update(_t).where(_t.c.token_hash == token_hash, _t.c.revoked_at.is_(None)).values(revoked_at=now)
    ).rowcount
    return bool(revoked)
