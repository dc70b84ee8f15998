"""What the client puts on the wire and how it reads answers: paths, auth, chunking, paging,
token renewal, 429 retry, and the error tree. Uses the in-memory fake (``zoho``)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from crmlink_client import (
    AuthError,
    Client,
    CRMError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TokenError,
    ValidationError,
)

from sdk_fake_zoho import FakeZoho, envelope, reply

BASE = "http://crm.test"
TOKEN_URL = f"{BASE}/oauth/v2/token"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refreshing_client(zoho: FakeZoho, **kw: object) -> Client:
    return Client(
        BASE,
        TOKEN_URL,
        FakeZoho.CLIENT_ID,
        FakeZoho.CLIENT_SECRET,
        FakeZoho.REFRESH_TOKEN,
        http_client=httpx.Client(transport=zoho.transport()),
        **kw,
    )  # type: ignore[arg-type]


def fixed_client(handler: Callable[[httpx.Request], httpx.Response], **kw: object) -> Client:
    return Client(
        BASE,
        access_token="tok",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        **kw,
    )  # type: ignore[arg-type]


# -- paths and headers --------------------------------------------------------------------


def test_requests_use_zoho_oauthtoken_and_v21_paths(zoho: FakeZoho) -> None:
    token = zoho.issue_token()
    crm = Client(BASE, access_token=token, http_client=httpx.Client(transport=zoho.transport()))
    crm.records("Leads").create_one(Last_Name="x")
    request = zoho.api_requests()[0]
    assert request.headers["Authorization"] == f"Zoho-oauthtoken {token}"
    assert request.method == "POST" and str(request.url) == f"{BASE}/crm/v2.1/Leads"
    assert json.loads(request.content) == {"data": [{"Last_Name": "x"}]}


def test_api_version_v2_changes_the_path(zoho: FakeZoho) -> None:
    crm = Client(
        BASE,
        access_token=zoho.issue_token(),
        api_version="v2",
        http_client=httpx.Client(transport=zoho.transport()),
    )
    assert list(crm.records("Leads")) == []
    assert zoho.api_requests()[0].url.path == "/crm/v2/Leads"


def test_relative_paths_go_through_the_given_clients_base_url(
    client: Client, zoho: FakeZoho
) -> None:
    product = zoho.seed("Products", Product_Name="p")
    list(client.related("Products", int(product), "Price_Books").list())
    assert str(zoho.api_requests()[0].url).startswith(f"{BASE}/crm/v2.1/Products/")


def test_int_ids_are_sent_as_strings(client: Client, zoho: FakeZoho) -> None:
    product = zoho.seed("Products", Product_Name="p")
    book = zoho.seed("Price_Books", Price_Book_Name="b")
    client.related("Products", int(product), "Price_Books").relate(
        [{"id": int(book), "list_price": 1.5}]
    )
    sent = zoho.api_requests()[-1]
    assert sent.url.path == f"/crm/v2.1/Products/{product}/Price_Books"
    assert json.loads(sent.content) == {"data": [{"id": book, "list_price": 1.5}]}


def test_single_update_and_delink_use_the_item_url(client: Client, zoho: FakeZoho) -> None:
    product = zoho.seed("Products", Product_Name="p")
    book = zoho.seed("Price_Books", Price_Book_Name="b")
    related = client.related("Products", product, "Price_Books")
    related.update(book)
    related.delink_one(book)
    put, delete = zoho.api_requests()
    assert put.method == "PUT" and put.url.path.endswith(f"/Price_Books/{book}")
    assert json.loads(put.content) == {"data": [{}]}
    assert delete.method == "DELETE" and delete.url.path.endswith(f"/Price_Books/{book}")


# -- chunking -----------------------------------------------------------------------------


def test_relate_250_is_three_puts_of_100_100_50_in_order(client: Client, zoho: FakeZoho) -> None:
    campaign = zoho.seed("Campaigns", Campaign_Name="c")
    leads = [zoho.seed("Leads", Last_Name=str(i)) for i in range(250)]
    results = client.related("Campaigns", campaign, "Leads").relate(leads)
    puts = zoho.api_requests()
    assert [len(json.loads(r.content)["data"]) for r in puts] == [100, 100, 50]
    sent = [item["id"] for r in puts for item in json.loads(r.content)["data"]]
    assert sent == leads
    assert results.ids == leads


def test_delink_250_is_three_deletes_with_ids_param(client: Client, zoho: FakeZoho) -> None:
    campaign = zoho.seed("Campaigns", Campaign_Name="c")
    leads = [zoho.seed("Leads", Last_Name=str(i)) for i in range(250)]
    related = client.related("Campaigns", campaign, "Leads")
    related.relate(leads)
    zoho.requests.clear()
    results = related.delink(leads)
    deletes = zoho.api_requests()
    assert [r.method for r in deletes] == ["DELETE"] * 3
    assert [r.url.params["ids"].split(",") for r in deletes] == [
        leads[:100],
        leads[100:200],
        leads[200:],
    ]
    assert results.ids == leads and results.ok


def test_mixed_chunk_statuses_combine_to_207(client: Client, zoho: FakeZoho) -> None:
    items = [{"Last_Name": str(i)} for i in range(150)]
    items[120] = {"Company": "missing last name"}
    results = client.records("Leads").create(items)
    assert results.status_code == 207
    assert [i for i, _ in results.failed] == [120]


def test_a_failing_chunk_raises_with_the_completed_results(client: Client, zoho: FakeZoho) -> None:
    calls: list[int] = []

    def second_call_fails(request: httpx.Request) -> httpx.Response | None:
        calls.append(1)
        if len(calls) == 2:
            return envelope(500, "INTERNAL_ERROR", "Internal server error occurred.")
        return None

    zoho.before = second_call_fails
    with pytest.raises(ServerError) as info:
        client.records("Leads").create([{"Last_Name": str(i)} for i in range(250)])
    assert len(info.value.completed) == 100
    assert len(calls) == 2


def test_a_result_count_mismatch_is_a_server_error() -> None:
    crm = fixed_client(lambda r: reply(200, {"data": []}))
    with pytest.raises(ServerError, match="expected 1"):
        crm.records("Leads").create_one(Last_Name="x")


# -- paging -------------------------------------------------------------------------------


def test_iterate_sends_page_and_per_page_until_more_records_is_false(
    client: Client, zoho: FakeZoho
) -> None:
    for i in range(5):
        zoho.seed("Leads", Last_Name=str(i))
    assert len(list(client.records("Leads").iterate(per_page=2, fields=["Last_Name"]))) == 5
    params = [dict(r.url.params) for r in zoho.api_requests()]
    assert params == [{"fields": "Last_Name", "page": str(p), "per_page": "2"} for p in (1, 2, 3)]


def test_204_is_an_empty_page() -> None:
    crm = fixed_client(lambda r: httpx.Response(204, headers={"Content-Type": "application/json"}))
    page = crm.related("Products", "1", "Price_Books").page()
    assert page.data == [] and page.status_code == 204
    assert list(crm.records("Leads")) == []


def test_get_of_a_missing_record_raises_not_found(client: Client) -> None:
    with pytest.raises(NotFound):
        client.records("Leads").get("5725767000009999999")


def test_per_page_over_200_is_refused_client_side(client: Client) -> None:
    with pytest.raises(ValueError, match="per_page"):
        client.records("Leads").page(per_page=201)


# -- tokens -------------------------------------------------------------------------------


def test_refreshing_client_gets_a_token_first_with_the_refresh_grant(zoho: FakeZoho) -> None:
    crm = refreshing_client(zoho)
    assert list(crm.records("Leads")) == []
    token_call, api_call = zoho.requests
    assert token_call.method == "POST" and str(token_call.url) == TOKEN_URL
    assert token_call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert dict(httpx.QueryParams(token_call.content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": FakeZoho.REFRESH_TOKEN,
        "client_id": FakeZoho.CLIENT_ID,
        "client_secret": FakeZoho.CLIENT_SECRET,
    }
    assert api_call.headers["Authorization"] == f"Zoho-oauthtoken {crm.access_token}"


def test_token_is_renewed_when_less_than_5_seconds_remain(zoho: FakeZoho) -> None:
    clock = Clock()
    crm = refreshing_client(zoho, clock=clock)
    list(crm.records("Leads"))
    first = crm.access_token
    clock.now += 3594  # 6 s left: still used
    list(crm.records("Leads"))
    assert crm.access_token == first
    clock.now += 2  # 4 s left: renewed before the call
    list(crm.records("Leads"))
    assert crm.access_token != first
    assert [r.url.path for r in zoho.requests].count("/oauth/v2/token") == 2


def test_token_is_renewed_once_on_401_invalid_token(zoho: FakeZoho) -> None:
    crm = refreshing_client(zoho)
    list(crm.records("Leads"))
    zoho.tokens.clear()  # the server forgot every token (restart)
    assert list(crm.records("Leads")) == []
    paths = [r.url.path for r in zoho.requests]
    assert paths == [
        "/oauth/v2/token",
        "/crm/v2.1/Leads",
        "/crm/v2.1/Leads",
        "/oauth/v2/token",
        "/crm/v2.1/Leads",
    ]


def test_a_second_401_after_renewal_raises_auth_error(zoho: FakeZoho) -> None:
    crm = refreshing_client(zoho)
    zoho.before = lambda r: (
        envelope(401, "INVALID_TOKEN", "invalid oauth token")
        if r.url.path.startswith("/crm/")
        else None
    )
    with pytest.raises(AuthError) as info:
        list(crm.records("Leads"))
    assert info.value.code == "INVALID_TOKEN"
    assert [r.url.path for r in zoho.requests].count("/oauth/v2/token") == 2


def test_fixed_token_client_does_not_try_to_renew(zoho: FakeZoho) -> None:
    crm = Client(BASE, access_token="stale", http_client=httpx.Client(transport=zoho.transport()))
    with pytest.raises(AuthError) as info:
        list(crm.records("Leads"))
    assert info.value.status_code == 401 and info.value.message == "invalid oauth token"
    assert len(zoho.requests) == 1


@pytest.mark.parametrize(
    ("field", "error"), [("refresh_token", "invalid_code"), ("client_secret", "invalid_client")]
)
def test_accounts_refusal_raises_token_error(zoho: FakeZoho, field: str, error: str) -> None:
    args = {
        "refresh_token": FakeZoho.REFRESH_TOKEN,
        "client_secret": FakeZoho.CLIENT_SECRET,
        field: "wrong",
    }
    crm = Client(
        BASE,
        TOKEN_URL,
        FakeZoho.CLIENT_ID,
        args["client_secret"],
        args["refresh_token"],
        http_client=httpx.Client(transport=zoho.transport()),
    )
    with pytest.raises(TokenError) as info:
        crm.records("Leads").get("1")
    assert info.value.code == error
    assert isinstance(info.value, AuthError)


def test_old_style_expires_in_sec_is_understood(zoho: FakeZoho) -> None:
    clock = Clock()

    def old_accounts(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/oauth/v2/token":
            token = zoho.issue_token()
            return reply(
                200, {"access_token": token, "expires_in_sec": 3600, "expires_in": 3600000}
            )
        return None

    zoho.before = old_accounts
    crm = refreshing_client(zoho, clock=clock)
    list(crm.records("Leads"))
    clock.now += 3597
    list(crm.records("Leads"))
    assert [r.url.path for r in zoho.requests].count("/oauth/v2/token") == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"accounts_url": TOKEN_URL, "client_id": "c"},
    ],
)
def test_client_needs_a_token_or_all_refresh_credentials(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Client(BASE, **kwargs)


def test_bad_api_version_is_refused() -> None:
    with pytest.raises(ValueError, match="api_version"):
        Client(BASE, access_token="t", api_version="v3")  # type: ignore[arg-type]


# -- 429 retry ----------------------------------------------------------------------------


def rate_limited_then_ok(times: int, retry_after: str | None = "3"):  # type: ignore[no-untyped-def]
    state = {"left": times}

    def handler(request: httpx.Request) -> httpx.Response:
        if state["left"] > 0:
            state["left"] -= 1
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return envelope(429, "TOO_MANY_REQUESTS", "too many requests", headers=headers)
        return reply(
            200,
            {
                "data": [{"id": "1"}],
                "info": {"per_page": 200, "count": 1, "page": 1, "more_records": False},
            },
        )

    return handler


def test_429_is_retried_after_retry_after_seconds() -> None:
    slept: list[float] = []
    crm = fixed_client(rate_limited_then_ok(2), retries=2, sleep=slept.append)
    assert [r["id"] for r in crm.records("Leads")] == ["1"]
    assert slept == [3.0, 3.0]


def test_429_without_retries_raises_rate_limited_with_retry_after() -> None:
    slept: list[float] = []
    crm = fixed_client(rate_limited_then_ok(1), sleep=slept.append)
    with pytest.raises(RateLimited) as info:
        list(crm.records("Leads"))
    assert info.value.retry_after == 3.0 and info.value.code == "TOO_MANY_REQUESTS"
    assert slept == []


def test_429_beyond_the_retry_budget_raises() -> None:
    slept: list[float] = []
    crm = fixed_client(rate_limited_then_ok(3), retries=2, sleep=slept.append)
    with pytest.raises(RateLimited):
        list(crm.records("Leads"))
    assert len(slept) == 2


def test_429_without_retry_after_backs_off() -> None:
    slept: list[float] = []
    crm = fixed_client(rate_limited_then_ok(2, retry_after=None), retries=2, sleep=slept.append)
    list(crm.records("Leads"))
    assert slept == [1.0, 2.0]


# -- error tree ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "message", "cls"),
    [
        (400, "INVALID_DATA", "invalid data", ValidationError),
        (400, "INVALID_MODULE", "the module name given seems to be invalid", ValidationError),
        (400, "LIMIT_EXCEEDED", "Limit Exceeded", ValidationError),
        (400, "AUTHORIZATION_FAILED", "User does not have sufficient privilege", PermissionDenied),
        (401, "INVALID_TOKEN", "invalid oauth token", AuthError),
        (401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL", AuthError),
        (401, "AUTHENTICATION_FAILURE", "Authentication failed", AuthError),
        (403, "NO_PERMISSION", "permission denied", PermissionDenied),
        (
            404,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
            NotFound,
        ),
        (413, "REQUEST_ENTITY_TOO_LARGE", "request too large", ValidationError),
        (429, "TOO_MANY_REQUESTS", "too many requests", RateLimited),
        (500, "INTERNAL_ERROR", "Internal server error occurred.", ServerError),
    ],
    ids=lambda v: str(v) if not isinstance(v, type) else v.__name__,
)
def test_request_level_errors_map_to_the_tree(
    status: int, code: str, message: str, cls: type[CRMError]
) -> None:
    details = {"resource_path_index": 1}
    crm = fixed_client(lambda r: envelope(status, code, message, details))
    with pytest.raises(cls) as info:
        crm.related("Products", "1", "Price_Books").relate(["2"])
    err = info.value
    assert type(err) is cls
    assert (err.code, err.message, err.details, err.status_code) == (code, message, details, status)
    assert err.body() == {"code": code, "details": details, "message": message, "status": "error"}
    assert code in str(err)


def test_a_non_json_error_body_is_a_server_error() -> None:
    crm = fixed_client(lambda r: httpx.Response(502, text="<html>Bad gateway</html>"))
    with pytest.raises(ServerError) as info:
        list(crm.records("Leads"))
    assert info.value.status_code == 502 and "Bad gateway" in info.value.message


def test_all_failed_400_with_data_is_results_not_an_exception() -> None:
    item = {
        "code": "INVALID_DATA",
        "details": {"id": "9"},
        "message": "invalid data",
        "status": "error",
    }
    crm = fixed_client(lambda r: reply(400, {"data": [item]}))
    results = crm.related("Products", "1", "Price_Books").relate(["9"])
    assert results.status_code == 400 and not results.ok
    assert results[0].to_json() == item


# -- lifecycle ----------------------------------------------------------------------------


def test_a_given_http_client_is_not_closed() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda r: reply(204)))
    with Client(BASE, access_token="t", http_client=http):
        pass
    assert not http.is_closed


def test_an_own_http_client_is_closed() -> None:
    crm = Client(BASE, access_token="t")
    crm.close()
    assert crm._http.is_closed
