"""Schema migrations, run at start and by ``crmlink migrate``, on both engines.

Each migration is a numbered function taking a connection inside the migration transaction.
Several processes may start at once against one database: on PostgreSQL an advisory lock and on
SQLite ``BEGIN IMMEDIATE`` make exactly one of them apply what is pending.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, MetaData, inspect, select, text
from sqlalchemy.schema import CreateTable

from crmlink.storage import tables
from crmlink.storage.engine import Database
from crmlink.storage.links import MSL_LINKS
from crmlink.storage.query import SEARCH_ONLY_INDEXES
from crmlink.storage.unique_keys import ensure_field_index

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


def _v4_links_without_rowid(conn: Connection) -> None:
    """Rebuild SQLite's ``links`` as a ``WITHOUT ROWID`` table (see ``tables.links``).

    SQLite cannot change that in place: the rows move to a new table, which then takes the old
    one's name and its indexes, all inside the migration transaction, so a failure leaves the
    old table as it was. Nothing to do on PostgreSQL, nor when the table already has the form
    (a database that v1 created with the current tables).
    """
    if conn.dialect.name != "sqlite" or _links_without_rowid(conn):
        return
    # Every index of the old table, as its own CREATE statement (the key's autoindex has none).
    index_sql = list(
        conn.scalars(
            text(
                "SELECT sql FROM sqlite_master"
                " WHERE type = 'index' AND tbl_name = 'links' AND sql IS NOT NULL"
            )
        )
    )
    rebuilt = tables.links.to_metadata(MetaData(), name="links_rebuilt")
    conn.execute(CreateTable(rebuilt))
    columns = ", ".join(c.name for c in tables.links.columns)
    # In key order: each row then lands at the end of the new b-tree.
    key = ", ".join(c.name for c in tables.links.primary_key.columns)
    conn.exec_driver_sql(f"INSERT INTO links_rebuilt ({columns}) SELECT {columns} FROM links ORDER BY {key}")
    conn.exec_driver_sql("DROP TABLE links")  # its indexes go with it
    conn.exec_driver_sql("ALTER TABLE links_rebuilt RENAME TO links")
    for sql in index_sql:
        conn.exec_driver_sql(sql)
    for index in tables.links.indexes:
        index.create(conn, checkfirst=True)
    if not _links_without_rowid(conn):  # rolls the whole migration back
        raise RuntimeError("links was not rebuilt WITHOUT ROWID")


def _v20_contact_roles(conn: Connection) -> None:
    """The contact-role picklist per org, with Zoho's default roles for the orgs that exist."""
    from crmlink.storage.contact_roles import seed_defaults

    tables.contact_roles.create(conn, checkfirst=True)
    seeded = set(conn.scalars(select(tables.contact_roles.c.org_id).distinct()))
    for org_id in conn.scalars(select(tables.orgs.c.id)):
        if org_id not in seeded:
            seed_defaults(conn, org_id)


