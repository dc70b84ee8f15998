"""A real ``crmlink serve`` subprocess and the ``crmlink`` CLI, for tests that go over a socket.

Credentials are minted the way a user mints them: ``crmlink clients add --json``, then
``crmlink token --client ... --json``, which returns a refresh token that callers exchange at the
server's own ``POST /oauth/v2/token``. Nothing here reaches into the server's storage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.servers import Server, crmlink_server

#: Everything an API client of these tests may need (records, metadata, users, org).
FULL_SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.ALL,ZohoCRM.org.ALL"
ADMIN_EMAIL = "admin@example.com"
PG_ADMIN_DSN = os.environ.get("CRMLINK_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Credentials:
    """An OAuth client and a refresh token for one user, as ``crmlink`` printed them."""

    client_id: str
    client_secret: str
    refresh_token: str
    email: str
    scope: str


@dataclass
class LiveServer:
    """A running ``crmlink serve`` and the storage flags the CLI needs to reach its database."""

    engine: str
    server: Server
    storage_args: list[str]
    _credentials: dict[tuple[str, str], Credentials] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.base_url

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth/v2/token"

    def cli(self, *args: str) -> Any:
        """Run ``crmlink ARGS --json`` against this server's storage; its parsed JSON output."""
        return run_cli([*args, *self.storage_args, "--json"])

    def credentials(self, email: str = ADMIN_EMAIL, scope: str = FULL_SCOPE) -> Credentials:
        """A fresh OAuth client and refresh token for ``email`` (cached per email and scope)."""
        key = (email, scope)
        if key not in self._credentials:
            client = self.cli("clients", "add", "--name", f"tests-{uuid.uuid4().hex[:8]}")
            token = self.cli("token", "--user", email, "--scope", scope, "--client", client["client_id"])
            self._credentials[key] = Credentials(
                client_id=client["client_id"],
                client_secret=client["client_secret"],
                refresh_token=token["refresh_token"],
                email=email,
                scope=scope,
            )
        return self._credentials[key]

    def credentials_via_grant(self, email: str = ADMIN_EMAIL, scope: str = FULL_SCOPE) -> Credentials:
        """Credentials the way docs/clients.md gets them: a self client, a grant token from
        ``crmlink grant``, exchanged once at ``POST /oauth/v2/token`` for a refresh token."""
        client = self.cli("clients", "add", "--name", f"docs-{uuid.uuid4().hex[:8]}")
        grant = self.cli("grant", "--client", client["client_id"], "--user", email, "--scope", scope)
        response = httpx.post(
            self.token_url,
            data={
                "grant_type": "authorization_code",
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
                "code": grant["code"],
            },
            timeout=30,
        )
        body = response.json()
        assert "refresh_token" in body, body
        return Credentials(client["client_id"], client["client_secret"], body["refresh_token"], email, scope)

    def access_token(self, creds: Credentials) -> str:
        """Exchange ``creds``' refresh token at the server's token endpoint, as any client does."""
        response = httpx.post(
            self.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": creds.refresh_token,
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
            },
            timeout=30,
        )
        body = response.json()
        assert "access_token" in body, body
        return str(body["access_token"])

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.server.log().splitlines()[-lines:])


def run_cli(args: Sequence[str], timeout: float = 120) -> Any:
    """``python -m crmlink ARGS``; the parsed JSON of its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "crmlink", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"crmlink {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return json.loads(done.stdout)


@contextmanager
def serve(
    engine: str,
    workdir: Path,
    *extra: str,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[LiveServer]:
    """``crmlink serve`` on SQLite under ``workdir/data``, or on ``database_url``; stopped on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    storage = ["--database-url", database_url] if database_url else ["--data-dir", str(workdir / "data")]
    with crmlink_server(
        workdir, *extra, env={"CRMLINK_LOG_LEVEL": "warning", **(env or {})}, database_url=database_url
    ) as server:
        yield LiveServer(engine=engine, server=server, storage_args=storage)


@contextmanager
def fresh_pg_database(prefix: str = "crmlink_live") -> Iterator[str]:
    """A new, empty PostgreSQL database for one server; dropped afterwards. Its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
