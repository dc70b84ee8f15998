"""Every row of one org, across every table: deleting an org, resetting its data.

Every table is keyed by org (``org_id``; ``orgs`` by ``id``), so an org's rows are found the
same way in each, and a table added later is covered without a change here.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, delete, func, select

from crmlink.storage import tables

# What an org *is* rather than what it holds: kept by a reset, so its users, clients and tokens
# go on working (``crmlink.api.admin``). Everything else is data, and a reset empties it.
ACCOUNT_TABLES = frozenset(
    {
        "orgs",
        "profiles",
        "users",
        "oauth_clients",
        "oauth_grants",
        "oauth_refresh_tokens",
        "oauth_access_tokens",
        "oauth_auth_requests",
        "console_sessions",
        # The org's schema (custom fields and modules) is what the org is too: a reset or a
        # snapshot restore keeps it, and changing it goes through ``orgs.schema_version``.
        "org_schema_modules",
        "org_schema_fields",
    }
)


def _org_tables() -> list[Table]:
    """Tables with an ``org_id`` column, children first (the reverse of creation order)."""
    return [t for t in reversed(tables.metadata.sorted_tables) if "org_id" in t.c]


def delete_org(conn: Connection, org_id: int) -> int:
    """Delete the org and everything it holds; the number of rows deleted (0: no such org)."""
    if conn.scalar(select(tables.orgs.c.id).where(tables.orgs.c.id == org_id)) is None:
        return 0
    deleted = 0
    for table in _org_tables():
        deleted += conn.execute(delete(table).where(table.c.org_id == org_id)).rowcount
    deleted += conn.execute(delete(tables.orgs).where(tables.orgs.c.id == org_id)).rowcount
    return deleted


def reset_org(conn: Connection, org_id: int) -> int:
    """Delete what the org holds (records, links, events, ...), keeping its accounts."""
    deleted = 0
    for table in _org_tables():
        if table.name not in ACCOUNT_TABLES:
            deleted += conn.execute(delete(table).where(table.c.org_id == org_id)).rowcount
    return deleted


def count_records(conn: Connection, org_id: int) -> int:
    r = tables.records
    return int(conn.scalar(select(func.count()).select_from(r).where(r.c.org_id == org_id)) or 0)


def org_of_token_digest(conn: Connection, token_digest: str) -> int | None:
    """The org an access token belongs to, expired or revoked alike (the request log files a
    refused call under its org, where a person looking at a failed test expects it)."""
    t = tables.oauth_access_tokens
    found = conn.scalar(select(t.c.org_id).where(t.c.token_hash == token_digest))
    return None if found is None else int(found)
