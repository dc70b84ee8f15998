"""The SQL of the accounts server: clients (``oauth_clients``), grant tokens (``oauth_grants``)
and browser authorizations in progress (``oauth_auth_requests``).

``domain/oauth.py`` and ``domain/consent.py`` hold the rules; this module stores and finds rows
in the caller's transaction. Secrets appear here only as their digests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import msgspec
from sqlalchemy import Connection, delete, select, update

from crmlink.storage import tables

_c, _g, _ar = tables.oauth_clients, tables.oauth_grants, tables.oauth_auth_requests


class ClientRow(NamedTuple):
    client_id: str
    org_id: int
    name: str
    redirect_uris: list[str]


class GrantRow(NamedTuple):
    code_hash: str
    org_id: int
    client_id: str
    user_id: int
    scope: str
    redirect_uri: str | None


class AuthRequestRow(NamedTuple):
    session_hash: str
    org_id: int
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    csrf_hash: str
    user_id: int | None


# --- clients ---------------------------------------------------------------------------------


def insert_client(
    conn: Connection,
    *,
    client_id: str,
    org_id: int,
    name: str,
    secret_hash: str,
    redirect_uris: Sequence[str],
    created_at: int,
) -> None:
    conn.execute(
        _c.insert().values(
            client_id=client_id,
            org_id=org_id,
            name=name,
            secret_hash=secret_hash,
            redirect_uris=msgspec.json.encode(list(redirect_uris)).decode(),
            created_at=created_at,
        )
    )


def set_client_secret(conn: Connection, client_id: str, secret_hash: str) -> None:
    conn.execute(update(_c).where(_c.c.client_id == client_id).values(secret_hash=secret_hash))


def client(conn: Connection, client_id: str) -> ClientRow | None:
    row = conn.execute(
        select(_c.c.client_id, _c.c.org_id, _c.c.name, _c.c.redirect_uris).where(_c.c.client_id == client_id)
    ).first()
    if row is None:
        return None
    return ClientRow(
        row.client_id, row.org_id, row.name, msgspec.json.decode(row.redirect_uris, type=list[str])
    )


def org_clients(conn: Connection, org_id: int) -> list[ClientRow]:
    """The org's clients, oldest first."""
    rows = conn.execute(
        select(_c.c.client_id, _c.c.org_id, _c.c.name, _c.c.redirect_uris)
        .where(_c.c.org_id == org_id)
        .order_by(_c.c.created_at, _c.c.client_id)
    )
    return [
        ClientRow(r.client_id, r.org_id, r.name, msgspec.json.decode(r.redirect_uris, type=list[str]))
        for r in rows
    ]


