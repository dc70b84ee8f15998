"""Orgs, profiles and users: the default org every fresh database gets, and user management.

A fresh database gets one org with the profiles ``Administrator`` (everything) and ``Standard``
(everything but deleting), and one administrator user. Everything is keyed by org, so further
orgs (isolated tenants) are rows like these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy import Connection, bindparam, select

from crmlink.domain.auth import ALL_PERMISSIONS, CREATE, EDIT, VIEW
from crmlink.domain.clock import now_us
from crmlink.domain.ids import IdGenerator
from crmlink.errors import DuplicateData, InvalidData
from crmlink.storage import tables
from crmlink.storage.contact_roles import seed_defaults as seed_contact_roles
from crmlink.storage.hot import HotStatement, ids_value, in_ids

DEFAULT_ORG_NAME = "crmlink"
DEFAULT_ADMIN_EMAIL = "admin@example.com"
DEFAULT_ADMIN_NAME = "Admin User"

BUILTIN_PROFILES: Mapping[str, Mapping[str, Sequence[str]]] = {
    "Administrator": {"*": ALL_PERMISSIONS},
    "Standard": {"*": (VIEW, CREATE, EDIT)},
}


@dataclass(frozen=True, slots=True)
class User:
    org_id: int
    id: int
    email: str
    name: str
    profile: str


def default_org_id(conn: Connection) -> int | None:
    """The first org created (the one a fresh database gets)."""
    o = tables.orgs
    return conn.scalar(select(o.c.id).order_by(o.c.created_at, o.c.id).limit(1))


def org_exists(conn: Connection, org_id: int) -> bool:
    o = tables.orgs
    return conn.scalar(select(o.c.id).where(o.c.id == org_id)) is not None


def create_org(conn: Connection, ids: IdGenerator, name: str, admin_email: str, admin_name: str) -> int:
    """A new org with the built-in profiles and one administrator."""
    org_id = ids.next()
    now = now_us()
    conn.execute(tables.orgs.insert().values(id=org_id, name=name, created_at=now))
    for profile, permissions in BUILTIN_PROFILES.items():
        create_profile(conn, ids, org_id, profile, permissions)
    add_user(conn, ids, org_id, admin_email, admin_name, "Administrator")
    seed_contact_roles(conn, org_id)
    return org_id


def ensure_default_org(conn: Connection, ids: IdGenerator) -> int:
    """The default org's id, creating it (and its administrator) on a fresh database."""
    existing = default_org_id(conn)
    if existing is not None:
        return existing
    return create_org(conn, ids, DEFAULT_ORG_NAME, DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_NAME)


def create_profile(
    conn: Connection,
    ids: IdGenerator,
    org_id: int,
    name: str,
    permissions: Mapping[str, Sequence[str]],
) -> int:
    for module, perms in permissions.items():
        unknown = set(perms) - set(ALL_PERMISSIONS)
        if unknown:
            raise InvalidData(f"unknown permissions for {module}: {sorted(unknown)}")
    p = tables.profiles
    if conn.scalar(select(p.c.id).where(p.c.org_id == org_id, p.c.name == name)) is not None:
        raise DuplicateData(details={"api_name": "name"})
    profile_id = ids.next()
    conn.execute(
        p.insert().values(
            org_id=org_id,
            id=profile_id,
            name=name,
            permissions=msgspec.json.encode({m: list(v) for m, v in permissions.items()}).decode(),
            created_at=now_us(),
        )
    )
    return profile_id


def add_user(conn: Connection, ids: IdGenerator, org_id: int, email: str, name: str, profile: str) -> User:
    p, u = tables.profiles, tables.users
    profile_id = conn.scalar(select(p.c.id).where(p.c.org_id == org_id, p.c.name == profile))
    if profile_id is None:
        raise InvalidData(f"no profile named {profile!r}", details={"api_name": "profile"})
    email = email.strip().lower()
    if conn.scalar(select(u.c.id).where(u.c.org_id == org_id, u.c.email == email)) is not None:
        raise DuplicateData(details={"api_name": "email"})
    user_id = ids.next()
    conn.execute(
        u.insert().values(
            org_id=org_id,
            id=user_id,
            email=email,
            name=name,
            profile_id=profile_id,
            active=True,
            created_at=now_us(),
        )
    )
    return User(org_id=org_id, id=user_id, email=email, name=name, profile=profile)


def find_user(conn: Connection, org_id: int, email: str) -> User | None:
    p, u = tables.profiles, tables.users
    row = conn.execute(
        select(u.c.id, u.c.email, u.c.name, p.c.name)
        .select_from(u.join(p, (p.c.org_id == u.c.org_id) & (p.c.id == u.c.profile_id)))
        .where(u.c.org_id == org_id, u.c.email == email.strip().lower())
    ).first()
    if row is None:
        return None
    return User(org_id=org_id, id=row[0], email=row[1], name=row[2], profile=row[3])


_u = tables.users
# Every rendered page runs this (and every write checking owners): built once and run on the
# driver's cursor, with the ids as one parameter (storage/hot.py).
_USER_REFS = HotStatement(
    lambda dialect: select(_u.c.id, _u.c.name, _u.c.email).where(
        _u.c.org_id == bindparam("org"), in_ids(_u.c.id, "ids", dialect)
    )
)


def user_refs(conn: Connection, org_id: int, user_ids: set[int]) -> dict[int, dict[str, str]]:
    """``{id: {"name","id","email"}}`` for rendering Owner / Created_By / Modified_By."""
    if not user_ids:
        return {}
    rows = _USER_REFS.rows(conn, {"org": org_id, "ids": ids_value(conn, user_ids)})
    return {r[0]: {"name": r[1], "id": str(r[0]), "email": r[2]} for r in rows}
