"""SQL for taking access away (issue 18): revoking a user's tokens, the tokens a reused grant
issued, and deactivating users. Each function runs in the caller's transaction."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, select, update

__all__ = ["Connection", "GrantUse", "Revoked"]

from crmlink.storage import tables

_rt, _at, _g = tables.oauth_refresh_tokens, tables.oauth_access_tokens, tables.oauth_grants


class Revoked(NamedTuple):
    refresh_tokens: int
    access_tokens: int


class GrantUse(NamedTuple):
    """A grant token that was already exchanged, and the refresh token that issued (if any)."""

    org_id: int
    client_id: str
    refresh_hash: str | None


def used_grant(conn: Connection, code_hash: str) -> GrantUse | None:
    row = conn.execute(
        select(_g.c.org_id, _g.c.client_id, _g.c.refresh_hash).where(
            _g.c.code_hash == code_hash, _g.c.used_at.is_not(None)
        )
    ).first()
    return GrantUse(row[0], row[1], row[2]) if row is not None else None


def remember_grant_refresh(conn: Connection, code_hash: str, refresh_hash: str) -> None:
    conn.execute(update(_g).where(_g.c.code_hash == code_hash).values(refresh_hash=refresh_hash))


def revoke_refresh_token(conn: Connection, org_id: int, refresh_hash: str, at: int) -> Revoked:
    """Revoke one refresh token and every access token minted from it."""
    refresh = conn.execute(
        update(_rt)
        .where(_rt.c.org_id == org_id, _rt.c.token_hash == refresh_hash, _rt.c.revoked_at.is_(None))
        .values(revoked_at=at)
    ).rowcount
    access = conn.execute(
        update(_at)
        .where(_at.c.org_id == org_id, _at.c.refresh_hash == refresh_hash, _at.c.revoked_at.is_(None))
        .values(revoked_at=at)
    ).rowcount
    return Revoked(refresh, access)


def revoke_user_tokens(
    conn: Connection, org_id: int, user_id: int, at: int, *, access: bool = True
) -> Revoked:
    """Revoke the user's refresh tokens with the access tokens minted from them; with
    ``access``, every other access token of the user too (those minted without a refresh token)."""
    refresh_hashes = list(
        conn.scalars(
            select(_rt.c.token_hash).where(
                _rt.c.org_id == org_id, _rt.c.user_id == user_id, _rt.c.revoked_at.is_(None)
            )
        )
    )
    refresh = conn.execute(
        update(_rt)
        .where(_rt.c.org_id == org_id, _rt.c.user_id == user_id, _rt.c.revoked_at.is_(None))
        .values(revoked_at=at)
    ).rowcount
    minted_from = _at.c.refresh_hash.in_(refresh_hashes) if refresh_hashes else None
    where = [_at.c.org_id == org_id, _at.c.user_id == user_id, _at.c.revoked_at.is_(None)]
    if not access:
        if minted_from is None:
            return Revoked(refresh, 0)
        where.append(minted_from)
    revoked_access = conn.execute(update(_at).where(*where).values(revoked_at=at)).rowcount
    return Revoked(refresh, revoked_access)


def set_user_active(conn: Connection, org_id: int, user_id: int, active: bool) -> None:
    u = tables.users
    conn.execute(update(u).where(u.c.org_id == org_id, u.c.id == user_id).values(active=active))
