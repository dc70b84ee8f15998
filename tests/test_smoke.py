"""A real ``crmlink serve --demo`` process, spoken to over HTTP, as a user would."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.servers import crmlink_server


def test_serve_demo_creates_and_reads_a_lead(tmp_path: Path) -> None:
    with crmlink_server(tmp_path, "--demo") as server:
        match = None
        for _ in range(50):
            match = re.search(r"access token\s+(1000\.[0-9a-f]+\.[0-9a-f]+)", server.log())
            if match:
                break
        assert match, server.log()
        headers = {"Authorization": f"Zoho-oauthtoken {match.group(1)}"}
        with httpx.Client(base_url=server.base_url, headers=headers) as http:
            demo = http.get("/crm/v2.1/Leads")
            assert demo.status_code == 200 and demo.json()["info"]["count"] >= 5
            created = http.post("/crm/v2.1/Leads", json={"data": [{"Last_Name": "Smoke", "Company": "Test"}]})
            assert created.status_code == 201
            lead_id = created.json()["data"][0]["details"]["id"]
            got = http.get(f"/crm/v2/Leads/{lead_id}")
            assert got.json()["data"][0]["Last_Name"] == "Smoke"
            fields = http.get("/crm/v2.1/settings/fields", params={"module": "Leads"})
            assert any(
                f["api_name"] == "Last_Name" and f["system_mandatory"] for f in fields.json()["fields"]
            )
    assert "Traceback" not in server.log()
