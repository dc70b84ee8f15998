"""A ``crmlink serve`` process for tests, and the org each test gets from it.

``CrmlinkServer.start()`` runs the server as a subprocess on a free port with a temporary SQLite
database (or the database URL given) and a random admin key; ``server.new_org()`` creates an
isolated org through the admin API and answers a ``CrmOrg``: everything a test needs to point
Zoho's official SDK, ``crmlink_client`` or raw HTTP at it, plus ``faults``, ``clock`` and the
request log, and ``load()`` to seed it with data files. Only httpx is needed (a dependency of
crmlink's client and tests alike).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ADMIN_HEADER = "X-Crmlink-Admin-Key"
_FILE_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "ndjson"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class CrmlinkServer:
    """A crmlink server the tests own (started here) or share (``url`` and ``admin_key`` given)."""

    def __init__(
        self,
        base_url: str,
        admin_key: str,
        process: subprocess.Popen[bytes] | None = None,
        workdir: Path | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_key = admin_key
        self.process = process
        self.workdir = workdir
        self.admin = httpx.Client(base_url=self.base_url, headers={ADMIN_HEADER: admin_key}, timeout=30)

    @classmethod
    def start(cls, database_url: str | None = None, *, timeout: float = 120.0) -> CrmlinkServer:
        """``crmlink serve`` on a free port of 127.0.0.1; its log is ``workdir/serve.log``."""
        workdir = Path(tempfile.mkdtemp(prefix="crmlink-test-"))
        port = _free_port()
        key = secrets.token_urlsafe(24)
        env = {
            **os.environ,
            "CRMLINK_DATA_DIR": str(workdir / "data"),
            "CRMLINK_ADMIN_KEY": key,
            "CRMLINK_LOG_LEVEL": os.environ.get("CRMLINK_LOG_LEVEL", "warning"),
        }
        if database_url:
            env["CRMLINK_DATABASE_URL"] = database_url
        else:
            env.pop("CRMLINK_DATABASE_URL", None)
        log = (workdir / "serve.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "crmlink", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log.close()
        server = cls(f"http://127.0.0.1:{port}", key, process, workdir)
        server._wait(timeout)
        return server

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"crmlink serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                # Any answer will do (401 here): the server is up. A cheap route, not the
                # OpenAPI description, which is built on its first call.
                httpx.get(f"{self.base_url}/crm/v2.1/settings/modules", timeout=5.0)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"crmlink serve did not come up:\n{self.log()}")

    def log(self) -> str:
        if self.workdir is None:
            return ""
        path = self.workdir / "serve.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self.admin.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> CrmlinkServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """An admin API call; raises on an error answer, returns the JSON answer."""
        response = self.admin.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"admin {method} {path}: {response.status_code} {response.text}")
        return response.json()

    def new_org(self, **options: Any) -> CrmOrg:
        """A fresh org with an administrator, a self client and tokens (``POST /__crmlink/orgs``)."""
        body = self.call("POST", "/__crmlink/orgs", json=options)
        return CrmOrg(server=self, **{k: body[k] for k in CrmOrg.FIELDS})


@dataclass
class Faults:
    """The fault rules of one org: ``crm.faults.add("error", path="/crm/*/Leads", code=...)``."""

    org: CrmOrg

    def add(
        self,
        action: str,
        path: str = "*",
        *,
        method: str | None = None,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
        code: str | None = None,
        status: int | None = None,
        message: str | None = None,
        delay_ms: int | None = None,
        all_orgs: bool = False,
    ) -> dict[str, Any]:
        """Add a rule (``action``: ``error``, ``delay`` or ``close``); it fires for the next
        ``times`` matching calls of this org (1 by default), or with ``probability``."""
        spec: dict[str, Any] = {"action": action, "path": path}
        optional = {
            "method": method,
            "times": times,
            "probability": probability,
            "seed": seed,
            "code": code,
            "status": status,
            "message": message,
            "delay_ms": delay_ms,
        }
        spec.update({k: v for k, v in optional.items() if v is not None})
        if not all_orgs:
            spec["org_id"] = self.org.org_id
        result: dict[str, Any] = self.org.server.call("POST", "/__crmlink/faults", json=spec)
        return result

    def rules(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self.org.server.call(
            "GET", "/__crmlink/faults", params={"org_id": self.org.org_id}
        )["faults"]
        return rules

    def log(self) -> list[dict[str, Any]]:
        firings: list[dict[str, Any]] = self.org.server.call(
            "GET", "/__crmlink/faults/log", params={"org_id": self.org.org_id}
        )["firings"]
        return firings

    def clear(self) -> int:
        removed: int = self.org.server.call(
            "DELETE", "/__crmlink/faults", params={"org_id": self.org.org_id}
        )["removed"]
        return removed


@dataclass
class OrgClock:
    """The org's clock: ``crm.clock.advance(3601)`` expires its access tokens."""

    org: CrmOrg

    def advance(self, seconds: float) -> dict[str, Any]:
        path = f"/__crmlink/orgs/{self.org.org_id}/clock"
        result: dict[str, Any] = self.org.server.call("POST", path, json={"advance_seconds": seconds})
        return result

    def reset(self) -> dict[str, Any]:
        path = f"/__crmlink/orgs/{self.org.org_id}/clock"
        result: dict[str, Any] = self.org.server.call("POST", path, json={"reset": True})
        return result


