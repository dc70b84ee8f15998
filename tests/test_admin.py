"""The admin API: test orgs, clock, fault rules and the request log, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from crmlink.api.context import Services
from crmlink.app import create_app, open_services
from crmlink.config import Settings

KEY = "test-admin-key-0123456789"
ADMIN = {"X-Crmlink-Admin-Key": KEY}


@pytest.fixture(scope="module")
def admin_client(database_url: str) -> Iterator[TestClient]:  # type: ignore[type-arg]
    svc: Services = open_services(Settings(database_url=database_url, admin_key=KEY))
    app = create_app(svc.settings, svc)
    with TestClient(app) as test_client:
        yield test_client
    svc.db.dispose()


def new_org(client: TestClient, **body: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    response = client.post("/__crmlink/orgs", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    org: dict[str, Any] = response.json()
    return org


def bearer(org: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Zoho-oauthtoken {org['access_token']}"}


def test_the_admin_api_is_invisible_without_a_key(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.post("/__crmlink/orgs", json={}, headers=ADMIN)
    assert response.status_code == 404
    assert response.json()["code"] == "INVALID_URL_PATTERN"


def test_a_wrong_or_missing_key_is_refused(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    for headers in ({}, {"X-Crmlink-Admin-Key": KEY + "x"}, {"X-Crmlink-Admin-Key": ""}):
        response = admin_client.post("/__crmlink/orgs", json={}, headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "AUTHENTICATION_FAILURE"


def test_a_new_org_comes_with_working_tokens_and_client(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    org = new_org(admin_client, admin_email="owner@example.com")
    assert org["user"]["email"] == "owner@example.com"
    created = admin_client.post(
        "/crm/v2.1/Leads", json={"data": [{"Last_Name": "Ada", "Company": "AE"}]}, headers=bearer(org)
    )
    assert created.status_code == 201
    # the client and refresh token work at the token endpoint
    refreshed = admin_client.post(
        "/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": org["client_id"],
            "client_secret": org["client_secret"],
            "refresh_token": org["refresh_token"],
        },
    )
    assert "access_token" in refreshed.json(), refreshed.text


def test_orgs_do_not_see_each_other(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    a, b = new_org(admin_client), new_org(admin_client)
    admin_client.post(
        "/crm/v2.1/Leads", json={"data": [{"Last_Name": "A", "Company": "A"}]}, headers=bearer(a)
    )
    assert admin_client.get("/crm/v2.1/Leads", headers=bearer(b)).status_code == 204
    assert admin_client.get("/crm/v2.1/Leads", headers=bearer(a)).status_code == 200


def test_reset_empties_the_data_and_keeps_the_tokens(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    org = new_org(admin_client)
    admin_client.post(
        "/crm/v2.1/Leads", json={"data": [{"Last_Name": "A", "Company": "A"}]}, headers=bearer(org)
    )
    assert admin_client.post(f"/__crmlink/orgs/{org['org_id']}/reset", headers=ADMIN).status_code == 200
    assert admin_client.get("/crm/v2.1/Leads", headers=bearer(org)).status_code == 204


def test_delete_removes_the_org_and_its_tokens(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    org = new_org(admin_client)
    admin_client.post(
        "/crm/v2.1/Leads", json={"data": [{"Last_Name": "A", "Company": "A"}]}, headers=bearer(org)
    )
    response = admin_client.delete(f"/__crmlink/orgs/{org['org_id']}", headers=ADMIN)
    assert response.status_code == 200 and response.json()["deleted"] is True
    after = admin_client.get("/crm/v2.1/Leads", headers=bearer(org))
    assert after.status_code == 401 and after.json()["code"] == "INVALID_TOKEN"
    again = admin_client.delete(f"/__crmlink/orgs/{org['org_id']}", headers=ADMIN)
    assert again.status_code == 400


def test_moving_the_clock_expires_the_access_token_and_refresh_still_works(
    admin_client: TestClient,  # type: ignore[type-arg]
) -> None:
    org = new_org(admin_client)
    assert admin_client.get("/crm/v2.1/users", headers=bearer(org)).status_code == 200
    moved = admin_client.post(
        f"/__crmlink/orgs/{org['org_id']}/clock", json={"advance_seconds": 3601}, headers=ADMIN
    )
    assert moved.json()["offset_seconds"] == 3601
    expired = admin_client.get("/crm/v2.1/users", headers=bearer(org))
    assert expired.status_code == 401 and expired.json()["code"] == "INVALID_TOKEN"
    refreshed = admin_client.post(
        "/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": org["client_id"],
            "client_secret": org["client_secret"],
            "refresh_token": org["refresh_token"],
        },
    ).json()
    fresh = {"Authorization": f"Zoho-oauthtoken {refreshed['access_token']}"}
    assert admin_client.get("/crm/v2.1/users", headers=fresh).status_code == 200
    # another org's clock did not move
    other = new_org(admin_client)
    assert admin_client.get("/crm/v2.1/users", headers=bearer(other)).status_code == 200
    bad = admin_client.post(
        f"/__crmlink/orgs/{org['org_id']}/clock", json={"advance_seconds": -5}, headers=ADMIN
    )
    assert bad.status_code == 400


def test_an_error_rule_fires_for_the_next_n_calls_of_its_org_only(
    admin_client: TestClient,  # type: ignore[type-arg]
) -> None:
    org, other = new_org(admin_client), new_org(admin_client)
    rule = admin_client.post(
        "/__crmlink/faults",
        json={
            "action": "error",
            "code": "TOO_MANY_REQUESTS",
            "path": "/crm/*/Leads",
            "times": 2,
            "org_id": org["org_id"],
        },
        headers=ADMIN,
    )
    assert rule.status_code == 201, rule.text
    for _ in range(2):
        refused = admin_client.get("/crm/v2.1/Leads", headers=bearer(org))
        assert refused.status_code == 429
        assert refused.json() == {
            "code": "TOO_MANY_REQUESTS",
            "details": {},
            "message": "too many requests",
            "status": "error",
        }
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/json;charset=utf-8"
    assert admin_client.get("/crm/v2.1/Leads", headers=bearer(org)).status_code == 204
    assert admin_client.get("/crm/v2.1/Leads", headers=bearer(other)).status_code == 204
    log = admin_client.get("/__crmlink/faults/log", params={"org_id": org["org_id"]}, headers=ADMIN).json()
    assert len(log["firings"]) == 2
    rules = admin_client.get("/__crmlink/faults", params={"org_id": org["org_id"]}, headers=ADMIN).json()
    assert rules["faults"][0]["remaining"] == 0


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("INTERNAL_ERROR", 500, "Internal server error occurred."),
        ("INVALID_TOKEN", 401, "invalid oauth token"),
        ("INVALID_DATA", 400, "invalid data"),
    ],
)
def test_error_rules_answer_zohos_exact_body(
    admin_client: TestClient,
    code: str,
    status: int,
    message: str,  # type: ignore[type-arg]
) -> None:
    org = new_org(admin_client)
    admin_client.post(
        "/__crmlink/faults", json={"action": "error", "code": code, "org_id": org["org_id"]}, headers=ADMIN
    )
    response = admin_client.get("/crm/v2.1/Leads", headers=bearer(org))
    assert response.status_code == status
    assert response.json() == {"code": code, "details": {}, "message": message, "status": "error"}


def test_a_probability_rule_under_a_seed_fires_the_same_way_twice(
    admin_client: TestClient,  # type: ignore[type-arg]
) -> None:
    def run() -> list[int]:
        org = new_org(admin_client)
        admin_client.post(
            "/__crmlink/faults",
            json={
                "action": "error",
                "code": "INTERNAL_ERROR",
                "probability": 0.5,
                "seed": 7,
                "org_id": org["org_id"],
            },
            headers=ADMIN,
        )
        return [admin_client.get("/crm/v2.1/Leads", headers=bearer(org)).status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert 500 in first and 204 in first


def test_bad_fault_rules_are_refused(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    for body in (
        {"action": "explode"},
        {"action": "error"},
        {"action": "delay"},
        {"action": "error", "code": "X", "probability": 2},
        {"action": "error", "code": "X", "times": -1},
    ):
        response = admin_client.post("/__crmlink/faults", json=body, headers=ADMIN)
        assert response.status_code == 400, body


def test_the_request_log_keeps_calls_with_tokens_masked(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    org = new_org(admin_client)
    admin_client.post(
        "/crm/v2.1/Leads", json={"data": [{"Last_Name": "Logged", "Company": "C"}]}, headers=bearer(org)
    )
    admin_client.get("/crm/v2.1/Leads?per_page=5", headers=bearer(org))
    entries = admin_client.get(f"/__crmlink/orgs/{org['org_id']}/requests", headers=ADMIN).json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/crm/v2.1/Leads", 201),
        ("GET", "/crm/v2.1/Leads", 200),
    ]
    assert "Logged" in entries[0]["body"] and "record added" in entries[0]["answer"]
    assert entries[1]["query"] == "per_page=5"
    assert org["access_token"] not in str(entries)
    assert entries[0]["headers"]["authorization"].endswith("***")
    since = admin_client.get(
        f"/__crmlink/orgs/{org['org_id']}/requests", params={"since": entries[0]["seq"]}, headers=ADMIN
    ).json()["requests"]
    assert [e["seq"] for e in since] == [entries[1]["seq"]]


def test_the_default_app_installs_no_testkit_edge(services: Services) -> None:
    plain = create_app(services.settings, services)
    keyed = create_app(replace(services.settings, admin_key=KEY), services)
    assert len(keyed.middleware) == len(plain.middleware) + 1


def test_snapshot_and_restore_bring_records_and_links_back(admin_client: TestClient) -> None:  # type: ignore[type-arg]
    org = new_org(admin_client)
    h = bearer(org)
    product = admin_client.post(
        "/crm/v2.1/Products", json={"data": [{"Product_Name": "Laptop"}]}, headers=h
    ).json()["data"][0]["details"]["id"]
    book = admin_client.post(
        "/crm/v2.1/Price_Books",
        json={"data": [{"Price_Book_Name": "Retail", "Pricing_Model": "Flat"}]},
        headers=h,
    ).json()["data"][0]["details"]["id"]
    related = f"/crm/v2.1/Products/{product}/Price_Books"
    assert (
        admin_client.put(related, json={"data": [{"id": book, "list_price": 10.0}]}, headers=h).status_code
        == 200
    )
    before = admin_client.get(related, headers=h).json()
    taken = admin_client.post(f"/__crmlink/orgs/{org['org_id']}/snapshots", headers=ADMIN)
    assert taken.status_code == 201, taken.text
    snapshot = taken.json()["snapshot_id"]

    # change everything: the link's price, a new lead, then delete the product
    admin_client.put(related, json={"data": [{"id": book, "list_price": 99.0}]}, headers=h)
    admin_client.post("/crm/v2.1/Leads", json={"data": [{"Last_Name": "Later", "Company": "C"}]}, headers=h)
    admin_client.delete(f"/crm/v2.1/Products/{product}", headers=h)

    restored = admin_client.post(
        f"/__crmlink/orgs/{org['org_id']}/snapshots/{snapshot}/restore", headers=ADMIN
    )
    assert restored.status_code == 200, restored.text
    assert admin_client.get(related, headers=h).json() == before
    assert admin_client.get("/crm/v2.1/Leads", headers=h).status_code == 204
    # restoring twice gives the same state; an unknown snapshot is refused
    admin_client.post(f"/__crmlink/orgs/{org['org_id']}/snapshots/{snapshot}/restore", headers=ADMIN)
    assert admin_client.get(related, headers=h).json() == before
    unknown = admin_client.post(f"/__crmlink/orgs/{org['org_id']}/snapshots/12345/restore", headers=ADMIN)
    assert unknown.status_code == 400
    # another org's snapshot id is not this org's
    other = new_org(admin_client)
    foreign = admin_client.post(
        f"/__crmlink/orgs/{other['org_id']}/snapshots/{snapshot}/restore", headers=ADMIN
    )
    assert foreign.status_code == 400
    dropped = admin_client.delete(f"/__crmlink/orgs/{org['org_id']}/snapshots/{snapshot}", headers=ADMIN)
    assert dropped.status_code == 200
