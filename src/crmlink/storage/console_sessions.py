"""SQL of console sign-ins (``console_sessions``): rows found by org and the digest of the
cookie's secret. Nothing here sees a secret itself."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, delete, select

from crmlink.storage import tables

_s, _u, _p, _o = tables.console_sessions, tables.users, tables.profiles, tables.orgs


class SessionRow(NamedTuple):
    """A live console session with its user and the user's profile."""

    session_hash: str
    org_id: int
    user_id: int
    user_name: str
    user_email: str
    user_active: bool
    profile_name: str
    permissions: str  # JSON text: {module: [permission, ...]}
    schema_version: int


def insert_session(
    conn: Connection, org_id: int, session_hash: str, user_id: int, created_at: int, expires_at: int
) -> None:
    conn.execute(
        _s.insert().values(
            org_id=org_id,
            session_hash=session_hash,
            user_id=user_id,
            created_at=created_at,
            expires_at=expires_at,
        )
    )


def live_session(conn: Connection, org_id: int, session_hash: str, now: int) -> SessionRow | None:
    row = conn.execute(
        select(
            _s.c.session_hash,
            _s.c.org_id,
            _s.c.user_id,
            _u.c.name,
            _u.c.email,
            _u.c.active,
            _p.c.name,
            _p.c.permissions,
            _o.c.schema_version,
        )
        .select_from(
            _s.join(_u, (_u.c.org_id == _s.c.org_id) & (_u.c.id == _s.c.user_id))
            .join(_p, (_p.c.org_id == _u.c.org_id) & (_p.c.id == _u.c.profile_id))
            .join(_o, _o.c.id == _s.c.org_id)
        )
        .where(_s.c.org_id == org_id, _s.c.session_hash == session_hash, _s.c.expires_at > now)
    ).first()
    return SessionRow(*row) if row is not None else None


def delete_session(conn: Connection, org_id: int, session_hash: str) -> None:
    conn.execute(delete(_s).where(_s.c.org_id == org_id, _s.c.session_hash == session_hash))


def delete_expired(conn: Connection, org_id: int, now: int) -> None:
    conn.execute(delete(_s).where(_s.c.org_id == org_id, _s.c.expires_at <= now))


def delete_user_sessions(conn: Connection, org_id: int, user_id: int) -> None:
    conn.execute(delete(_s).where(_s.c.org_id == org_id, _s.c.user_id == user_id))
