"""``crmlink serve --demo`` in a real subprocess: the credentials it prints all work."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.servers import crmlink_server


def _field(output: str, label: str) -> str:
    found = re.search(rf"^  {label}\s+(\S+)", output, re.MULTILINE)
    assert found, output
    return found.group(1)


def test_demo_prints_working_credentials(tmp_path: Path) -> None:
    with crmlink_server(tmp_path, "--demo") as server:
        output = server.log()
        assert output.count("hold secrets") == 1  # said once, above the credentials
        client_id, secret = _field(output, "client id"), _field(output, "client secret")
        refresh_token, access_token = _field(output, "refresh token"), _field(output, "access token")
        assert (
            "admin@example.com (Administrator)" in output
            and "curl -H 'Authorization: Zoho-oauthtoken" in output
        )
        leads = httpx.get(
            f"{server.base_url}/crm/v2.1/Leads", headers={"Authorization": f"Zoho-oauthtoken {access_token}"}
        )
        assert leads.status_code == 200 and len(leads.json()["data"]) == 6
        form = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": secret,
            "refresh_token": refresh_token,
        }
        renewed = httpx.post(f"{server.base_url}/oauth/v2/token", data=form).json()
        assert set(renewed) == {"access_token", "api_domain", "token_type", "expires_in"}
        assert renewed["api_domain"] == server.base_url
    # The database file and its write-ahead log: no secret in either.
    db = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir() if p.is_file())
    for secret_value in (secret, refresh_token, access_token, renewed["access_token"]):
        assert secret_value.encode() not in db


def test_a_second_demo_start_rotates_the_client_secret(tmp_path: Path) -> None:
    with crmlink_server(tmp_path, "--demo") as first:
        old, client_id = _field(first.log(), "client secret"), _field(first.log(), "client id")
    with crmlink_server(tmp_path, "--demo") as second:
        output = second.log()
        assert _field(output, "client id") == client_id and _field(output, "client secret") != old
        assert "password unchanged" in output
        form = {"grant_type": "refresh_token", "client_id": client_id, "client_secret": old,
                "refresh_token": _field(output, "refresh token")}  # fmt: skip
        assert httpx.post(f"{second.base_url}/oauth/v2/token", data=form).json() == {
            "error": "invalid_client"
        }