def delete_client(conn: Connection, org_id: int, client_id: str, at: int) -> bool:
    """Revoke every token the client holds, drop its grants and authorizations in progress, then
    the client itself. False when the org has no such client."""
    found = conn.execute(
        delete(_c).where(_c.c.org_id == org_id, _c.c.client_id == client_id).returning(_c.c.client_id)
    ).first()
    if found is None:
        return False
    for table in (tables.oauth_refresh_tokens, tables.oauth_access_tokens):
        conn.execute(
            update(table)
            .where(table.c.org_id == org_id, table.c.client_id == client_id, table.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
    g, ar = tables.oauth_grants, tables.oauth_auth_requests
    conn.execute(delete(g).where(g.c.org_id == org_id, g.c.client_id == client_id))
    conn.execute(delete(ar).where(ar.c.org_id == org_id, ar.c.client_id == client_id))
    return True


def first_client_named(conn: Connection, org_id: int, name: str) -> str | None:
    """The id of the org's oldest client called ``name``."""
    found = conn.scalar(
        select(_c.c.client_id).where(_c.c.org_id == org_id, _c.c.name == name).order_by(_c.c.created_at)
    )
    return str(found) if found is not None else None


def client_secret_hash(conn: Connection, client_id: str) -> str | None:
    found = conn.scalar(select(_c.c.secret_hash).where(_c.c.client_id == client_id))
    return str(found) if found is not None else None


# --- grant tokens ----------------------------------------------------------------------------


def delete_expired_grants(conn: Connection, org_id: int, now: int) -> None:
    conn.execute(delete(_g).where(_g.c.org_id == org_id, _g.c.expires_at <= now))


def insert_grant(
    conn: Connection,
    *,
    code_hash: str,
    org_id: int,
    client_id: str,
    user_id: int,
    scope: str,
    redirect_uri: str | None,
    expires_at: int,
) -> None:
    conn.execute(
        _g.insert().values(
            code_hash=code_hash,
            org_id=org_id,
            client_id=client_id,
            user_id=user_id,
            scope=scope,
            redirect_uri=redirect_uri,
            expires_at=expires_at,
            used_at=None,
        )
    )


def usable_grant(conn: Connection, code_hash: str, now: int) -> GrantRow | None:
    """The grant stored under ``code_hash`` if it is unused and unexpired at ``now``."""
    row = conn.execute(
        select(
            _g.c.code_hash, _g.c.org_id, _g.c.client_id, _g.c.user_id, _g.c.scope, _g.c.redirect_uri
        ).where(_g.c.code_hash == code_hash, _g.c.used_at.is_(None), _g.c.expires_at > now)
    ).first()
    return GrantRow(*row) if row is not None else None


def claim_grant(conn: Connection, code_hash: str, now: int) -> bool:
    """Mark the grant used; of two concurrent claims only one returns True."""
    claimed = conn.execute(
        update(_g).where(_g.c.code_hash == code_hash, _g.c.used_at.is_(None)).values(used_at=now)
    ).rowcount
    return bool(claimed == 1)


# --- browser authorizations ------------------------------------------------------------------


def delete_expired_auth_requests(conn: Connection, now: int) -> None:
    conn.execute(delete(_ar).where(_ar.c.expires_at <= now))


def insert_auth_request(
    conn: Connection,
    *,
    session_hash: str,
    org_id: int,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str | None,
    csrf_hash: str,
    created_at: int,
    expires_at: int,
) -> None:
    conn.execute(
        _ar.insert().values(
            session_hash=session_hash,
            org_id=org_id,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            state=state,
            csrf_hash=csrf_hash,
            user_id=None,
            failures=0,
            created_at=created_at,
            expires_at=expires_at,
        )
    )


def live_auth_request(conn: Connection, session_hash: str, now: int) -> AuthRequestRow | None:
    """The authorization stored under ``session_hash`` unless it expired by ``now``."""
    row = conn.execute(
        select(
            _ar.c.session_hash,
            _ar.c.org_id,
            _ar.c.client_id,
            _ar.c.redirect_uri,
            _ar.c.scope,
            _ar.c.state,
            _ar.c.csrf_hash,
            _ar.c.user_id,
        ).where(_ar.c.session_hash == session_hash, _ar.c.expires_at > now)
    ).first()
    return AuthRequestRow(*row) if row is not None else None


def count_failed_sign_in(conn: Connection, session_hash: str, csrf_hash: str) -> int | None:
    """One more wrong password, and the next form's CSRF digest; the failures so far (None when
    the authorization is gone)."""
    failures = conn.scalar(
        update(_ar)
        .where(_ar.c.session_hash == session_hash)
        .values(failures=_ar.c.failures + 1, csrf_hash=csrf_hash)
        .returning(_ar.c.failures)
    )
    return int(failures) if failures is not None else None


def set_signed_in(conn: Connection, session_hash: str, user_id: int, csrf_hash: str) -> None:
    conn.execute(
        update(_ar).where(_ar.c.session_hash == session_hash).values(user_id=user_id, csrf_hash=csrf_hash)
    )


def delete_auth_request(conn: Connection, session_hash: str) -> bool:
    """End an authorization; False when it was already gone."""
    return bool(conn.execute(delete(_ar).where(_ar.c.session_hash == session_hash)).rowcount == 1)
