"""``crmlink_client`` against crmlink itself, on both engines, two ways:

- ``in-process``: ``Client(http_client=<Litestar TestClient>)`` over the app in this process, with
  an org's access token;
- ``served``: ``Client(url, token_url, client_id, client_secret, refresh_token)`` against a real
  ``crmlink serve`` subprocess; the client gets its token from ``POST /oauth/v2/token``.

The same tests run on all four. They cover records CRUD and paging, related records (relate with
fields, update, list, delink) beyond the 100-per-call and 200-per-page limits, the Zoho-SDK-shaped
compat layer and the Deluge function.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from crmlink_client import Client, NotFound, ValidationError, compat, deluge

from tests.factories import record_fields
from tests.live.conftest import ENGINES, LivePool

VARIANTS = [
    pytest.param((how, engine), id=f"{how}-{engine}")
    for how in ("in-process", "served")
    for engine in ENGINES
]


@pytest.fixture(params=VARIANTS)
def crm(request: pytest.FixtureRequest, live_pool: LivePool) -> Iterator[Client]:
    how, engine = request.param
    if how == "in-process":
        app = live_pool.app(engine)
        with Client(http_client=app.http, access_token=app.new_org().token) as client:
            yield client
        return
    server = live_pool.server(engine)
    creds = server.credentials()
    with Client(
        server.url, server.token_url, creds.client_id, creds.client_secret, creds.refresh_token
    ) as client:
        yield client


def create(crm: Client, module: str, count: int = 1, **fields: Any) -> list[str]:
    """``count`` fresh records of ``module`` (distinct names), created through the client."""
    tag = uuid.uuid4().hex[:6]
    items = [record_fields(module, i, **fields) for i in range(count)]
    for item in items:
        for key, value in item.items():
            if key.endswith("_Name") and isinstance(value, str):
                item[key] = f"{value} {tag}"
    results = crm.records(module).create(items)
    assert results.ok, results.failed
    return [str(i) for i in results.ids]


# ------------------------------------------------------------------------------ records


def test_record_create_get_update_delete(crm: Client) -> None:
    leads = crm.records("Leads")
    created = leads.create_one(Last_Name="Ada", Company="Analytical", Email="ada@example.com")
    assert created.ok and created.message == "record added" and created.id is not None
    record = leads.get(created.id)
    assert (record["id"], record["Last_Name"], record["Email"]) == (created.id, "Ada", "ada@example.com")
    assert record["Owner"]["email"]  # rendered as Zoho does: an object, not an id
    updated = leads.update(created.id, Company="Engines Ltd")
    assert updated.ok and updated.message == "record updated"
    assert leads.get(created.id)["Company"] == "Engines Ltd"
    assert leads.delete_one(created.id).ok
    with pytest.raises(NotFound):
        leads.get(created.id)


def test_bulk_create_of_250_is_chunked_and_iterate_walks_every_page(crm: Client) -> None:
    campaign_tag = uuid.uuid4().hex[:8]
    ids = create(crm, "Campaigns", 250, Description=campaign_tag)
    assert len(set(ids)) == 250
    seen = [
        r["id"]
        for r in crm.records("Campaigns").iterate(per_page=100)
        if r.get("Description") == campaign_tag
    ]
    assert sorted(seen) == sorted(ids)


def test_update_many_and_delete_many_answer_per_item_in_order(crm: Client) -> None:
    ids = create(crm, "Accounts", 3)
    updated = crm.records("Accounts").update_many(
        [{"id": i, "Phone": f"+1 555 01{n}"} for n, i in enumerate(ids)]
    )
    assert updated.ok and updated.ids == ids
    deleted = crm.records("Accounts").delete([*ids, ids[0]])
    assert [r.ok for r in deleted] == [True, True, True, False]
    assert deleted.status_code == 207


def test_an_unknown_module_is_zohos_invalid_module(crm: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        crm.records("Nope").create_one(Name="x")
    assert caught.value.code == "INVALID_MODULE"


# ------------------------------------------------------------------------------ related records


def test_relate_with_list_price_update_list_and_delink(crm: Client) -> None:
    (product,) = create(crm, "Products")
    books = create(crm, "Price_Books", 3)
    related = crm.related("Products", product, "Price_Books")
    results = related.relate(
        [{"id": b, "list_price": p} for b, p in zip(books, [10.5, 20.0, 30.75], strict=True)]
    )
    assert results.ok and results.ids == books
    assert {r.message for r in results} == {"relation added"}
    assert related.update(books[0], list_price=15.25).ok
    assert {r["id"]: r["list_price"] for r in related.list()} == dict(
        zip(books, [15.25, 20.0, 30.75], strict=True)
    )
    assert related.get(books[1])["list_price"] == 20.0
    assert related.delink_one(books[2]).message == "relation removed"
    assert sorted(r["id"] for r in related.list()) == sorted(books[:2])
    assert related.delink(books[:2]).ok
    assert list(related.list()) == []


def test_relating_250_leads_is_chunked_listed_over_pages_and_delinked(crm: Client) -> None:
    (campaign,) = create(crm, "Campaigns")
    leads = create(crm, "Leads", 250)
    related = crm.related("Campaigns", campaign, "Leads")
    results = related.relate([{"id": lead, "Member_Status": "Invited"} for lead in leads])
    assert results.ok and results.ids == leads  # three calls, one answer in input order
    listed = list(related.list(per_page=200))  # two pages
    assert sorted(r["id"] for r in listed) == sorted(leads)
    assert {r["Member_Status"] for r in listed} == {"Invited"}
    removed = related.delink(leads)
    assert removed.ok and removed.ids == leads
    assert list(related.list()) == []


def test_a_bad_related_id_fails_in_its_place(crm: Client) -> None:
    (product,) = create(crm, "Products")
    (book,) = create(crm, "Price_Books")
    results = crm.related("Products", product, "Price_Books").relate(
        [{"id": "1111111111111111111", "list_price": 1.0}, {"id": book, "list_price": 2.0}]
    )
    assert [r.ok for r in results] == [False, True]
    assert results[0].code == "INVALID_DATA" and results.status_code == 207


# ------------------------------------------------------------------------------ compat and Deluge


def test_zoho_sdk_shaped_compat_layer(crm: Client) -> None:
    (product,) = create(crm, "Products")
    books = create(crm, "Price_Books", 2)
    compat.Initializer.initialize(crm)
    ops = compat.RelatedRecordsOperations("Price_Books", int(product), "Products")
    body = compat.BodyWrapper()
    records = []
    for book, price in zip(books, [50.56, 100.56], strict=True):
        record = compat.Record()
        record.set_id(int(book))
        record.add_key_value("list_price", price)
        records.append(record)
    body.set_data(records)
    response = ops.update_related_records(body)
    assert response.get_status_code() == 200
    wrapper = response.get_object()
    assert isinstance(wrapper, compat.ActionWrapper)
    items = wrapper.get_data()
    assert all(isinstance(i, compat.SuccessResponse) for i in items)
    assert [str(i.get_details()["id"]) for i in items] == books
    assert [i.get_message().get_value() for i in items] == ["relation added"] * 2

    listing = ops.get_related_records().get_object()
    assert isinstance(listing, compat.ResponseWrapper)
    assert {str(r.get_id()): r.get_key_value("list_price") for r in listing.get_data()} == {
        books[0]: 50.56,
        books[1]: 100.56,
    }
    params = compat.ParameterMap()
    for book in books:
        params.add(compat.DelinkRecordsParam.ids, int(book))
    assert ops.delink_records(params).get_status_code() == 200
    assert ops.get_related_records().get_status_code() == 204


def test_deluge_update_related_record(crm: Client) -> None:
    (lead,) = create(crm, "Leads")
    (campaign,) = create(crm, "Campaigns")
    answer = deluge.update_related_record(
        "Campaigns", campaign, "Leads", lead, {"Member_Status": "Sent"}, crm
    )
    assert answer == {
        "code": "SUCCESS",
        "details": {"id": campaign},
        "message": "relation added",
        "status": "success",
    }
    assert [r["Member_Status"] for r in crm.related("Leads", lead, "Campaigns").list()] == ["Sent"]
    refused = deluge.update_related_record("Campaigns", campaign, "Leads", "1111111111111111111", {}, crm)
    assert refused["status"] == "error"


# ------------------------------------------------------------------------------ tokens


@pytest.mark.parametrize("engine", ENGINES)
def test_a_dead_access_token_is_renewed_with_the_refresh_token(live_pool: LivePool, engine: str) -> None:
    server = live_pool.server(engine)
    creds = server.credentials()
    with Client(
        server.url,
        server.token_url,
        creds.client_id,
        creds.client_secret,
        creds.refresh_token,
        access_token="1000.0000000000000000000000000000dead.00000000000000000000000000000000",
    ) as crm:
        created = crm.records("Leads").create_one(Last_Name="Renewed", Company="Tokens")
        assert created.ok
        assert crm.access_token is not None and not crm.access_token.endswith("0" * 32)


@pytest.mark.parametrize("engine", ENGINES)
def test_v2_paths_serve_the_same_records_and_relations(live_pool: LivePool, engine: str) -> None:
    server = live_pool.server(engine)
    creds = server.credentials()
    with Client(
        server.url,
        server.token_url,
        creds.client_id,
        creds.client_secret,
        creds.refresh_token,
        api_version="v2",
    ) as crm:
        (product,) = create(crm, "Products")
        (book,) = create(crm, "Price_Books")
        assert crm.related("Products", product, "Price_Books").relate([{"id": book, "list_price": 5.5}]).ok
        assert [r["list_price"] for r in crm.related("Products", product, "Price_Books").list()] == [5.5]
