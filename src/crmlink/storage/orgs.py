"""The SQL of orgs (``orgs``) and profiles (``profiles``)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, select

from crmlink.storage import tables

_o, _p = tables.orgs, tables.profiles


class ProfileRef(NamedTuple):
    id: int
    name: str


def first_org_id(conn: Connection) -> int | None:
    """The first org created (the one a fresh database gets)."""
    found = conn.scalar(select(_o.c.id).order_by(_o.c.created_at, _o.c.id).limit(1))
    return int(found) if found is not None else None


def org_exists(conn: Connection, org_id: int) -> bool:
    return conn.scalar(select(_o.c.id).where(_o.c.id == org_id)) is not None


def insert_org(conn: Connection, org_id: int, name: str, created_at: int) -> None:
    conn.execute(_o.insert().values(id=org_id, name=name, created_at=created_at))


def profile_id(conn: Connection, org_id: int, name: str) -> int | None:
    found = conn.scalar(select(_p.c.id).where(_p.c.org_id == org_id, _p.c.name == name))
    return int(found) if found is not None else None


def insert_profile(
    conn: Connection, *, org_id: int, profile_id: int, name: str, permissions: str, created_at: int
) -> None:
    """``permissions`` is JSON text: ``{module: [permission, ...]}``."""
    conn.execute(
        _p.insert().values(
            org_id=org_id, id=profile_id, name=name, permissions=permissions, created_at=created_at
        )
    )


def profiles(conn: Connection, org_id: int) -> list[ProfileRef]:
    """The org's profiles, oldest first."""
    rows = conn.execute(select(_p.c.id, _p.c.name).where(_p.c.org_id == org_id).order_by(_p.c.id))
    return [ProfileRef(row.id, row.name) for row in rows]
