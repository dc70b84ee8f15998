"""The org's contact roles (``/Contacts/roles``): small typed reads and writes."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select, update

from crmlink.storage import tables

# Zoho's standard contact roles (the spec's four, then the ones Zoho's UI and samples show).
DEFAULT_ROLES = (
    "Purchasing",
    "Engineering Lead",
    "Economic Decision Maker",
    "Product Management",
    "Executive Sponsor",
    "Technical Buyer",
    "Decision Maker",
    "Evaluator",
    "Developer/Evaluator",
    "Influencer",
    "Other",
)

_c = tables.contact_roles


@dataclass(frozen=True, slots=True)
class ContactRole:
    id: int
    name: str
    sequence_number: int


def default_role_id(org_id: int, name: str) -> int:
    """A default role's id: the same in every process, different per org (19 digits)."""
    return 4_150_868_000_000_000_000 + zlib.crc32(f"contact_role/{org_id}/{name}".encode())


def seed_defaults(conn: Connection, org_id: int) -> None:
    """Give the org Zoho's default roles (a new org, or an existing one in migration 20)."""
    now = int(time.time() * 1_000_000)
    conn.execute(
        insert(_c),
        [
            {
                "org_id": org_id,
                "id": default_role_id(org_id, name),
                "name": name,
                "sequence_number": i,
                "created_at": now,
            }
            for i, name in enumerate(DEFAULT_ROLES, start=1)
        ],
    )


def list_roles(conn: Connection, org_id: int) -> list[ContactRole]:
    rows = conn.execute(
        select(_c.c.id, _c.c.name, _c.c.sequence_number)
        .where(_c.c.org_id == org_id)
        .order_by(_c.c.sequence_number, _c.c.id)
    )
    return [ContactRole(r[0], r[1], r[2]) for r in rows]


def count_roles(conn: Connection, org_id: int) -> int:
    return int(conn.scalar(select(func.count()).select_from(_c).where(_c.c.org_id == org_id)) or 0)


def insert_role(conn: Connection, org_id: int, role: ContactRole) -> None:
    conn.execute(
        insert(_c).values(
            org_id=org_id,
            id=role.id,
            name=role.name,
            sequence_number=role.sequence_number,
            created_at=int(time.time() * 1_000_000),
        )
    )


def update_role(conn: Connection, org_id: int, role: ContactRole) -> None:
    conn.execute(
        update(_c)
        .where(_c.c.org_id == org_id, _c.c.id == role.id)
        .values(name=role.name, sequence_number=role.sequence_number)
    )


def delete_roles(conn: Connection, org_id: int, ids: Iterable[int]) -> None:
    wanted = list(ids)
    if wanted:
        conn.execute(delete(_c).where(_c.c.org_id == org_id, _c.c.id.in_(wanted)))
