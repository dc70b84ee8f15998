"""Fixtures for tests that talk to a real crmlink over HTTP.

``live_server`` is one ``crmlink serve`` subprocess per engine for the whole session: SQLite in
a temporary data dir, PostgreSQL in a database of its own (created here, dropped at the end; an
unreachable PostgreSQL skips, or fails under ``CI=true``, exactly as ``pg_database`` does).
Servers start on first use and are shared by every test that asks for the same engine.
``inprocess_app`` is the same app in process (Litestar's ``TestClient``, an ``httpx.Client``) on
a fresh database per engine. ``demo_server`` is ``crmlink serve --demo`` on SQLite, as a user
starts it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar.testing import TestClient

from crmlink.api.context import Services
from crmlink.app import create_app, open_services
from crmlink.config import Settings
from tests.factories import OrgFactory, TestOrg
from tests.live.official_sdks.venvs import ZCRMSDK_3_1, ZOHOCRMSDK_2_1, ensure_venv, python_of
from tests.live.server import LiveServer, fresh_pg_database, serve

ENGINES = ["sqlite", "postgresql"]


class LivePool:
    """Starts what it is asked for once per engine and stops everything at session end."""

    def __init__(self, request: pytest.FixtureRequest, tmp: pytest.TempPathFactory) -> None:
        self._request = request
        self._tmp = tmp
        self._stack = ExitStack()
        self._servers: dict[str, LiveServer] = {}
        self._apps: dict[str, InProcessApp] = {}

    def database_url(self, engine: str, what: str) -> tuple[str, Path]:
        workdir: Path = self._tmp.mktemp(f"{what}-{engine}")
        if engine == "sqlite":
            return f"sqlite:///{workdir / 'data' / 'crmlink.db'}", workdir
        self._request.getfixturevalue("pg_database")  # the suite's availability check
        return self._stack.enter_context(fresh_pg_database()), workdir

    def server(self, engine: str) -> LiveServer:
        if engine not in self._servers:
            url, workdir = self.database_url(engine, "live")
            database_url = url if engine == "postgresql" else None
            self._servers[engine] = self._stack.enter_context(
                serve(engine, workdir, database_url=database_url)
            )
        return self._servers[engine]

    def app(self, engine: str) -> InProcessApp:
        if engine not in self._apps:
            url, workdir = self.database_url(engine, "app")
            (workdir / "data").mkdir(exist_ok=True)
            services = open_services(Settings(database_url=url))
            self._stack.callback(services.db.dispose)
            test_client = self._stack.enter_context(TestClient(create_app(services.settings, services)))
            self._apps[engine] = InProcessApp(engine, services, test_client)
        return self._apps[engine]

    def close(self) -> None:
        self._stack.close()


@dataclass
class InProcessApp:
    engine: str
    services: Services
    http: TestClient  # type: ignore[type-arg]

    def new_org(self) -> TestOrg:
        return OrgFactory(self.services).create()


@pytest.fixture(scope="session")
def live_pool(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePool]:
    pool = LivePool(request, tmp_path_factory)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session", params=ENGINES)
def live_server(request: pytest.FixtureRequest, live_pool: LivePool) -> LiveServer:
    return live_pool.server(request.param)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir: Path = tmp_path_factory.mktemp("demo")
    with serve("sqlite", workdir, "--demo") as server:
        yield server


@pytest.fixture(scope="session")
def zohocrmsdk21_python() -> Path:
    """The python of the cached venv holding ``zohocrmsdk2-1==3.0.0`` (built on first use)."""
    return python_of(ensure_venv(ZOHOCRMSDK_2_1))


@pytest.fixture(scope="session")
def zcrmsdk31_python() -> Path:
    """The python of the cached venv holding ``zcrmsdk==3.1.0`` (built on first use)."""
    return python_of(ensure_venv(ZCRMSDK_3_1))
