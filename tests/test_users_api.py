"""``GET /crm/{v}/users``: Zoho's shape, the ``type`` filters, org isolation; and the acting user
landing in Owner / Created_By / Modified_By."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import OrgFactory, TestOrg
from tests.helpers import JSON_TYPE, assert_zoho_error

V = "v2.1"


def _users(client: Any, org: TestOrg, query: str = "", headers: dict[str, str] | None = None) -> Any:
    return client.get(f"/crm/{V}/users{query}", headers=headers or org.headers)


def test_current_user_answers_zohos_shape(client: Any, org: TestOrg) -> None:
    response = _users(client, org, "?type=CurrentUser")
    assert response.status_code == 200 and response.headers["content-type"] == JSON_TYPE
    body = response.json()
    assert list(body) == ["users", "info"]
    assert body["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}
    (me,) = body["users"]
    assert me["id"] == str(org.admin_id) and me["email"] == org.admin_email
    assert me["full_name"] == "Org Admin" and me["first_name"] == "Org" and me["last_name"] == "Admin"
    assert me["profile"]["name"] == "Administrator" and me["profile"]["id"].isdigit()
    assert me["status"] == "active" and me["confirm"] is True


def test_current_user_is_the_tokens_user(client: Any, org: TestOrg) -> None:
    email = org.add_user("Standard", name="Sam Standard")
    (me,) = _users(client, org, "?type=CurrentUser", org.headers_for(email)).json()["users"]
    assert me["email"] == email and me["profile"]["name"] == "Standard"


@pytest.mark.parametrize(
    ("user_type", "expected"),
    [
        pytest.param(None, {"admin", "std"}, id="default-all"),
        pytest.param("AllUsers", {"admin", "std"}, id="all"),
        pytest.param("ActiveUsers", {"admin", "std"}, id="active"),
        pytest.param("AdminUsers", {"admin"}, id="admins"),
        pytest.param("ActiveConfirmedAdmins", {"admin"}, id="active-confirmed-admins"),
        pytest.param("DeactiveUsers", set(), id="deactive"),
    ],
)
def test_type_filters(client: Any, org: TestOrg, user_type: str | None, expected: set[str]) -> None:
    std = org.add_user("Standard")
    names = {org.admin_email: "admin", std: "std"}
    response = _users(client, org, f"?type={user_type}" if user_type else "")
    if not expected:
        assert response.status_code == 204 and response.content == b""
        return
    assert {names[u["email"]] for u in response.json()["users"]} == expected


def test_unknown_type_is_invalid_data(client: Any, org: TestOrg) -> None:
    assert_zoho_error(
        _users(client, org, "?type=Martians"), 400, "INVALID_DATA", details={"param_name": "type"}
    )


def test_paging(client: Any, org: TestOrg) -> None:
    for _ in range(2):
        org.add_user()
    first = _users(client, org, "?per_page=2&page=1").json()
    second = _users(client, org, "?per_page=2&page=2").json()
    assert first["info"]["more_records"] is True and second["info"]["more_records"] is False
    assert len(first["users"]) == 2 and len(second["users"]) == 1


def test_users_of_other_orgs_are_invisible(client: Any, org: TestOrg, orgs: OrgFactory) -> None:
    other = orgs.create()
    listed = {u["email"] for u in _users(client, org).json()["users"]}
    assert other.admin_email not in listed
    assert _users(client, org, f"/{other.admin_id}").status_code == 204
    (found,) = _users(client, org, f"/{org.admin_id}").json()["users"]
    assert found["email"] == org.admin_email


def test_the_acting_user_owns_creates_and_modifies(client: Any, org: TestOrg) -> None:
    email = org.add_user("Standard", name="Rita Rep")
    rita = org.headers_for(email)
    created = client.post(
        f"/crm/{V}/Leads", json={"data": [{"Last_Name": "L", "Company": "C"}]}, headers=rita
    )
    assert created.status_code == 201
    details = created.json()["data"][0]["details"]
    assert details["Created_By"]["id"] == str(org.user_id(email))
    record_id = details["id"]
    edited = client.put(f"/crm/{V}/Leads/{record_id}", json={"data": [{"Company": "D"}]}, headers=org.headers)
    assert edited.status_code == 200
    (lead,) = client.get(f"/crm/{V}/Leads/{record_id}", headers=org.headers).json()["data"]
    assert lead["Owner"]["email"] == email and lead["Created_By"]["name"] == "Rita Rep"
    assert lead["Modified_By"]["id"] == str(org.admin_id)
