"""Tables, as SQLAlchemy Core metadata. Every table is keyed by org.

Times are integer microseconds since the Unix epoch (UTC); the API renders them as ISO-8601 with
offset. JSON documents (record fields, relation data, permissions) are stored as text so that
both engines hold the same bytes.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", BigInteger, nullable=False),
)

# Counters shared by all processes on one database (id-generator node numbers).
counters = Table(
    "counters",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

orgs = Table(
    "orgs",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    # Bumped by every change of the org's schema (org_schema_*): each process keeps the org's
    # catalog built and rebuilds it when the version it reads with the token differs. 0: the
    # org has never changed the standard catalog. Added in migration 25.
    Column("schema_version", BigInteger, nullable=False, default=0, server_default="0"),
    Column("schema_modified_at", BigInteger, nullable=True),
)

# An org's schema over the standard catalog (domain/schema.py): its custom modules, and per
# module the fields it adds or changes, each row a JSON spec in the hand-written form.
org_schema_modules = Table(
    "org_schema_modules",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("api_name", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("spec", Text, nullable=False),
    PrimaryKeyConstraint("org_id", "api_name"),
)

org_schema_fields = Table(
    "org_schema_fields",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("module", Text, nullable=False),
    Column("api_name", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("spec", Text, nullable=False),
    PrimaryKeyConstraint("org_id", "module", "api_name"),
)

# Per-org counters (autonumber fields: "<module>.<field>" -> the last number given).
org_counters = Table(
    "org_counters",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("value", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "name"),
)

profiles = Table(
    "profiles",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    # JSON: {"<Module>": ["view", "create", "edit", "delete"], "*": [...]}
    Column("permissions", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
    UniqueConstraint("org_id", "name", name="uq_profiles_name"),
)

users = Table(
    "users",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("profile_id", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", BigInteger, nullable=False),
    # argon2id hash for the browser sign-in (PHC form; older ``scrypt$...`` ones are upgraded at
    # sign-in); NULL: no browser sign-in.
    Column("password_hash", Text, nullable=True),  # added in migration 2
    PrimaryKeyConstraint("org_id", "id"),
    UniqueConstraint("org_id", "email", name="uq_users_email"),
)

records = Table(
    "records",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("module", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON object of the module's fields
    Column("owner_id", BigInteger, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("modified_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
)
Index("ix_records_module", records.c.org_id, records.c.module, records.c.id)
Index("ix_records_modified", records.c.org_id, records.c.module, records.c.modified_at)

# Lookup fields, indexed both ways: which records point at ``target_id`` through ``field``.
# Serves lookup-backed related lists (a Lead's Notes, an Account's Deals) and deletions.
lookups = Table(
    "lookups",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("target_id", BigInteger, nullable=False),
    Column("module", Text, nullable=False),  # module of the record holding the field
    Column("field", Text, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "target_id", "module", "field", "record_id"),
)
Index("ix_lookups_record", lookups.c.org_id, lookups.c.record_id)

# Many-to-many links. ``left_id``/``right_id`` follow the relation's orientation in the catalog.
# WITHOUT ROWID on SQLite: the primary key's b-tree holds the row, so an insert writes two b-trees
# (that and ix_links_right) instead of three (rowid table, key autoindex, ix_links_right); a bulk
# relate's 100 inserts are a fifth cheaper in database work. Migration 4 rebuilds older databases.
links = Table(
    "links",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("relation", Text, nullable=False),
    Column("left_id", BigInteger, nullable=False),
    Column("right_id", BigInteger, nullable=False),
    Column("data", Text, nullable=False),  # JSON object of relation fields ("{}" when none)
    Column("created_by", BigInteger, nullable=False),
    Column("modified_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "relation", "left_id", "right_id"),
    sqlite_with_rowid=False,
)
Index("ix_links_right", links.c.org_id, links.c.relation, links.c.right_id, links.c.left_id)

# Append-only history of every link change, written in the same transaction as the change.
link_events = Table(
    "link_events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("org_id", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor_id", BigInteger, nullable=False),
    Column("relation", Text, nullable=False),
    # added | updated | removed | removed_by_delete
    Column("action", Text, nullable=False),
    Column("left_id", BigInteger, nullable=False),
    Column("right_id", BigInteger, nullable=False),
    Column("old_data", Text, nullable=True),
    Column("new_data", Text, nullable=True),
)
Index("ix_link_events_org", link_events.c.org_id, link_events.c.seq)

# The change log (migration 40): every record create/update/delete and every link change, one
# row each, written in the change's own transaction, numbered per org in commit order by
# ``change_counters`` (storage/changes.py says why a sequence would not do). It is the change
# feed (``GET /crm/{v}/__crmlink/changes``) and the outbox that notification deliveries read.
changes = Table(
    "changes",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor_id", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),  # record | link
    # record: created | updated | deleted; link: added | updated | removed | removed_by_delete
    Column("action", Text, nullable=False),
    Column("module", Text, nullable=True),  # record changes
    Column("record_id", BigInteger, nullable=True),
    Column("relation", Text, nullable=True),  # link changes
    Column("left_id", BigInteger, nullable=True),
    Column("right_id", BigInteger, nullable=True),
    # JSON. Records: the whole record on create (new) and delete (old), the changed fields'
    # values before and after on update. Links: the relation data, as in link_events.
    Column("old_data", Text, nullable=True),
    Column("new_data", Text, nullable=True),
    PrimaryKeyConstraint("org_id", "seq"),
)

# The last change number given out per org; updated in each writing transaction (its row lock
# is what orders the org's changes by commit on PostgreSQL).
change_counters = Table(
    "change_counters",
    metadata,
    Column("org_id", BigInteger, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)

# Notification channels (Zoho's ``/actions/watch``; migration 41). ``cursor`` is the last change
# (``changes.seq``) turned into deliveries for the channel; a delivery worker holds the channel
# while ``lease_until`` is in the future (``lease_owner`` names the process).
watch_channels = Table(
    "watch_channels",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("events", Text, nullable=False),  # JSON list of "Module.create|edit|delete"
    Column("notify_url", Text, nullable=False),
    Column("token", Text, nullable=True),
    Column("expires_at", BigInteger, nullable=False),
    Column("notify_on_related_action", Boolean, nullable=False),
    Column("return_affected_field_values", Boolean, nullable=False),
    Column("resource_base", Text, nullable=False),  # "https://host/crm/v2/" for resource_uri
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    Column("cursor", BigInteger, nullable=False),
    Column("lease_owner", Text, nullable=True),
    Column("lease_until", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "channel_id"),
)

# Notifications to send (migration 42): built from the change log per channel, in its order
# (``id`` ascending per channel), each delivered once it answered 2xx or given up after its
# attempts. ``attempts`` rows log every try.
deliveries = Table(
    "deliveries",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("first_seq", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("module", Text, nullable=False),
    Column("operation", Text, nullable=False),  # insert | update | delete
    Column("payload", Text, nullable=False),  # JSON body without server_time
    Column("notify_url", Text, nullable=False),
    Column("state", Text, nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("done_at", BigInteger, nullable=True),
    PrimaryKeyConstraint("org_id", "id"),
)
Index(
    "ix_deliveries_channel",
    deliveries.c.org_id,
    deliveries.c.channel_id,
    deliveries.c.state,
    deliveries.c.first_seq,
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("delivery_id", BigInteger, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("status_code", Integer, nullable=True),  # NULL: no answer (timeout, refused...)
    Column("latency_us", BigInteger, nullable=False),
    Column("error", Text, nullable=True),
    Column("worker", Text, nullable=False),
    PrimaryKeyConstraint("org_id", "delivery_id", "attempt"),
)

# API credits spent, per org and minute: the rolling 24-hour window sums the last 1,440 rows.
# Shared by every server process on the database; written only when a credit limit is set.
api_credits = Table(
    "api_credits",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("minute", BigInteger, nullable=False),  # Unix time // 60
    Column("used", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "minute"),
)

oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("client_id", Text, primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("redirect_uris", Text, nullable=False),  # JSON list
    Column("created_at", BigInteger, nullable=False),
)

oauth_grants = Table(
    "oauth_grants",
    metadata,
    Column("code_hash", Text, primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("scope", Text, nullable=False),
    Column("redirect_uri", Text, nullable=True),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    # Digest of the refresh token the exchange issued: a second use of the code revokes it
    # (RFC 6749 10.5). Added in migration 60.
    Column("refresh_hash", Text, nullable=True),
)

oauth_refresh_tokens = Table(
    "oauth_refresh_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("client_id", Text, nullable=True),
    Column("user_id", BigInteger, nullable=False),
    Column("scope", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

oauth_access_tokens = Table(
    "oauth_access_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("client_id", Text, nullable=True),
    Column("user_id", BigInteger, nullable=False),
    Column("scope", Text, nullable=False),
    Column("refresh_hash", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)
Index("ix_access_tokens_refresh", oauth_access_tokens.c.refresh_hash)

# A browser authorization in progress (``GET /oauth/v2/auth`` until consent or refusal). The
# cookie holds ``session`` (stored as ``session_hash``); each form carries a CSRF token (stored
# as ``csrf_hash``) that must match the session's. Added in migration 2.
oauth_auth_requests = Table(
    "oauth_auth_requests",
    metadata,
    Column("session_hash", Text, primary_key=True),
    Column("org_id", BigInteger, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("state", Text, nullable=True),
    Column("csrf_hash", Text, nullable=False),
    Column("user_id", BigInteger, nullable=True),  # set once the user has signed in
    Column("failures", Integer, nullable=False),  # failed sign-ins; the request dies after a few
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)
Index("ix_oauth_refresh_user", oauth_refresh_tokens.c.org_id, oauth_refresh_tokens.c.user_id)

# The contact-role picklist of an org (``/Contacts/roles``): the values Deals' Contact_Roles
# links carry. Added in migration 20, which also gives existing orgs Zoho's default roles.
contact_roles = Table(
    "contact_roles",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("sequence_number", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
    UniqueConstraint("org_id", "name", name="uq_contact_roles_name"),
)

# Failed browser sign-ins, counted across authorizations (migration 60). ``subject`` is
# ``address <client address>`` or ``email <email> address <client address>``; past a number of
# free failures each further one doubles a wait (capped), see ``domain/sign_in_limits.py``.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("subject", Text, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "subject"),
)

# Console sign-ins (migration 70): the SHA-256 digest of the session cookie's secret, per org.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("session_hash", Text, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "session_hash"),
)

# The recycle bin: what a delete leaves of a record (migration 16). A row is listed as
# ``recycle`` for ``Settings.recycle_bin_days`` after ``deleted_at``, then as ``permanent`` (its
# data, display name and users forgotten) for ``Settings.deleted_retention_days`` more, then
# purged (spec records-more §4). ``data`` keeps the record's fields while it is recyclable.
deleted_records = Table(
    "deleted_records",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("module", Text, nullable=False),
    Column("display_name", Text, nullable=True),
    Column("data", Text, nullable=True),
    Column("created_by", BigInteger, nullable=True),
    Column("deleted_by", BigInteger, nullable=True),
    Column("deleted_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
)
Index(
    "ix_deleted_records_module",
    deleted_records.c.org_id,
    deleted_records.c.module,
    deleted_records.c.deleted_at,
    deleted_records.c.id,
)

# Mass update jobs (``POST /{module}/actions/mass_update`` by criteria; migration 17). crmlink
# runs a job inside the call that schedules it, so a job is COMPLETED (or FAILED) when its id
# is first answered; the row keeps the counts ``GET .../actions/mass_update?job_id=`` reports.
mass_update_jobs = Table(
    "mass_update_jobs",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("module", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("total_count", Integer, nullable=False),
    Column("updated_count", Integer, nullable=False),
    Column("not_updated_count", Integer, nullable=False),
    Column("failed_count", Integer, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
)

# Files and links attached to a record (``/{module}/{id}/Attachments``). A file's bytes live in
# the blob store under ``blob_key`` (written before this row is committed); a link has
# ``link_url`` and no blob. Added in migration 30.
attachments = Table(
    "attachments",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("parent_id", BigInteger, nullable=False),
    Column("parent_module", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("blob_key", Text, nullable=True),
    Column("link_url", Text, nullable=True),
    Column("owner_id", BigInteger, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("modified_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
)
Index("ix_attachments_parent", attachments.c.org_id, attachments.c.parent_id, attachments.c.id)
Index("ix_attachments_blob", attachments.c.org_id, attachments.c.blob_key)

# A record's photo (``/{module}/{id}/photo``): one per record, bytes in the blob store.
# Added in migration 30.
record_photos = Table(
    "record_photos",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("blob_key", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "record_id"),
)
Index("ix_record_photos_blob", record_photos.c.org_id, record_photos.c.blob_key)

# Tags of a module (``/settings/tags``) and the records carrying them. ``name_key`` is the
# lower-cased name: names are unique per module whatever their case. Added in migration 31.
tags = Table(
    "tags",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("module", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),
    Column("color_code", Text, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("modified_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
    UniqueConstraint("org_id", "module", "name_key", name="uq_tags_name"),
)

# A tag on a record. Every change also writes a ``link_events`` row (relation ``tags``,
# left = record, right = tag), like any other relation.
record_tags = Table(
    "record_tags",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("tag_id", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "record_id", "tag_id"),
)
Index("ix_record_tags_tag", record_tags.c.org_id, record_tags.c.tag_id, record_tags.c.record_id)

# Converted leads (``/Leads/{id}/actions/convert``): the records each became. A converted lead
# stays a record but leaves ``GET /Leads`` unless ``converted=true|both``. Added in migration 32.
converted_leads = Table(
    "converted_leads",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("lead_id", BigInteger, nullable=False),
    Column("contact_id", BigInteger, nullable=False),
    Column("account_id", BigInteger, nullable=True),
    Column("deal_id", BigInteger, nullable=True),
    Column("converted_by", BigInteger, nullable=False),
    Column("converted_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "lead_id"),
)
