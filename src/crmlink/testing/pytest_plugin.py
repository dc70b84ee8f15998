"""The pytest plugin (registered through the ``pytest11`` entry point ``crmlink``).

Fixtures:

* ``crmlink_server`` (session): ``crmlink serve`` in a subprocess on a free port with a
  temporary SQLite database (``--crmlink-database-url`` for another), or the running server
  given by ``--crmlink-url`` and ``--crmlink-admin-key``. Under pytest-xdist each worker starts
  its own.
* ``crm`` (function): a fresh org of that server (``crmlink.testing.CrmOrg``): base URL,
  accounts URL, client id and secret, refresh and access tokens, ``crm.faults``, ``crm.clock``,
  ``crm.requests()``, ``crm.client()``. The org is deleted after the test.

When a test that used ``crm`` fails, its report gets a section with the org's request log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from crmlink.testing.harness import CrmlinkServer, CrmOrg


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("crmlink", "crmlink test server")
    group.addoption("--crmlink-url", default=None, help="Use this running crmlink server.")
    group.addoption("--crmlink-admin-key", default=None, help="Admin key of the server of --crmlink-url.")
    group.addoption(
        "--crmlink-database-url",
        default=None,
        help="Database of the started server (default: temporary SQLite).",
    )


@pytest.fixture(scope="session")
def crmlink_server(request: pytest.FixtureRequest) -> Iterator[CrmlinkServer]:
    url = request.config.getoption("--crmlink-url")
    if url:
        key = request.config.getoption("--crmlink-admin-key")
        if not key:
            raise pytest.UsageError("--crmlink-url needs --crmlink-admin-key")
        server = CrmlinkServer(url, key)
        yield server
        server.admin.close()
        return
    server = CrmlinkServer.start(request.config.getoption("--crmlink-database-url"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def crm(crmlink_server: CrmlinkServer, request: pytest.FixtureRequest) -> Iterator[CrmOrg]:
    org = crmlink_server.new_org()
    request.node._crmlink_org = org
    try:
        yield org
    finally:
        # The server may be gone already; the test's own outcome matters more.
        with contextlib.suppress(Exception):
            org.delete()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    org: CrmOrg | None = getattr(item, "_crmlink_org", None)
    if org is None or report.when != "call" or not report.failed:
        return
    try:
        text = org.format_requests()
    except Exception as exc:  # the log is a help, never a second failure
        text = f"(request log unavailable: {exc})"
    report.sections.append(("crmlink requests", text))
