"""How related-records calls behave beyond the happy path: ordering, mixed and duplicate items,
relation-data rules, transactions, change events, record deletion, paging and listing."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, text, update

from crmlink.api.context import Services
from crmlink.domain import records as rec
from crmlink.domain import relations as rel
from crmlink.domain.catalog_data import CATALOG
from crmlink.domain.clock import iso, now_us
from crmlink.domain.relation_values import RelateItem, parse_relate_item
from crmlink.storage import links as link_store
from crmlink.storage import tables
from tests.factories import TestOrg, record_fields
from tests.helpers import JSON_TYPE, assert_item_error, assert_success, assert_zoho_error

V = "v2.1"


def _pb_url(product: str, *rest: str) -> str:
    return "/".join([f"/crm/{V}/Products", product, "Price_Books", *rest])


def _put(client: Any, org: TestOrg, url: str, items: list[Any]) -> Any:
    return client.put(url, json={"data": items}, headers=org.headers)


def _ids(client: Any, org: TestOrg, url: str, headers: dict[str, str] | None = None) -> list[str]:
    response = client.get(url, headers={**org.headers, **(headers or {})})
    if response.status_code in (204, 304):
        return []
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["data"]]


# --- ordering, mixed calls, duplicates ---------------------------------------------------------


def test_100_mixed_items_answer_in_input_order_and_store_exactly_the_good_ones(
    client: Any, org: TestOrg
) -> None:
    product = org.create(client, "Products")[0]
    books = org.create(client, "Price_Books", 60)
    leads = org.create(client, "Leads", 10)
    items: list[Any] = []
    expected: list[tuple[str, str | None]] = []  # (code, details.id)
    for i in range(100):
        kind = i % 5
        if kind in (0, 1, 2):
            book = books[len([e for e in expected if e[0] == "SUCCESS"])]
            items.append({"id": book, "list_price": i})
            expected.append(("SUCCESS", book))
        elif kind == 3:
            items.append({"id": leads[i % 10], "list_price": i})  # a Lead is no Price Book
            expected.append(("INVALID_DATA", leads[i % 10]))
        else:
            items.append({"list_price": i})
            expected.append(("MANDATORY_NOT_FOUND", None))
    response = _put(client, org, _pb_url(product), items)
    assert response.status_code == 207
    got = [(item["code"], item["details"].get("id")) for item in response.json()["data"]]
    assert got == expected
    good = [b for code, b in expected if code == "SUCCESS" and b is not None]
    assert _ids(client, org, _pb_url(product)) == sorted(good)
    stored = org.stored_links("products_price_books")
    assert stored == {(int(product), int(b)): {"list_price": i} for i, b in _good_prices(items, good)}
    assert len(org.link_events()) == len(good)


def _good_prices(items: list[Any], good: list[str]) -> list[tuple[int, str]]:
    return [(item["list_price"], item["id"]) for item in items if "id" in item and item["id"] in good]


def test_duplicate_ids_in_one_put_apply_in_order_and_the_last_data_wins(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    book = org.create(client, "Price_Books")[0]
    response = _put(
        client, org, _pb_url(product), [{"id": book, "list_price": 1}, {"id": int(book), "list_price": 2}]
    )
    assert response.status_code == 200
    for item in response.json()["data"]:
        assert_success(item, "relation added")
        assert item["details"] == {"id": book}
    assert org.stored_links("products_price_books") == {(int(product), int(book)): {"list_price": 2}}
    assert [(e.action, e.old_data, e.new_data) for e in org.link_events()] == [
        ("added", None, {"list_price": 1}),
        ("updated", {"list_price": 1}, {"list_price": 2}),
    ]


def test_duplicate_ids_in_one_delink_remove_once(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    book = org.create(client, "Price_Books")[0]
    _put(client, org, _pb_url(product), [{"id": book}])
    response = client.delete(_pb_url(product) + f"?ids={book},{book}", headers=org.headers)
    assert response.status_code == 207
    first, second = response.json()["data"]
    assert_success(first, "relation removed")
    assert_item_error(second, "INVALID_DATA", "record not deleted", id=book)
    assert [e.action for e in org.link_events()] == ["added", "removed"]


def test_delink_mixed_linked_and_unlinked(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    books = org.create(client, "Price_Books", 3)
    _put(client, org, _pb_url(product), [{"id": books[0]}, {"id": books[2]}])
    response = client.delete(_pb_url(product) + "?ids=" + ",".join(books), headers=org.headers)
    assert response.status_code == 207
    codes = [(i["code"], i["message"], i["details"]["id"]) for i in response.json()["data"]]
    assert codes == [
        ("SUCCESS", "relation removed", books[0]),
        ("INVALID_DATA", "record not deleted", books[1]),
        ("SUCCESS", "relation removed", books[2]),
    ]
    assert org.stored_links("products_price_books") == {}


# --- relation data rules -----------------------------------------------------------------------


def test_absent_keeps_null_clears_identical_writes_nothing(client: Any, org: TestOrg) -> None:
    campaign = org.create(client, "Campaigns")[0]
    lead = org.create(client, "Leads")[0]
    url = f"/crm/{V}/Campaigns/{campaign}/Leads/{lead}"
    key = (int(campaign), int(lead))
    assert _put(client, org, url, [{"Member_Status": "Sent"}]).status_code == 200
    assert _put(client, org, url, [{}]).status_code == 200  # absent: kept
    assert org.stored_links("campaigns_leads") == {key: {"Member_Status": "Sent"}}
    assert _put(client, org, url, [{"Member_Status": "Sent"}]).status_code == 200  # identical
    assert len(org.link_events()) == 1  # neither call changed anything, so no event
    assert _put(client, org, url, [{"Member_Status": None}]).status_code == 200  # null: cleared
    assert org.stored_links("campaigns_leads") == {key: {}}
    (record,) = client.get(f"/crm/{V}/Leads/{lead}/Campaigns", headers=org.headers).json()["data"]
    assert record["Member_Status"] is None
    assert [(e.action, e.old_data, e.new_data) for e in org.link_events()] == [
        ("added", None, {"Member_Status": "Sent"}),
        ("updated", {"Member_Status": "Sent"}, {}),
    ]


def test_unknown_relation_keys_are_ignored_and_not_stored(client: Any, org: TestOrg) -> None:
    contact = org.create(client, "Contacts")[0]
    campaign = org.create(client, "Campaigns")[0]
    # Zoho's own integration test sends Contact_Role on a Campaigns relation and gets "relation added".
    item = {"id": campaign, "Contact_Role": "123", "list_price": 5, "Last_Name": "x", "$foo": 1}
    response = _put(client, org, f"/crm/{V}/Contacts/{contact}/Campaigns", [item])
    assert response.status_code == 200
    assert org.stored_links("campaigns_contacts") == {(int(campaign), int(contact)): {}}
    (record,) = client.get(f"/crm/{V}/Contacts/{contact}/Campaigns", headers=org.headers).json()["data"]
    assert "Contact_Role" not in record and "list_price" not in record and record["Member_Status"] is None
    (campaign_record,) = client.get(f"/crm/{V}/Campaigns/{campaign}", headers=org.headers).json()["data"]
    assert record == {**campaign_record, "Member_Status": None}


def test_single_form_takes_the_id_from_the_path(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    books = org.create(client, "Price_Books", 2)
    response = _put(client, org, _pb_url(product, books[0]), [{"id": books[1], "list_price": 3}])
    assert response.status_code == 200
    assert response.json()["data"][0]["details"] == {"id": books[0]}
    assert org.stored_links("products_price_books") == {(int(product), int(books[0])): {"list_price": 3}}


def test_deluge_empty_map_relates(client: Any, org: TestOrg) -> None:
    # zoho.crm.updateRelatedRecord("Products", productId, "Deals", dealId, Map())
    deal = org.create(client, "Deals")[0]
    product = org.create(client, "Products")[0]
    response = _put(client, org, f"/crm/{V}/Deals/{deal}/Products/{product}", [{}])
    assert response.json() == {
        "data": [
            {"code": "SUCCESS", "details": {"id": product}, "message": "relation added", "status": "success"}
        ]
    }
    assert _ids(client, org, f"/crm/{V}/Products/{product}/Deals") == [deal]


def test_numbers_and_strings_are_both_accepted_as_ids(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    books = org.create(client, "Price_Books", 2)
    response = _put(client, org, _pb_url(product), [{"id": int(books[0])}, {"id": books[1]}])
    assert [i["details"]["id"] for i in response.json()["data"]] == books


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        pytest.param(0, True, id="zero"),
        pytest.param(12.345, True, id="decimal"),
        pytest.param(math.nan, False, id="nan"),
        pytest.param(math.inf, False, id="infinity"),
        pytest.param(-1, False, id="negative"),
        pytest.param("1", False, id="string"),
    ],
)
def test_list_price_values(value: Any, ok: bool) -> None:
    relation = CATALOG.relation_map["products_price_books"]
    parsed = parse_relate_item(relation, {"id": "1000000000000000001", "list_price": value}, 0)
    assert isinstance(parsed, RelateItem)
    if ok:
        assert parsed.value_error is None and parsed.values == {"list_price": value}
    else:
        assert parsed.value_error is not None
        assert parsed.value_error.as_item() == {
            "code": "INVALID_DATA",
            "details": {"api_name": "list_price", "json_path": "$.data[0].list_price"},
            "message": "invalid data",
            "status": "error",
        }


# --- transactions ------------------------------------------------------------------------------


@contextmanager
def _failing_event_writes(services: Services, org_id: int) -> Iterator[None]:
    """Make the database itself refuse link-event rows of one org (a write failing mid-call)."""
    name = f"fail_events_{org_id}"
    with services.db.write() as conn:
        if services.db.is_sqlite:
            conn.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE INSERT ON link_events WHEN NEW.org_id = {org_id} "
                    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                )
            )
        else:
            conn.execute(
                text(
                    f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE INSERT ON link_events FOR EACH ROW "
                    f"WHEN (NEW.org_id = {org_id}) EXECUTE FUNCTION {name}()"
                )
            )
    try:
        yield
    finally:
        with services.db.write() as conn:
            if services.db.is_sqlite:
                conn.execute(text(f"DROP TRIGGER {name}"))
            else:
                conn.execute(text(f"DROP TRIGGER {name} ON link_events"))
                conn.execute(text(f"DROP FUNCTION {name}()"))


def test_a_failing_write_leaves_nothing_half_applied(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    books = org.create(client, "Price_Books", 3)
    assert _put(client, org, _pb_url(product), [{"id": books[0], "list_price": 1}]).status_code == 200
    before = org.stored_links("products_price_books")
    items = [{"id": books[0], "list_price": 9}, {"id": books[1], "list_price": 2}, {"id": books[2]}]
    with _failing_event_writes(org.services, org.org_id):
        response = _put(client, org, _pb_url(product), items)
        assert_zoho_error(response, 500, "INTERNAL_ERROR", "Internal server error occurred.", {})
        assert "injected" not in response.text
        delink = client.delete(_pb_url(product) + f"?ids={books[0]}", headers=org.headers)
        assert_zoho_error(delink, 500, "INTERNAL_ERROR")
    assert org.stored_links("products_price_books") == before  # no insert, no update, no delete
    assert [e.action for e in org.link_events()] == ["added"]
    assert _put(client, org, _pb_url(product), items).status_code == 200  # and it works again


# --- change events -----------------------------------------------------------------------------


def test_events_name_the_actor_the_time_and_both_records(client: Any, org: TestOrg) -> None:
    email = org.add_user("Administrator", name="Events Person")
    headers = org.headers_for(email)
    deal = org.create(client, "Deals")[0]
    contact = org.create(client, "Contacts")[0]
    started = now_us()
    url = f"/crm/{V}/Deals/{deal}/Contact_Roles/{contact}"
    client.put(url, json={"data": [{"Contact_Role": "Evaluator"}]}, headers=headers)
    client.put(url, json={"data": [{"Contact_Role": "Sponsor"}]}, headers=headers)
    client.delete(url, headers=headers)
    finished = now_us()
    events = org.link_events()
    assert [(e.action, e.old_data, e.new_data) for e in events] == [
        ("added", None, {"Contact_Role": "Evaluator"}),
        ("updated", {"Contact_Role": "Evaluator"}, {"Contact_Role": "Sponsor"}),
        ("removed", {"Contact_Role": "Sponsor"}, None),
    ]
    user_id = org.user_id(email)
    for e in events:
        assert (e.org_id, e.actor_id, e.relation) == (org.org_id, user_id, "deals_contact_roles")
        assert (e.left_id, e.right_id) == (int(deal), int(contact))
        assert started <= e.at <= finished
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    with org.services.db.read() as conn:
        assert link_store.events(conn, org.org_id, after_seq=events[0].seq) == events[1:]


def test_events_are_kept_per_org(client: Any, org: TestOrg, orgs: Any) -> None:
    other = orgs.create()
    for who in (org, other):
        product = who.create(client, "Products")[0]
        book = who.create(client, "Price_Books")[0]
        assert _put(client, who, _pb_url(product), [{"id": book}]).status_code == 200
    assert len(org.link_events()) == 1 and len(other.link_events()) == 1
    assert org.link_events()[0].org_id == org.org_id


# --- deleting records --------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v2", "v2.1"])
def test_deleting_a_record_removes_its_links_everywhere(client: Any, org: TestOrg, version: str) -> None:
    product, keep = org.create(client, "Products", 2)
    books = org.create(client, "Price_Books", 2)
    lead = org.create(client, "Leads")[0]
    campaign = org.create(client, "Campaigns")[0]
    _put(client, org, _pb_url(product), [{"id": books[0], "list_price": 5}, {"id": books[1]}])
    _put(client, org, _pb_url(keep), [{"id": books[0], "list_price": 7}])
    _put(client, org, f"/crm/{V}/Products/{product}/Leads", [{"id": lead}])
    _put(client, org, f"/crm/{V}/Campaigns/{campaign}/Leads", [{"id": lead, "Member_Status": "Sent"}])
    seq = org.link_events()[-1].seq

    assert client.delete(f"/crm/{version}/Products/{product}", headers=org.headers).status_code == 200
    assert _ids(client, org, f"/crm/{V}/Price_Books/{books[0]}/Products") == [keep]
    assert _ids(client, org, f"/crm/{V}/Price_Books/{books[1]}/Products") == []
    assert _ids(client, org, f"/crm/{V}/Leads/{lead}/Products") == []
    assert org.stored_links("products_price_books") == {(int(keep), int(books[0])): {"list_price": 7}}
    gone = [
        (e.action, e.relation, e.left_id, e.right_id, e.old_data, e.new_data)
        for e in org.link_events()
        if e.seq > seq
    ]
    assert sorted(gone) == sorted(
        [
            (
                "removed_by_delete",
                "products_price_books",
                int(product),
                int(books[0]),
                {"list_price": 5},
                None,
            ),
            ("removed_by_delete", "products_price_books", int(product), int(books[1]), {}, None),
            ("removed_by_delete", "products_leads", int(product), int(lead), {}, None),
        ]
    )
    # The right side of a relation too: deleting the lead ends its campaign membership.
    assert client.delete(f"/crm/{version}/Leads?ids={lead}", headers=org.headers).status_code == 200
    assert _ids(client, org, f"/crm/{V}/Campaigns/{campaign}/Leads") == []
    last = org.link_events()[-1]
    assert (last.action, last.left_id, last.right_id, last.old_data) == (
        "removed_by_delete",
        int(campaign),
        int(lead),
        {"Member_Status": "Sent"},
    )


def test_a_deleted_related_record_cannot_be_related(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    book = org.create(client, "Price_Books")[0]
    client.delete(f"/crm/{V}/Price_Books/{book}", headers=org.headers)
    (item,) = _put(client, org, _pb_url(product), [{"id": book}]).json()["data"]
    assert_item_error(item, "INVALID_DATA", "the related id given seems to be invalid", id=book)


# --- listing -----------------------------------------------------------------------------------


def test_paging_and_the_info_block(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    books = org.create(client, "Price_Books", 5)
    _put(client, org, _pb_url(product), [{"id": b, "list_price": i} for i, b in enumerate(books)])
    pages = []
    for page in (1, 2, 3):
        response = client.get(_pb_url(product) + f"?page={page}&per_page=2", headers=org.headers)
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["data", "info"]
        pages.append(body)
    assert [[r["id"] for r in p["data"]] for p in pages] == [books[0:2], books[2:4], books[4:]]
    assert [p["info"] for p in pages] == [
        {"per_page": 2, "count": 2, "page": 1, "more_records": True},
        {"per_page": 2, "count": 2, "page": 2, "more_records": True},
        {"per_page": 2, "count": 1, "page": 3, "more_records": False},
    ]
    beyond = client.get(_pb_url(product) + "?page=4&per_page=2", headers=org.headers)
    assert beyond.status_code == 204 and beyond.content == b""
    default = client.get(_pb_url(product), headers=org.headers).json()["info"]
    assert default == {"per_page": 200, "count": 5, "page": 1, "more_records": False}


def test_nothing_related_is_204_with_json_content_type(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    for url in (_pb_url(product), f"/crm/{V}/Products/{product}/Leads"):
        response = client.get(url, headers=org.headers)
        assert response.status_code == 204
        assert response.headers["content-type"] == JSON_TYPE
        assert response.content == b""


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        pytest.param("Price_Book_Name", {"Price_Book_Name", "id"}, id="record-field-only"),
        pytest.param(
            "Price_Book_Name,list_price", {"Price_Book_Name", "list_price", "id"}, id="with-relation-field"
        ),
        pytest.param("list_price", {"list_price", "id"}, id="relation-field-only"),
    ],
)
def test_fields_parameter(client: Any, org: TestOrg, fields: str, keys: set[str]) -> None:
    product = org.create(client, "Products")[0]
    book = org.create(client, "Price_Books")[0]
    _put(client, org, _pb_url(product), [{"id": book, "list_price": 4}])
    for url in (_pb_url(product), _pb_url(product, book)):
        (record,) = client.get(url + f"?fields={fields}", headers=org.headers).json()["data"]
        assert set(record) == keys


def _age(services: Services, org_id: int, record_ids: list[str], when: int) -> None:
    """Pretend the given records and their links last changed at ``when``."""
    ids = [int(i) for i in record_ids]
    with services.db.write() as conn:
        conn.execute(
            update(tables.records)
            .where(tables.records.c.org_id == org_id, tables.records.c.id.in_(ids))
            .values(modified_at=when)
        )
        links = tables.links
        conn.execute(
            update(links)
            .where(links.c.org_id == org_id)
            .where(links.c.left_id.in_(ids) | links.c.right_id.in_(ids))
            .values(modified_at=when)
        )


def test_if_modified_since(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    old, new = org.create(client, "Price_Books", 2)
    _put(client, org, _pb_url(product), [{"id": old, "list_price": 1}, {"id": new, "list_price": 2}])
    year_2020 = 1_577_836_800_000_000
    _age(org.services, org.org_id, [old, product], year_2020)
    since = {"If-Modified-Since": iso(year_2020 + 86_400_000_000)}
    future = {"If-Modified-Since": iso(now_us() + 3_600_000_000)}

    response = client.get(_pb_url(product), headers={**org.headers, **future})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["content-type"] == JSON_TYPE
    assert _ids(client, org, _pb_url(product), since) == [new]
    assert client.get(_pb_url(product, old), headers={**org.headers, **since}).status_code == 304
    assert _ids(client, org, _pb_url(product, new), since) == [new]
    # Changing the relation data of the old link makes it "modified" again.
    _put(client, org, _pb_url(product, old), [{"list_price": 3}])
    assert _ids(client, org, _pb_url(product), since) == sorted([old, new])


def test_get_single_of_an_unlinked_record_is_204(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    book = org.create(client, "Price_Books")[0]
    response = client.get(_pb_url(product, book), headers=org.headers)
    assert response.status_code == 204 and response.content == b""
    assert client.get(_pb_url(product, "1234567890123456789"), headers=org.headers).status_code == 204


def test_get_single_has_data_without_info(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    book = org.create(client, "Price_Books")[0]
    _put(client, org, _pb_url(product), [{"id": book, "list_price": 8.25}])
    body = client.get(_pb_url(product, book), headers=org.headers).json()
    assert list(body) == ["data"]
    assert body["data"][0]["list_price"] == 8.25


def test_lookup_lists_answer_get(client: Any, org: TestOrg) -> None:
    lead, other_lead = org.create(client, "Leads", 2)
    notes = org.create(client, "Notes", 2, Parent_Id={"id": lead}, **{"$se_module": "Leads"})
    org.create(client, "Notes", Parent_Id={"id": other_lead}, **{"$se_module": "Leads"})
    listed = client.get(f"/crm/{V}/Leads/{lead}/Notes", headers=org.headers).json()
    assert [n["id"] for n in listed["data"]] == notes
    assert listed["data"][0]["Parent_Id"]["id"] == lead
    assert listed["info"]["count"] == 2
    one = client.get(f"/crm/{V}/Leads/{lead}/Notes/{notes[1]}", headers=org.headers)
    assert one.status_code == 200 and one.json()["data"][0]["id"] == notes[1]
    assert client.get(f"/crm/{V}/Leads/{other_lead}/Notes/{notes[1]}", headers=org.headers).status_code == 204

    account = org.create(client, "Accounts")[0]
    deal = org.create(client, "Deals", Account_Name={"id": account})[0]
    assert _ids(client, org, f"/crm/{V}/Accounts/{account}/Deals") == [deal]
    assert client.get(f"/crm/{V}/Accounts/{account}/Contacts", headers=org.headers).status_code == 204


def test_related_list_names_are_case_insensitive(client: Any, org: TestOrg) -> None:
    product = org.create(client, "Products")[0]
    book = org.create(client, "Price_Books")[0]
    assert _put(client, org, f"/crm/{V}/products/{product}/price_books", [{"id": book}]).status_code == 200
    assert _ids(client, org, f"/crm/{V}/Price_Books/{book}/PRODUCTS") == [product]


# --- query plans -------------------------------------------------------------------------------


def _plan(conn: Connection, stmt: Any, params: dict[str, Any], sql: str | None = None) -> str:
    """The plan of ``stmt`` (or of ``sql``, its text as run, with ``stmt``'s parameters)."""
    sql = sql or str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": False}))
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, _positional(stmt, conn, params)).all()
        return "\n".join(str(r[-1]) for r in rows)
    rows = conn.exec_driver_sql("EXPLAIN " + sql, params).all()
    return "\n".join(str(r[0]) for r in rows)


