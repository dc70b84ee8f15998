"""Settings, read once from ``CRMLINK_*`` environment variables (or given explicitly).

Every setting is documented in ``docs/configuration.md``; a test checks that the two agree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server, the CLI and the tests configure."""

    #: Directory holding the embedded SQLite database (``crmlink.db``).
    data_dir: Path = Path(".crmlink")
    #: SQLAlchemy-style URL; empty means SQLite under ``data_dir``. ``postgresql://...`` in production.
    database_url: str = ""
    #: Interface and port ``crmlink serve`` binds to.
    host: str = "127.0.0.1"
    port: int = 8000
    #: The ``api_domain`` returned by the token endpoint; empty means the request's own origin.
    api_domain: str = ""
    #: Largest request body accepted, in bytes; larger bodies get 413 without being read further.
    max_body_bytes: int = 5 * 1024 * 1024
    #: API credits per org over a rolling 24 hours (0 = unlimited).
    api_credits_per_day: int = 0
    #: Concurrent requests per user and client (0 = unlimited).
    max_concurrent_requests: int = 0
    #: Lifetime of access tokens and grant tokens, in seconds.
    access_token_ttl: int = 3600
    grant_token_ttl: int = 180
    #: Log level of the server (``warning`` hides request logs; nothing secret is ever logged).
    log_level: str = "info"

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