def _links_without_rowid(conn: Connection) -> bool:
    sql = conn.scalar(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'links'"))
    return sql is not None and "WITHOUT ROWID" in sql.upper()


def _v25_org_schema(conn: Connection) -> None:
    """An org's schema as data: ``orgs.schema_version`` and the ``org_schema_*`` tables."""
    columns = {c["name"] for c in inspect(conn).get_columns("orgs")}
    if "schema_version" not in columns:
        conn.execute(text("ALTER TABLE orgs ADD COLUMN schema_version BIGINT NOT NULL DEFAULT 0"))
    if "schema_modified_at" not in columns:
        conn.execute(text("ALTER TABLE orgs ADD COLUMN schema_modified_at BIGINT"))
    for table in (tables.org_schema_modules, tables.org_schema_fields, tables.org_counters):
        table.create(conn, checkfirst=True)


def _v10_search_email_indexes(conn: Connection) -> None:
    """The second email field of Leads and Contacts gets the same index as upsert's keys
    (``storage/unique_keys.py``): the ``email`` search param matches every email field, and with
    both indexed it is two index probes, not a scan (docs/query.md)."""
    for module, field in SEARCH_ONLY_INDEXES:
        ensure_field_index(conn, module, field)


def _v30_attachments(conn: Connection) -> None:
    """Attachments and record photos (their bytes live in the blob store)."""
    for table in (tables.attachments, tables.record_photos):
        table.create(conn, checkfirst=True)
        for index in table.indexes:
            index.create(conn, checkfirst=True)


def _v31_tags(conn: Connection) -> None:
    """Tags per module and the records carrying them."""
    for table in (tables.tags, tables.record_tags):
        table.create(conn, checkfirst=True)
        for index in table.indexes:
            index.create(conn, checkfirst=True)


def _v32_converted_leads(conn: Connection) -> None:
    """Which leads were converted, and into what."""
    tables.converted_leads.create(conn, checkfirst=True)


def _v15_record_key_indexes(conn: Connection) -> None:
    """An index per duplicate-check field of the catalog (upsert, X-EXTERNAL; see
    ``storage/unique_keys.py``)."""
    from crmlink.domain.catalog_data import CATALOG  # the catalog is data, not a layer above

    for module in CATALOG.modules:
        for field in module.key_fields:
            ensure_field_index(conn, module.api_name, field.api_name)


def _v16_recycle_bin(conn: Connection) -> None:
    """Deleted records are kept in ``deleted_records`` (``GET /{module}/deleted``)."""
    tables.deleted_records.create(conn, checkfirst=True)
    for index in tables.deleted_records.indexes:
        index.create(conn, checkfirst=True)


def _v17_mass_update_jobs(conn: Connection) -> None:
    tables.mass_update_jobs.create(conn, checkfirst=True)


def _v40_change_log(conn: Connection) -> None:
    """The change log of records and links (``changes``, ``change_counters``). Links changed
    before it have their history in ``link_events`` only; the log starts empty."""
    tables.changes.create(conn, checkfirst=True)
    tables.change_counters.create(conn, checkfirst=True)


def _v41_watch_channels(conn: Connection) -> None:
    """Notification channels (``/actions/watch``)."""
    tables.watch_channels.create(conn, checkfirst=True)


def _v42_deliveries(conn: Connection) -> None:
    """Notification deliveries and the log of their attempts."""
    tables.deliveries.create(conn, checkfirst=True)
    tables.delivery_attempts.create(conn, checkfirst=True)


def _v60_sign_in_security(conn: Connection) -> None:
    """Failed sign-ins counted across authorizations, and the refresh token each grant issued."""
    tables.sign_in_failures.create(conn, checkfirst=True)
    columns = {c["name"] for c in inspect(conn).get_columns("oauth_grants")}
    if "refresh_hash" not in columns:
        conn.execute(text("ALTER TABLE oauth_grants ADD COLUMN refresh_hash TEXT"))


def _v70_console_sessions(conn: Connection) -> None:
    """Sign-ins of the web console (docs/console.md)."""
    tables.console_sessions.create(conn, checkfirst=True)


def _v90_linking_record_ids(conn: Connection) -> None:
    """Linking records by id (``storage/links.links_with_data``): a partial index on the links of
    multi-select lookups only, so the other relations' writes do not maintain it."""
    conn.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_links_msl_data"
            f" ON links (org_id, relation, data) WHERE {MSL_LINKS}"
        )
    )


MIGRATIONS: dict[int, Migration] = {
    1: _v1_initial,
    2: _v2_oauth_signin,
    3: _v3_api_credits,
    4: _v4_links_without_rowid,
    10: _v10_search_email_indexes,
    15: _v15_record_key_indexes,
    16: _v16_recycle_bin,
    17: _v17_mass_update_jobs,
    20: _v20_contact_roles,
    30: _v30_attachments,
    31: _v31_tags,
    32: _v32_converted_leads,
    40: _v40_change_log,
    41: _v41_watch_channels,
    42: _v42_deliveries,
    60: _v60_sign_in_security,
    70: _v70_console_sessions,
    25: _v25_org_schema,
    90: _v90_linking_record_ids,
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