def _positional(stmt: Any, conn: Connection, params: dict[str, Any]) -> tuple[Any, ...]:
    compiled = stmt.compile(dialect=conn.dialect)
    return tuple(params[name] for name in compiled.positiontup)


@pytest.mark.slow
def test_listing_a_page_of_10000_links_uses_the_indexes(org: TestOrg) -> None:
    services = org.services
    products = CATALOG.module_map["Products"]
    books_module = CATALOG.module_map["Price_Books"]
    actor = _admin_actor(org)
    with services.db.write() as conn:
        (product,) = _insert(conn, services, actor, products, 1)
        books = _insert(conn, services, actor, books_module, 10_000)
        target = rel.target_for(CATALOG, products, products.related_list_map["price_books"])
        for start in range(0, len(books), 100):
            chunk = [{"id": b, "list_price": 1.5} for b in books[start : start + 100]]
            assert all(r["status"] == "success" for r in rel.relate(conn, actor, target, product, chunk))
        conn.execute(text("ANALYZE"))
    with services.db.read() as conn:
        sqlite = conn.dialect.name == "sqlite"
        # On SQLite ``links`` is WITHOUT ROWID: its primary key is the table's own b-tree.
        for parent_is_left, parent, index in (
            (True, product, "PRIMARY KEY"),
            (False, books[0], "INDEX ix_links_right"),
        ):
            params = {
                "org": org.org_id,
                "rel": "products_price_books",
                "parent": parent,
                "limit": 201,
                "offset": 200,
            }
            plan = _plan(
                conn,
                link_store.list_statement(parent_is_left),
                params,
                link_store.list_sql(conn, parent_is_left),
            )
            if sqlite:
                # Links through the index whose order is the related id (the page's first id is
                # found in that index alone), records by primary key: nothing scanned or sorted.
                assert "SCAN" not in plan and "TEMP B-TREE" not in plan, plan
                assert f"links USING {index}" in plan, plan
            else:
                # The page is cut from an index scan of links. (With 10,000 records in the table
                # the planner may hash-join them rather than probe 201 times: cheaper at that size.)
                assert "Seq Scan on links" not in plan and "Index Scan using" in plan, plan
                assert plan.index("Limit") < plan.index("on links"), plan
        if sqlite:
            # Relating 100 items probes the primary key per id, never the org's 10,001 records.
            for parent_is_left in (True, False):
                sql = link_store.relate_lookup_sql(conn, parent_is_left)
                args = ("products_price_books", product, org.org_id, "[1,2]")
                plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, args))
                assert "SEARCH records USING INDEX sqlite_autoindex_records_1 (org_id=? AND id=?)" in plan, (
                    plan
                )
                assert "ix_records_module" not in plan, plan
        page = rel.list_related(conn, CATALOG, org.org_id, target, product, page=2, per_page=200)
    assert [int(r["id"]) for r in page.data] == books[200:400]
    assert page.more_records and all(r["list_price"] == 1.5 for r in page.data)


