"""What the org-level metadata answers read: the org, its profiles and its first administrator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from crmlink.storage import tables


@dataclass(frozen=True, slots=True)
class ProfileRow:
    id: int
    name: str
    permissions: str  # JSON {"<Module>" | "*": [permissions]}
    created_at: int


@dataclass(frozen=True, slots=True)
class OrgRow:
    id: int
    name: str
    created_at: int
    admin_id: int | None  # the first Administrator (the org's primary contact)
    admin_name: str | None
    admin_email: str | None


def profiles(conn: Connection, org_id: int) -> list[ProfileRow]:
    p = tables.profiles
    rows = conn.execute(
        select(p.c.id, p.c.name, p.c.permissions, p.c.created_at).where(p.c.org_id == org_id).order_by(p.c.id)
    )
    return [ProfileRow(r[0], r[1], r[2], r[3]) for r in rows]


def org(conn: Connection, org_id: int) -> OrgRow | None:
    o, u, p = tables.orgs, tables.users, tables.profiles
    row = conn.execute(select(o.c.id, o.c.name, o.c.created_at).where(o.c.id == org_id)).first()
    if row is None:
        return None
    admin = conn.execute(
        select(u.c.id, u.c.name, u.c.email)
        .select_from(u.join(p, (p.c.org_id == u.c.org_id) & (p.c.id == u.c.profile_id)))
        .where(u.c.org_id == org_id, p.c.name == "Administrator")
        .order_by(u.c.id)
        .limit(1)
    ).first()
    return OrgRow(
        row[0],
        row[1],
        row[2],
        admin[0] if admin else None,
        admin[1] if admin else None,
        admin[2] if admin else None,
    )
