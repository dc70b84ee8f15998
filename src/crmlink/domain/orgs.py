"""Orgs, profiles and users: the default org every fresh database gets, and user management.

A fresh database gets one org with the profiles ``Administrator`` (everything) and ``Standard``
(everything but deleting), and one administrator user. Everything is keyed by org, so further
orgs (isolated tenants) are rows like these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec

from crmlink.domain.auth import ALL_PERMISSIONS, CREATE, EDIT, VIEW
from crmlink.domain.clock import now_us
from crmlink.domain.ids import IdGenerator
from crmlink.errors import DuplicateData, InvalidData
from crmlink.storage import orgs as store
from crmlink.storage import users as user_store
from crmlink.storage.connection import Connection
from crmlink.storage.contact_roles import seed_defaults as seed_contact_roles

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
    return store.first_org_id(conn)


def org_exists(conn: Connection, org_id: int) -> bool:
    return store.org_exists(conn, org_id)


def create_org(conn: Connection, ids: IdGenerator, name: str, admin_email: str, admin_name: str) -> int:
    """A new org with the built-in profiles and one administrator."""
    org_id = ids.next()
    now = now_us()
    store.insert_org(conn, org_id, name, now)
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
    if store.profile_id(conn, org_id, name) is not None:
        raise DuplicateData(details={"api_name": "name"})
    profile_id = ids.next()
    store.insert_profile(
        conn,
        org_id=org_id,
        profile_id=profile_id,
        name=name,
        permissions=msgspec.json.encode({m: list(v) for m, v in permissions.items()}).decode(),
        created_at=now_us(),
    )
    return profile_id


def add_user(conn: Connection, ids: IdGenerator, org_id: int, email: str, name: str, profile: str) -> User:
    profile_id = store.profile_id(conn, org_id, profile)
    if profile_id is None:
        raise InvalidData(f"no profile named {profile!r}", details={"api_name": "profile"})
    email = email.strip().lower()
    if user_store.user_id_by_email(conn, org_id, email) is not None:
        raise DuplicateData(details={"api_name": "email"})
    user_id = ids.next()
    user_store.insert_user(
        conn,
        org_id=org_id,
        user_id=user_id,
        email=email,
        name=name,
        profile_id=profile_id,
        created_at=now_us(),
    )
    return User(org_id=org_id, id=user_id, email=email, name=name, profile=profile)


def profiles(conn: Connection, org_id: int) -> list[store.ProfileRef]:
    """The org's profiles, oldest first."""
    return store.profiles(conn, org_id)


def find_user(conn: Connection, org_id: int, email: str) -> User | None:
    row = user_store.user_by_email(conn, org_id, email.strip().lower())
    if row is None:
        return None
    return User(org_id=org_id, id=row.id, email=row.email, name=row.name, profile=row.profile_name)


def user_refs(conn: Connection, org_id: int, user_ids: set[int]) -> dict[int, dict[str, str]]:
    """``{id: {"name","id","email"}}`` for rendering Owner / Created_By / Modified_By."""
    if not user_ids:
        return {}
    return {
        u.id: {"name": u.name, "id": str(u.id), "email": u.email}
        for u in user_store.user_refs(conn, org_id, user_ids)
    }