@dataclass
class CrmOrg:
    """One org of a test server, with its credentials and its testkit handles."""

    FIELDS = (
        "org_id",
        "org_name",
        "user",
        "client_id",
        "client_secret",
        "refresh_token",
        "access_token",
        "api_domain",
        "accounts_url",
        "scope",
    )

    server: CrmlinkServer
    org_id: str
    org_name: str
    user: dict[str, str]
    client_id: str
    client_secret: str
    refresh_token: str
    access_token: str
    api_domain: str
    accounts_url: str
    scope: str
    faults: Faults = field(init=False)
    clock: OrgClock = field(init=False)

    def __post_init__(self) -> None:
        self.faults = Faults(self)
        self.clock = OrgClock(self)

    @property
    def base_url(self) -> str:
        return self.api_domain

    @property
    def token_url(self) -> str:
        return f"{self.accounts_url}/oauth/v2/token"

    @property
    def email(self) -> str:
        return self.user["email"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {self.access_token}"}

    def http(self) -> httpx.Client:
        """An httpx client on the API with this org's access token."""
        return httpx.Client(base_url=self.api_domain, headers=self.headers, timeout=30)

    def client(self, **options: Any) -> Any:
        """A ``crmlink_client.Client`` for this org that gets and renews its own tokens."""
        from crmlink_client import Client

        return Client(
            self.api_domain, self.token_url, self.client_id, self.client_secret, self.refresh_token, **options
        )

    def requests(self, since: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """The org's last API calls (oldest first), as the request log keeps them."""
        params: dict[str, Any] = {"since": since}
        if limit is not None:
            params["limit"] = limit
        entries: list[dict[str, Any]] = self.server.call(
            "GET", f"/__crmlink/orgs/{self.org_id}/requests", params=params
        )["requests"]
        return entries

    def format_requests(self, limit: int = 50) -> str:
        """The request log as a person reads it after a failure."""
        lines = []
        for e in self.requests(limit=limit):
            query = f"?{e['query']}" if e["query"] else ""
            fault = f"  [fault rule {e['fault_rule']}]" if e["fault_rule"] else ""
            lines.append(
                f"#{e['seq']} {e['method']} {e['path']}{query} -> {e['status']} ({e['latency_ms']} ms){fault}"
            )
            if e["body"]:
                lines.append(f"    sent: {e['body']}")
            if e["answer"]:
                lines.append(f"    got:  {e['answer']}")
        return "\n".join(lines) if lines else "(no API calls)"

    def add_user(
        self, profile: str = "Standard", email: str | None = None, name: str = "Test User"
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"profile": profile, "name": name}
        if email:
            body["email"] = email
        result: dict[str, Any] = self.server.call("POST", f"/__crmlink/orgs/{self.org_id}/users", json=body)
        return result

    def load(
        self,
        data: str | os.PathLike[str] | Iterable[dict[str, Any]],
        module: str | None = None,
        *,
        format: str | None = None,
    ) -> dict[str, Any]:
        """Load records of ``module`` (or links) as ``crmlink load`` does, through the admin API
        (``POST /__crmlink/orgs/{org_id}/load``): ``data`` is a file's path (CSV, ``.json``,
        ``.jsonl``/``.ndjson``; streamed) or rows as the API takes them (sent as JSON).

        Returns ``{"loaded", "failed", "errors", "errors_truncated"}``: rows the API would refuse
        are left out and listed, not raised; an unreadable file or unknown module raises.
        """
        path = f"/__crmlink/orgs/{self.org_id}/load"
        params = {k: v for k, v in (("module", module), ("format", format)) if v}
        if isinstance(data, str | os.PathLike):
            file = Path(data)
            kind = format or _FILE_FORMATS.get(file.suffix.lower())
            if kind is None:
                raise ValueError(f"cannot tell the format of {file.name}: give format=csv|json|ndjson")
            params["format"] = kind
            with file.open("rb") as body:
                result: dict[str, Any] = self.server.call("POST", path, params=params, content=body)
            return result
        rows = list(data)
        result = self.server.call("POST", path, params={**params, "format": "json"}, json={"data": rows})
        return result

    def snapshot(self) -> str:
        """Snapshot the org's data (records, links, events); the snapshot's id."""
        body = self.server.call("POST", f"/__crmlink/orgs/{self.org_id}/snapshots")
        snapshot_id: str = body["snapshot_id"]
        return snapshot_id

    def restore(self, snapshot_id: str) -> None:
        """Put the org's data back as ``snapshot_id`` holds it (users, clients, tokens stay)."""
        self.server.call("POST", f"/__crmlink/orgs/{self.org_id}/snapshots/{snapshot_id}/restore")

    def reset(self) -> None:
        """Empty the org's data, keeping its user, client and tokens."""
        self.server.call("POST", f"/__crmlink/orgs/{self.org_id}/reset")

    def delete(self) -> None:
        self.server.call("DELETE", f"/__crmlink/orgs/{self.org_id}")

    def zoho_sdk_environment(self) -> Any:
        """A ``DataCenter.Environment`` of Zoho's official v2.1 SDK (``zohocrmsdk2-1``) for this
        server, to pass to ``Initializer.initialize`` with ``self.client_id``, ``self.client_secret``
        and ``self.refresh_token``."""
        from zcrmsdk.src.com.zoho.crm.api.dc.data_center import (  # type: ignore[import-not-found]
            DataCenter,
        )

        return DataCenter.Environment(self.api_domain, self.token_url, self.api_domain, "crmlink")
