"""The browser authorization in a real headless Chromium (Selenium) against a real ``crmlink serve``.

A user signs in and consents; the browser lands on a local redirect target with ``code``; the
code is exchanged at the token endpoint and the token reads the API. A second run refuses
(``error=access_denied``), and a forged CSRF token is rejected. Needs Debian's ``chromium`` and
``chromium-driver`` (``scripts/ensure-chromium.sh`` installs them); skipped when they are
missing, except under ``CI=true``, where a missing browser fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from click.testing import CliRunner

from crmlink.cli import main
from tests.servers import crmlink_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PASSWORD = "browser-test-pass"
SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.users.READ"
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (scripts/ensure-chromium.sh installs it)"
    return None


@dataclass
class Callback:
    """A tiny HTTP server standing in for the client app's redirect URI."""

    server: ThreadingHTTPServer
    hits: list[dict[str, list[str]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/callback"

    def wait(self, count: int, timeout: float = 15) -> dict[str, list[str]]:
        deadline = time.monotonic() + timeout
        while len(self.hits) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.hits) >= count, "the browser never reached the redirect URI"
        return self.hits[count - 1]


@pytest.fixture
def callback() -> Iterator[Callback]:
    hits: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/callback":  # not the browser's /favicon.ico
                hits.append(parse_qs(url.query))
            body = b"<!doctype html><title>client app</title><p id=done>received</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Callback(server, hits)
    server.shutdown()
    server.server_close()


@dataclass
class Served:
    base: str
    client_id: str
    client_secret: str
    log: Path


def _cli(*args: str, input: str | None = None) -> Any:
    result = CliRunner().invoke(main, [*args, "--json"], input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def served(tmp_path: Path, callback: Callback) -> Iterator[Served]:
    """``crmlink serve`` in a subprocess on a free port, with a client registered for ``callback``."""
    data = str(tmp_path / "data")
    _cli("users", "set-password", "admin@example.com", "--password-stdin", "--data-dir", data, input=PASSWORD)
    client = _cli(
        "clients", "add", "--name", "Browser Test App", "--redirect-uri", callback.url, "--data-dir", data
    )
    with crmlink_server(tmp_path, "--log-level", "debug") as server:
        yield Served(server.base_url, client["client_id"], client["client_secret"], server.log_path)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    problem = _missing()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run under CI=true: {problem}")
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chrome-profile'}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chrome-profile", ignore_errors=True)


def _auth_url(served: Served, callback: Callback, state: str) -> str:
    query = {
        "scope": SCOPE,
        "client_id": served.client_id,
        "response_type": "code",
        "redirect_uri": callback.url,
        "access_type": "offline",
        "state": state,
    }
    return f"{served.base}/oauth/v2/auth?{urlencode(query)}"


def _wait_for_title(driver: Any, title: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 15).until(lambda d: d.title == title)


def _sign_in(driver: Any, served: Served, callback: Callback, state: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(_auth_url(served, callback, state))
    assert "Browser Test App" in driver.page_source
    driver.find_element(By.ID, "email").send_keys("admin@example.com")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    _wait_for_title(driver, "Allow access?")
    assert "ZohoCRM.users.READ" in driver.page_source


def test_sign_in_consent_exchange_and_call(browser: Any, served: Served, callback: Callback) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(browser, served, callback, "first")
    browser.find_element(By.ID, "accept").click()
    hit = callback.wait(1)
    assert hit["state"] == ["first"] and browser.current_url.startswith(callback.url)
    token = httpx.post(
        f"{served.base}/oauth/v2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": served.client_id,
            "client_secret": served.client_secret,
            "redirect_uri": callback.url,
            "code": hit["code"][0],
        },
    ).json()
    assert token["token_type"] == "Bearer" and token["api_domain"] == served.base
    me = httpx.get(
        f"{served.base}/crm/v2.1/users?type=CurrentUser",
        headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"},
    )
    assert me.status_code == 200 and me.json()["users"][0]["email"] == "admin@example.com"
    leads = httpx.get(
        f"{served.base}/crm/v2.1/Leads", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert leads.status_code in (200, 204)

    # Second run: the user refuses.
    _sign_in(browser, served, callback, "second")
    browser.find_element(By.ID, "reject").click()
    refused = callback.wait(2)
    assert refused == {"error": ["access_denied"], "state": ["second"]}

    # Nothing secret in the server's log, even at debug level.
    log = served.log.read_text()
    for secret in (
        hit["code"][0],
        token["access_token"],
        token["refresh_token"],
        served.client_secret,
        PASSWORD,
    ):
        assert secret not in log


def test_a_forged_csrf_token_is_rejected(browser: Any, served: Served, callback: Callback) -> None:
    from selenium.webdriver.common.by import By

    browser.get(_auth_url(served, callback, "forged"))
    browser.execute_script("document.querySelector('input[name=csrf_token]').value = 'forged-token'")
    browser.find_element(By.ID, "email").send_keys("admin@example.com")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    _wait_for_title(browser, "Authorization failed")
    assert "was not sent by this site" in browser.page_source
    assert callback.hits == []
