"""``POST /__crmlink/orgs/{org_id}/load``: ``crmlink load`` over HTTP, on both engines.

The same rows get the same errors as the CLI's report, bad rows store nothing, links load with
their relation data, an unreadable file or an unknown module is 400 and stores nothing, the
body is bounded by the upload limit, and the admin key guards it as every admin route."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from crmlink.api.context import Services
from crmlink.app import create_app, open_services
from crmlink.cli import main
from crmlink.config import Settings

KEY = "test-admin-key-load-0123456789"
ADMIN = {"X-Crmlink-Admin-Key": KEY}
LIMIT = 256 * 1024

LEADS_CSV = """Last Name,Company,Email,Annual Revenue,No. of Employees
Lima,Acme,ana@example.com,1000.5,12
,Globex,bo@example.com,,
Diaz,Initech,not-an-email,,
Ng,Umbrella,,lots,
Park,Hooli,park@example.com,,7
"""


@pytest.fixture(scope="module")
def admin_client(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:  # type: ignore[type-arg]
    data_dir = tmp_path_factory.mktemp("admin-load")  # where the blob store stages the bodies
    settings = Settings(data_dir=data_dir, database_url=database_url, admin_key=KEY, max_upload_bytes=LIMIT)
    svc: Services = open_services(settings)
    with TestClient(create_app(svc.settings, svc)) as test_client:
        yield test_client
    svc.db.dispose()


def new_org(client: TestClient) -> dict[str, Any]:  # type: ignore[type-arg]
    response = client.post("/__crmlink/orgs", json={}, headers=ADMIN)
    assert response.status_code == 201, response.text
    org: dict[str, Any] = response.json()
    return org


def load(
    client: TestClient,  # type: ignore[type-arg]
    org: dict[str, Any],
    body: str | bytes,
    content_type: str = "text/csv",
    **params: str,
) -> Any:
    return client.post(
        f"/__crmlink/orgs/{org['org_id']}/load",
        content=body,
        params=params,
        headers={**ADMIN, "Content-Type": content_type},
    )


def staged(client: TestClient) -> list[Path]:  # type: ignore[type-arg]
    """Files left in the blob store's staging directory (a load removes its spooled body)."""
    directory: Path = client.app.state["crm"].blobs.staging_dir
    return list(directory.glob("*")) if directory.exists() else []


