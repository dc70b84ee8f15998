"""Zoho's notification API: ``/crm/{v}/actions/watch`` (spec §11), item errors with 202."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_success, assert_zoho_error

URL = "/crm/v2.1/actions/watch"
SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.notifications.ALL"
# A public address (TEST-NET would be reserved): the default policy allows it.
NOTIFY = "https://hooks.example.com/zoho?source=crm&x=1"


def _headers(org: TestOrg, scope: str = SCOPE) -> dict[str, str]:
    return org.headers_for(scope=scope)


def _item(channel: str = "1000000068001", **extra: Any) -> dict[str, Any]:
    return {"channel_id": channel, "events": ["Leads.all", "Contacts.edit"], "notify_url": NOTIFY, **extra}


def test_enable_list_patch_replace_disable(client: Any, org: TestOrg) -> None:
    h = _headers(org)
    response = client.post(URL, json={"watch": [_item(token="tok-1")]}, headers=h)
    assert response.status_code == 201, response.text
    (item,) = response.json()["watch"]
    assert_success(item, "Successfully subscribed for actions-watch of the given module")
    events = item["details"]["events"]
    assert [e["resource_name"] for e in events] == ["Leads", "Contacts"]
    assert list(events[0]) == ["channel_expiry", "resource_uri", "resource_id", "resource_name", "channel_id"]
    assert events[0]["resource_uri"].endswith("/crm/v2/Leads") and events[0]["channel_id"] == "1000000068001"

    listed = client.get(URL, headers=h)
    assert listed.status_code == 200
    body = listed.json()
    assert body["info"] == {"per_page": 200, "count": 2, "page": 1, "more_records": False}
    leads = body["watch"][0]
    assert leads["events"] == ["Leads.create", "Leads.edit", "Leads.delete"]
    assert leads["token"] == "tok-1" and leads["notify_url"] == NOTIFY
    assert leads["notify_on_related_action"] is True
    assert client.get(URL, params={"module": "Contacts"}, headers=h).json()["info"]["count"] == 1
    assert client.get(URL, params={"channel_id": "42"}, headers=h).status_code == 204

    patched = client.patch(
        URL, json={"watch": [{"channel_id": "1000000068001", "token": "tok-2"}]}, headers=h
    )
    assert patched.status_code == 200
    assert_success(patched.json()["watch"][0], "Successfully updated the subscribe details")
    assert client.get(URL, headers=h).json()["watch"][0]["token"] == "tok-2"

    removed = client.patch(
        URL,
        json={
            "watch": [{"channel_id": "1000000068001", "events": ["Contacts.edit"], "_delete_events": True}]
        },
        headers=h,
    )
    assert_success(removed.json()["watch"][0], "Successfully removed the subscribe details")
    assert [w["resource_name"] for w in client.get(URL, headers=h).json()["watch"]] == ["Leads"]

    # PUT replaces everything: the token left out is dropped, the events are the new ones.
    replaced = client.put(
        URL,
        json={"watch": [{"channel_id": "1000000068001", "events": ["Deals.create"], "notify_url": NOTIFY}]},
        headers=h,
    )
    assert replaced.status_code == 200
    (deals,) = client.get(URL, headers=h).json()["watch"]
    assert deals["events"] == ["Deals.create"] and deals["token"] is None

    gone = client.delete(URL, params=[("channel_ids", "1000000068001"), ("channel_ids", "5")], headers=h)
    assert gone.status_code == 202  # channel 5 is not subscribed
    assert_item_error(gone.json()["watch"][1], "NOT_SUBSCRIBED")
    item = gone.json()["watch"][0]
    assert_success(item, "Successfully un-subscribed from actions-watch")
    assert list(item["details"]) == ["resource_uri", "resource_id", "channel_id"]
    assert client.get(URL, headers=h).status_code == 204


def test_enable_again_adds_events_and_renews(client: Any, org: TestOrg) -> None:
    h = _headers(org)
    client.post(URL, json={"watch": [_item()]}, headers=h)
    again = client.post(URL, json={"watch": [_item(events=["Deals.delete"])]}, headers=h)
    assert again.status_code == 201
    names = [w["resource_name"] for w in client.get(URL, headers=h).json()["watch"]]
    assert names == ["Leads", "Contacts", "Deals"]


def test_expiry_defaults_to_an_hour_and_caps_at_a_day(client: Any, org: TestOrg) -> None:
    from datetime import UTC, datetime, timedelta

    h = _headers(org)
    now = datetime.now(UTC)
    in_2h = (now + timedelta(hours=2)).replace(microsecond=0)
    client.post(URL, json={"watch": [_item("1", channel_expiry=in_2h.isoformat())]}, headers=h)
    client.post(
        URL, json={"watch": [_item("2", channel_expiry=(now + timedelta(days=3)).isoformat())]}, headers=h
    )
    client.post(URL, json={"watch": [_item("3")]}, headers=h)
    expiry = {
        w["channel_id"]: datetime.fromisoformat(w["channel_expiry"])
        for w in client.get(URL, headers=h).json()["watch"]
    }
    assert expiry["1"] == in_2h
    for channel in ("2", "3"):
        assert timedelta(minutes=59) < expiry[channel] - now <= timedelta(hours=1, seconds=2)


@pytest.mark.parametrize(
    ("item", "code", "details"),
    [
        ({"events": ["Leads.all"], "notify_url": NOTIFY}, "MANDATORY_NOT_FOUND", {"api_name": "channel_id"}),
        ({"channel_id": "1", "notify_url": NOTIFY}, "MANDATORY_NOT_FOUND", {"api_name": "events"}),
        ({"channel_id": "1", "events": ["Leads.all"]}, "MANDATORY_NOT_FOUND", {"api_name": "notify_url"}),
        (
            {**_item(), "channel_id": "abc"},
            "INVALID_DATA",
            {"api_name": "channel_id", "expected_data_type": "long"},
        ),
        ({**_item(), "events": ["Nope.all"]}, "INVALID_MODULE", {"api_name": "events"}),
        ({**_item(), "events": ["Leads.update"]}, "INVALID_DATA", {"api_name": "events"}),
        ({**_item(), "events": []}, "INVALID_DATA", {"api_name": "events"}),
        ({**_item(), "token": "x" * 51}, "INVALID_DATA", {"api_name": "token", "maximum_length": 50}),
        ({**_item(), "notify_url": "ftp://example.com/x"}, "INVALID_DATA", {"api_name": "notify_url"}),
        ({**_item(), "notify_url": "http://10.0.0.5/hook"}, "INVALID_DATA", {"api_name": "notify_url"}),
        (
            {**_item(), "notify_url": "http://169.254.169.254/latest"},
            "INVALID_DATA",
            {"api_name": "notify_url"},
        ),
        (
            {**_item(), "notify_url": "http://user:pw@example.com/"},
            "INVALID_DATA",
            {"api_name": "notify_url"},
        ),
        ({**_item(), "channel_expiry": "yesterday"}, "INVALID_DATA", {"api_name": "channel_expiry"}),
        (
            {**_item(), "notify_on_related_action": "yes"},
            "INVALID_DATA",
            {"api_name": "notify_on_related_action"},
        ),
    ],
    ids=lambda v: str(v)[:40] if not isinstance(v, dict) else "item",
)
def test_item_errors_come_back_in_the_watch_array_with_202(
    client: Any, org: TestOrg, item: dict[str, Any], code: str, details: dict[str, Any]
) -> None:
    h = _headers(org)
    response = client.post(URL, json={"watch": [_item("77"), item]}, headers=h)
    assert response.status_code == 202, response.text
    ok, bad = response.json()["watch"]
    assert ok["status"] == "success"
    assert_item_error(bad, code, **details)
    # The good item is stored, the bad one is not.
    assert {w["channel_id"] for w in client.get(URL, headers=h).json()["watch"]} == {"77"}


def test_loopback_is_refused_by_default() -> None:
    """The default policy (the test fixtures allow loopback, as --demo does)."""
    from crmlink.domain.url_policy import UrlPolicy

    public = UrlPolicy.parse("public", ["127.0.0.1:8000", "crm.example.com:443"])
    assert public.check_url("http://127.0.0.1:9000/x") == "loopback addresses are not allowed"
    assert public.check_url("http://localhost/x") == "loopback addresses are not allowed"
    assert public.check_url("http://[::1]/x") == "loopback addresses are not allowed"
    assert (
        public.check_url("https://crm.example.com/crm/v2/Leads") == "the server's own address is not allowed"
    )
    assert public.check_url("https://hooks.example.com/x?a=1") is None
    assert (
        public.check_resolved("https://hooks.example.com/", ["10.1.2.3"])
        == "private addresses are not allowed"
    )
    assert public.check_resolved("https://hooks.example.com/", ["93.184.216.34"]) is None
    loopback = UrlPolicy.parse("loopback", ["127.0.0.1:8000"])
    assert loopback.check_url("http://127.0.0.1:9000/x") is None
    assert (
        loopback.check_url("http://127.0.0.1:8000/crm/v2/Leads") == "the server's own address is not allowed"
    )
    assert loopback.check_url("http://192.168.1.5/x") == "private addresses are not allowed"
    prefixed = UrlPolicy.parse("public,http://10.0.0.7:9000/hooks/")
    assert prefixed.check_url("http://10.0.0.7:9000/hooks/a") is None
    assert prefixed.check_url("http://10.0.0.7:9000/other") == "private addresses are not allowed"


def test_unknown_channels_are_not_subscribed(client: Any, org: TestOrg) -> None:
    h = _headers(org)
    for method in ("put", "patch"):
        response = getattr(client, method)(URL, json={"watch": [_item("999")]}, headers=h)
        assert response.status_code == 202
        assert_item_error(
            response.json()["watch"][0],
            "NOT_SUBSCRIBED",
            "Not subscribed for actions-watch of the given module/channel",
        )
    response = client.delete(URL, params={"channel_ids": "999"}, headers=h)
    assert response.status_code == 202
    assert_item_error(
        response.json()["watch"][0], "NOT_SUBSCRIBED", "Not subscribed for actions-watch of the given channel"
    )


def test_request_level_errors(client: Any, org: TestOrg) -> None:
    h = _headers(org)
    assert_zoho_error(client.post(URL, json={"data": []}, headers=h), 400, "MANDATORY_NOT_FOUND")
    assert_zoho_error(client.post(URL, json={"watch": {}}, headers=h), 400, "INVALID_DATA")
    assert_zoho_error(client.post(URL, json={"watch": [_item()] * 101}, headers=h), 400, "LIMIT_EXCEEDED")
    assert_zoho_error(client.delete(URL, headers=h), 400, "REQUIRED_PARAM_MISSING")
    assert_zoho_error(client.delete(URL, params={"channel_ids": "x"}, headers=h), 400, "INVALID_DATA")
    assert_zoho_error(client.get(URL), 401, "AUTHENTICATION_FAILURE")


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        ("ZohoCRM.notifications.READ", {"get"}),
        ("ZohoCRM.notifications.CREATE", {"post"}),
        ("ZohoCRM.notifications.UPDATE", {"put", "patch"}),
        ("ZohoCRM.notifications.DELETE", {"delete"}),
        ("ZohoCRM.notifications.WRITE", {"post", "put", "patch", "delete"}),
        ("ZohoCRM.notifications.ALL", {"get", "post", "put", "patch", "delete"}),
        ("ZohoCRM.modules.ALL", set()),
    ],
)
def test_scopes(client: Any, org: TestOrg, scope: str, allowed: set[str]) -> None:
    h = _headers(org, scope)
    calls = {
        "get": lambda: client.get(URL, headers=h),
        "post": lambda: client.post(URL, json={"watch": [_item()]}, headers=h),
        "put": lambda: client.put(URL, json={"watch": [_item()]}, headers=h),
        "patch": lambda: client.patch(URL, json={"watch": [_item()]}, headers=h),
        "delete": lambda: client.delete(URL, params={"channel_ids": "1"}, headers=h),
    }
    for method, call in calls.items():
        response = call()
        if method in allowed:
            assert response.status_code != 401, (method, response.text)
        else:
            assert_zoho_error(response, 401, "OAUTH_SCOPE_MISMATCH")


def test_watch_path_is_not_a_module(client: Any, org: TestOrg) -> None:
    """``/actions/watch`` is its own route, not the record ``watch`` of a module ``actions``."""
    response = client.get(URL, headers=_headers(org))
    assert response.status_code == 204
