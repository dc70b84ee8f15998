"""Fixtures shared by the whole suite.

Every storage-touching test runs on SQLite and on PostgreSQL through the parametrized
``database_url`` fixture. PostgreSQL gets one fresh database per test session (dropped at the
end); each test gets its own org in it (``org``), which isolates tests the same way orgs
isolate tenants. An unreachable PostgreSQL fails every test that needs it: the suite never
skips an engine (``make test`` starts the local cluster first, ``scripts/ensure-postgres.sh``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from litestar.testing import TestClient

from crmlink.api.context import Services
from crmlink.app import create_app, open_services
from crmlink.config import Settings
from tests.factories import OrgFactory, TestOrg

PG_ADMIN_DSN = os.environ.get("CRMLINK_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _require_pg() -> None:
    problem = _pg_available()
    if problem is not None:
        pytest.fail(
            f"PostgreSQL is unreachable at {PG_ADMIN_DSN} ({problem}): the suite runs every "
            "engine and never skips one. Start it (scripts/ensure-postgres.sh) or point "
            "CRMLINK_TEST_PG_DSN at a server.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session; its URL."""
    _require_pg()
    name = f"crmlink_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "crmlink.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of the engine under test (session-wide, one per engine)."""
    fixture = "sqlite_database" if request.param == "sqlite" else "pg_database"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(scope="session")
def services(database_url: str) -> Iterator[Services]:
    # Loopback notify URLs allowed (the tests' receivers run in the test process).
    svc = open_services(Settings(database_url=database_url, notify_allow="loopback", notify_timeout_ms=3000))
    yield svc
    svc.db.dispose()


@pytest.fixture(scope="session")
def client(services: Services) -> Iterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(services.settings, services)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def org(services: Services) -> TestOrg:
    """A fresh org with an administrator and a full-scope token: the usual test subject."""
    return OrgFactory(services).create()


@pytest.fixture
def orgs(services: Services) -> OrgFactory:
    return OrgFactory(services)


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A PostgreSQL database of its own for one test (live-server tests that break things)."""
    _require_pg()
    name = f"crmlink_live_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def live_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of its own for one live-server test, on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'live.db'}"
    url: str = request.getfixturevalue("fresh_pg_url")
    return url