def listed(client: TestClient, org: dict[str, Any], path: str) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    response = client.get(
        f"/crm/v2.1/{path}", headers={"Authorization": f"Zoho-oauthtoken {org['access_token']}"}
    )
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_a_leads_csv_loads_with_the_clis_row_errors(
    admin_client: TestClient,  # type: ignore[type-arg]
    database_url: str,
    tmp_path: Path,
) -> None:
    org = new_org(admin_client)
    response = load(admin_client, org, LEADS_CSV, module="Leads")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["loaded"], summary["failed"], summary["errors_truncated"]) == (2, 3, False)
    assert [(e["row"], e["code"]) for e in summary["errors"]] == [
        (2, "MANDATORY_NOT_FOUND"),
        (3, "INVALID_DATA"),
        (4, "INVALID_DATA"),
    ]
    assert staged(admin_client) == []
    # nothing of the bad rows is stored
    assert sorted(r["Last_Name"] for r in listed(admin_client, org, "Leads")) == ["Lima", "Park"]

    # the CLI, on the same file into another org, reports the same rows with the same errors
    other = new_org(admin_client)
    path = tmp_path / "Leads.csv"
    path.write_text(LEADS_CSV, encoding="utf-8")
    out = tmp_path / "report.csv"
    args = ["load", str(path), "--database-url", database_url, "--org", other["org_id"], "--report", str(out)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1 and "2 added, 3 left out" in result.output
    with out.open(newline="", encoding="utf-8") as f:
        reported = [
            {
                "row": int(r["row"]),
                "code": r["code"],
                "message": r["message"],
                "details": json.loads(r["details"]),
            }
            for r in csv.DictReader(f)
        ]
    assert reported == summary["errors"]


def test_json_records_and_a_links_file(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    org = new_org(admin_client)
    products = {"data": [{"Product_Name": "Laptop", "Unit_Price": 1499.5}, {"Product_Name": "Dock"}]}
    answer = load(admin_client, org, json.dumps(products), "application/json", module="Products")
    assert answer.json() == {"loaded": 2, "failed": 0, "errors": [], "errors_truncated": False}
    books = '{"Price_Book_Name": "Retail", "Pricing_Model": "Flat"}\n[1]\n'
    answer = load(admin_client, org, books, "application/x-ndjson", module="Price_Books")
    assert (answer.json()["loaded"], answer.json()["failed"]) == (1, 1)
    assert answer.json()["errors"][0]["row"] == 2
    product = {r["Product_Name"]: r["id"] for r in listed(admin_client, org, "Products")}
    (book,) = [r["id"] for r in listed(admin_client, org, "Price_Books")]
    links = (
        "Module,Parent Id,Related List,Related Id,list_price\n"
        f"Products,zcrm_{product['Laptop']},Price_Books,{book},1499\n"
        f"Products,12345,Price_Books,{book},1\n"
        f"Products,{product['Dock']},Nope,{book},1\n"
        f"Products,{product['Dock']},Price_Books,{book},199.5\n"
    )
    # a links file needs no module; format= wins over the Content-Type
    answer = load(admin_client, org, links, "application/octet-stream", format="csv")
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert (summary["loaded"], summary["failed"]) == (2, 2)
    assert [(e["row"], e["code"]) for e in summary["errors"]] == [(2, "INVALID_DATA"), (3, "INVALID_DATA")]
    prices = {
        p: [r["list_price"] for r in listed(admin_client, org, f"Products/{product[p]}/Price_Books")]
        for p in product
    }
    assert prices == {"Laptop": [1499.0], "Dock": [199.5]}


def test_errors_are_capped_with_a_flag(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    org = new_org(admin_client)
    body = "Last Name,Company\n" + ",nameless\n" * 1005 + "Kept,C\n"
    summary = load(admin_client, org, body, module="Leads").json()
    assert (summary["loaded"], summary["failed"], summary["errors_truncated"]) == (1, 1005, True)
    assert len(summary["errors"]) == 1000 and summary["errors"][-1]["row"] == 1000


def test_bad_calls_are_refused_and_store_nothing(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    org = new_org(admin_client)
    path = f"/__crmlink/orgs/{org['org_id']}/load"
    for headers in ({}, {"X-Crmlink-Admin-Key": KEY + "x"}):
        refused = admin_client.post(path, content=LEADS_CSV, params={"module": "Leads"}, headers=headers)
        assert refused.status_code == 401 and refused.json()["code"] == "AUTHENTICATION_FAILURE"

    unknown = load(admin_client, org, LEADS_CSV, module="Nope")
    assert unknown.status_code == 400 and unknown.json()["code"] == "INVALID_MODULE"
    assert unknown.json()["status"] == "error"
    no_module = load(admin_client, org, LEADS_CSV)
    assert no_module.status_code == 400 and no_module.json()["code"] == "REQUIRED_PARAM_MISSING"
    no_format = load(admin_client, org, LEADS_CSV, "application/octet-stream", module="Leads")
    assert no_format.status_code == 400 and no_format.json()["code"] == "REQUIRED_PARAM_MISSING"
    bad_format = load(admin_client, org, LEADS_CSV, module="Leads", format="xml")
    assert bad_format.status_code == 400 and bad_format.json()["code"] == "INVALID_DATA"
    no_org = admin_client.post(
        "/__crmlink/orgs/42/load", content=LEADS_CSV, params={"module": "Leads"}, headers=ADMIN
    )
    assert no_org.status_code == 400

    # unreadable: JSON broken after 1,500 good items (past the first batch), bad UTF-8 in CSV
    good = ",".join(json.dumps({"Last_Name": f"L{i}", "Company": "C"}) for i in range(1500))
    broken = load(admin_client, org, '{"data": [' + good + ", {oops", "application/json", module="Leads")
    assert broken.status_code == 400 and broken.json()["code"] == "INVALID_DATA", broken.text
    assert broken.json()["details"]["row"] == 1501
    latin = load(admin_client, org, "Last Name,Company\nM\xfcller,C\n".encode("latin-1"), module="Leads")
    assert latin.status_code == 400 and latin.json()["code"] == "INVALID_DATA"

    too_big = load(admin_client, org, "Last Name,Company\n" + "x,y\n" * (LIMIT // 4 + 1), module="Leads")
    assert too_big.status_code == 413 and too_big.json()["code"] == "REQUEST_ENTITY_TOO_LARGE"
    assert listed(admin_client, org, "Leads") == []
    assert staged(admin_client) == []


def test_a_real_server_streams_a_chunked_file_of_several_batches(live_database_url: str) -> None:
    """Over uvicorn, a body without Content-Length sent in small chunks: 2,500 rows, three
    batches; one bad row; then an unknown module refused before the body is read."""
    from crmlink.testing import CrmlinkServer

    def chunks() -> Iterator[bytes]:
        yield b"Last Name,Company\n"
        for i in range(2500):
            yield (f"Row {i},C\n" if i != 1700 else ",C\n").encode()

    with CrmlinkServer.start(live_database_url) as server:
        org = server.new_org()
        path = f"/__crmlink/orgs/{org.org_id}/load"
        headers = {"Content-Type": "text/csv"}
        answer = server.admin.post(path, params={"module": "Leads"}, content=chunks(), headers=headers)
        assert answer.status_code == 200, answer.text
        summary = answer.json()
        assert (summary["loaded"], summary["failed"]) == (2499, 1)
        assert summary["errors"][0]["row"] == 1701
        with org.http() as http:
            counted = http.get("/crm/v2.1/Leads/actions/count").json()
        assert counted == {"count": 2499}
        unknown = server.admin.post(path, params={"module": "Nope"}, content=chunks(), headers=headers)
        assert unknown.status_code == 400 and unknown.json()["code"] == "INVALID_MODULE"
        wrong = httpx.post(
            f"{server.base_url}{path}", params={"module": "Leads"}, content=b"Last Name\nx\n", headers=headers
        )
        assert wrong.status_code == 401
