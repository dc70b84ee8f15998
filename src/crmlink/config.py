"""Settings, read once from ``CRMLINK_*`` environment variables (or given explicitly).

Every setting is documented in ``docs/configuration.md``; a test checks that the two agree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

# Zoho-like limits that ``--strict`` (CRMLINK_STRICT=true) turns on where none is configured
# (spec zoho-crm-v2.1.md §8): 5,000 credits a day is Zoho's Free edition; 10 concurrent
# requests per user and app is its Standard edition.
STRICT_API_CREDITS_PER_DAY = 5_000
STRICT_MAX_CONCURRENT_REQUESTS = 10
# Zoho's attachment limit: 100 MB per file (spec zoho-crm-v2.1-records-more.md §8).
ZOHO_MAX_UPLOAD_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server, the CLI and the tests configure."""

    #: Directory holding the embedded SQLite database (``crmlink.db``).
    data_dir: Path = Path(".crmlink")
    #: SQLAlchemy-style URL; empty means SQLite under ``data_dir``. ``postgresql://...`` in production.
    database_url: str = ""
    #: Connections per server process to PostgreSQL (also the most writes it runs at once;
    #: as many again may open for bursts). SQLite keeps its own small pool.
    db_pool_size: int = 10
    #: Interface and port ``crmlink serve`` binds to.
    host: str = "127.0.0.1"
    port: int = 8000
    #: The ``api_domain`` returned by the token endpoint; empty means the request's own origin.
    api_domain: str = ""
    #: Largest request body accepted, in bytes; larger bodies get 413 without being read further.
    max_body_bytes: int = 5 * 1024 * 1024
    #: Largest attachment upload body, in bytes (Zoho's 100 MB per file by default); its own
    #: setting because uploads are streamed to the blob store, never held in memory.
    max_upload_bytes: int = ZOHO_MAX_UPLOAD_BYTES
    #: Where attachment and photo bytes live: empty means files under ``data_dir/blobs``;
    #: ``s3://bucket[/prefix]`` an S3-compatible store (credentials from the usual AWS variables).
    blob_url: str = ""
    #: Endpoint of the S3-compatible store (MinIO, moto, ...); empty means AWS itself.
    s3_endpoint_url: str = ""
    #: Region of the S3 bucket.
    s3_region: str = "us-east-1"
    #: API credits per org over a rolling 24 hours (0 = unlimited).
    api_credits_per_day: int = 0
    #: Concurrent requests per user and client (0 = unlimited).
    max_concurrent_requests: int = 0
    #: Lifetime of access tokens and grant tokens, in seconds.
    access_token_ttl: int = 3600
    grant_token_ttl: int = 180
    #: Zoho-like limits where none is set (STRICT_API_CREDITS_PER_DAY, STRICT_MAX_CONCURRENT_REQUESTS).
    strict: bool = False
    #: Days the change feed keeps changes (older ones are pruned by the server; 0 = keep all).
    changes_retention_days: int = 30
    #: Where notifications may go (domain/url_policy.py): public, loopback, any, URL prefixes.
    notify_allow: str = "public"
    #: Run the notification delivery worker in this server process.
    notify_worker: bool = True
    #: Timeout of one notification POST, in milliseconds.
    notify_timeout_ms: int = 10_000
    #: Tries per notification before it is marked failed (the channel then moves on).
    notify_max_attempts: int = 8
    #: Largest receiver answer read, in bytes (the rest is not read).
    notify_max_response_bytes: int = 65_536
    #: Failed browser sign-ins allowed, across authorizations, for one email at one client
    #: address and for one client address, before each further one must wait (30 s, doubling,
    #: at most 15 min; 0 = no limit). See docs/auth.md, "Security model".
    sign_in_failures_per_email: int = 5
    sign_in_failures_per_address: int = 20
    #: Days a deleted record stays in the recycle bin (listed as ``recycle``; Zoho: 60).
    recycle_bin_days: int = 60
    #: Days a record is then still listed as ``permanent``, before it is purged (Zoho: 120).
    deleted_retention_days: int = 120
    #: Key of the admin API (``/__crmlink/...``: test orgs, fault rules, clock, request log); empty
    #: turns the admin API off. ``--demo`` and the pytest plugin set one.
    admin_key: str = ""
    #: The web console at ``/`` and ``/console/...`` (docs/console.md); off: those paths answer 404.
    console: bool = True
    #: Lifetime of a console sign-in, in seconds.
    console_session_ttl: int = 12 * 3600
    #: Log level of the server (``warning`` hides request logs; nothing secret is ever logged).
    log_level: str = "info"

    @property
    def credit_limit(self) -> int:
        """API credits per org per rolling 24 hours in force (0 = unlimited)."""
        if self.api_credits_per_day or not self.strict:
            return self.api_credits_per_day
        return STRICT_API_CREDITS_PER_DAY

    @property
    def concurrency_limit(self) -> int:
        """Concurrent requests per user and client, per process, in force (0 = unlimited)."""
        if self.max_concurrent_requests or not self.strict:
            return self.max_concurrent_requests
        return STRICT_MAX_CONCURRENT_REQUESTS

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'crmlink.db').resolve()}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``CRMLINK_<NAME>`` variables, then apply explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"CRMLINK_{f.name.upper()}")
            if raw is None:
                continue
            default = f.default
            if isinstance(default, bool):
                values[f.name] = raw.lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, Path):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        settings = cls(**values)
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **clean) if clean else settings

    @classmethod
    def env_names(cls) -> list[str]:
        return [f"CRMLINK_{f.name.upper()}" for f in fields(cls)]
