"""Schema migrations, run at start and by ``crmlink migrate``, on both engines.

Each migration is a numbered function taking a connection inside the migration transaction.
Several processes may start at once against one database: on PostgreSQL an advisory lock and on
SQLite ``BEGIN IMMEDIATE`` make exactly one of them apply what is pending.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, inspect, select, text

from crmlink.storage import tables
from crmlink.storage.engine import Database

Migration = Callable[[Connection], None]

_ADVISORY_LOCK_KEY = 0x63726D6C  # "crml"


def _v1_initial(conn: Connection) -> None:
    tables.metadata.create_all(conn, checkfirst=True)


def _v2_oauth_signin(conn: Connection) -> None:
    """Browser sign-in: ``users.password_hash`` and ``oauth_auth_requests`` (OAuth consent)."""
    # On a fresh database v1's create_all already made the current tables; add only what's missing.
    columns = {c["name"] for c in inspect(conn).get_columns("users")}
    if "password_hash" not in columns:
        conn.execute(text("ALTER TABLE users ADD COLUMN password_hash TEXT"))
    tables.oauth_auth_requests.create(conn, checkfirst=True)
    ix = next(i for i in tables.oauth_refresh_tokens.indexes if i.name == "ix_oauth_refresh_user")
    ix.create(conn, checkfirst=True)


def _v3_api_credits(conn: Connection) -> None:
    """API credits per org and minute (v2 is taken by the OAuth sign-in migration)."""
    tables.api_credits.create(conn, checkfirst=True)


MIGRATIONS: dict[int, Migration] = {
    1: _v1_initial,
    2: _v2_oauth_signin,
    3: _v3_api_credits,
}


def applied_versions(conn: Connection) -> set[int]:
    if not inspect(conn).has_table("schema_migrations"):
        return set()
    return set(conn.scalars(select(tables.schema_migrations.c.version)))


def migrate(db: Database) -> list[int]:
    """Apply pending migrations; returns the versions applied now (empty when up to date)."""
    with db.write() as conn:
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
        tables.schema_migrations.create(conn, checkfirst=True)
        done = applied_versions(conn)
        applied: list[int] = []
        for version in sorted(MIGRATIONS):
            if version in done:
                continue
            MIGRATIONS[version](conn)
            conn.execute(
                tables.schema_migrations.insert().values(
                    version=version, applied_at=int(time.time() * 1_000_000)
                )
            )
            applied.append(version)
        return applied


def current_version(db: Database) -> int:
    with db.read() as conn:
        versions = applied_versions(conn)
    return max(versions, default=0)