def _admin_actor(org: TestOrg) -> Any:
    from crmlink.domain.auth import actor_for_token

    with org.services.db.read() as conn:
        return actor_for_token(conn, org.token)


def _insert(conn: Connection, services: Services, actor: Any, module: Any, count: int) -> list[int]:
    out: list[int] = []
    for start in range(0, count, 100):
        items = [record_fields(module.api_name, i) for i in range(start, min(count, start + 100))]
        results = rec.insert_records(conn, CATALOG, services.ids, actor, module, items)
        out += [int(r["details"]["id"]) for r in results]
    return out


# --- concurrency -------------------------------------------------------------------------------


def test_concurrent_calls_relating_the_same_new_link_take_turns(client: Any, org: TestOrg) -> None:
    """Two calls that both find a link missing: the second waits for the first and then sees
    the link (an update), instead of failing on the primary key after it."""
    import threading
    import time

    product = org.create(client, "Products")[0]
    book = org.create(client, "Price_Books")[0]
    books = CATALOG.module_map["Products"]
    target = rel.target_for(CATALOG, books, books.related_list_map["price_books"])
    actor = _admin_actor(org)
    outcome: dict[str, Any] = {}

    def second() -> None:
        try:
            with org.services.db.write() as conn:
                outcome["b"] = rel.relate(conn, actor, target, int(product), [{"id": book, "list_price": 2}])
        except Exception as exc:  # reported below
            outcome["b"] = exc

    with org.services.db.write() as conn:
        first = rel.relate(conn, actor, target, int(product), [{"id": book, "list_price": 1}])
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)  # let the second call reach the point where it would race
    thread.join(timeout=60)
    assert first[0]["message"] == "relation added"
    assert not isinstance(outcome["b"], Exception), outcome["b"]
    assert outcome["b"][0]["message"] == "relation added"
    assert org.stored_links("products_price_books") == {(int(product), int(book)): {"list_price": 2}}
    assert [e.action for e in org.link_events()] == ["added", "updated"]
