"""Every relation, from every side that addresses it: relate (bulk and single), update relation
data, list, delink (bulk and single), with the change events each step writes.

One row per (parent module, related list); a failure names the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from crmlink.domain.catalog_data import CATALOG
from tests.factories import TestOrg
from tests.helpers import JSON_TYPE, assert_success


@dataclass(frozen=True)
class Direction:
    parent: str  # module name in the URL (may be an old name)
    related_list: str  # related list name in the URL (may be an old name)
    related: str  # module of the related records
    relation: str
    reverse: str | None  # related list of ``related`` that shows the same links
    values: dict[str, Any] = field(default_factory=dict)
    changed: dict[str, Any] = field(default_factory=dict)

    @property
    def parent_api(self) -> str:
        module = CATALOG.find_module(self.parent)
        assert module is not None
        return module.api_name

    def pair(self, parent_id: str, other_id: str) -> tuple[int, int]:
        """(left_id, right_id) of the stored link."""
        left_is_parent = CATALOG.relation_map[self.relation].left == self.parent_api
        p, o = int(parent_id), int(other_id)
        return (p, o) if left_is_parent else (o, p)

    def row_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """Relation keys as a listed record shows them: every relation field, null when unset."""
        return {f.api_name: values.get(f.api_name) for f in CATALOG.relation_map[self.relation].fields}


_MS = ({"Member_Status": "Invited"}, {"Member_Status": "Responded"})
_LP = ({"list_price": 100.5}, {"list_price": 90.9})
_CR = ({"Contact_Role": "Decision Maker"}, {"Contact_Role": "Evaluator"})

DIRECTIONS = [
    pytest.param(
        Direction("Campaigns", "Leads", "Leads", "campaigns_leads", "Campaigns", *_MS), id="Campaigns-Leads"
    ),
    pytest.param(
        Direction("Leads", "Campaigns", "Campaigns", "campaigns_leads", "Leads", *_MS), id="Leads-Campaigns"
    ),
    pytest.param(
        Direction("Campaigns", "Contacts", "Contacts", "campaigns_contacts", "Campaigns", *_MS),
        id="Campaigns-Contacts",
    ),
    pytest.param(
        Direction("Contacts", "Campaigns", "Campaigns", "campaigns_contacts", "Contacts", *_MS),
        id="Contacts-Campaigns",
    ),
    pytest.param(Direction("Products", "Leads", "Leads", "products_leads", "Products"), id="Products-Leads"),
    pytest.param(Direction("Leads", "Products", "Products", "products_leads", "Leads"), id="Leads-Products"),
    pytest.param(
        Direction("Products", "Accounts", "Accounts", "products_accounts", "Products"), id="Products-Accounts"
    ),
    pytest.param(
        Direction("Accounts", "Products", "Products", "products_accounts", "Accounts"), id="Accounts-Products"
    ),
    pytest.param(
        Direction("Products", "Contacts", "Contacts", "products_contacts", "Products"), id="Products-Contacts"
    ),
    pytest.param(
        Direction("Contacts", "Products", "Products", "products_contacts", "Contacts"), id="Contacts-Products"
    ),
    pytest.param(Direction("Products", "Deals", "Deals", "products_deals", "Products"), id="Products-Deals"),
    pytest.param(Direction("Deals", "Products", "Products", "products_deals", "Deals"), id="Deals-Products"),
    pytest.param(
        Direction("Potentials", "Products", "Products", "products_deals", "Deals"), id="Potentials-Products"
    ),
    pytest.param(
        Direction("Products", "Potentials", "Deals", "products_deals", "Products"), id="Products-Potentials"
    ),
    pytest.param(
        Direction("Products", "Price_Books", "Price_Books", "products_price_books", "Products", *_LP),
        id="Products-Price_Books",
    ),
    pytest.param(
        Direction("Price_Books", "Products", "Products", "products_price_books", "Price_Books", *_LP),
        id="Price_Books-Products",
    ),
    pytest.param(
        Direction("Deals", "Contact_Roles", "Contacts", "deals_contact_roles", None, *_CR),
        id="Deals-Contact_Roles",
    ),
    pytest.param(
        Direction("Cases", "Solutions", "Solutions", "cases_solutions", "Cases"), id="Cases-Solutions"
    ),
    pytest.param(
        Direction("Solutions", "Cases", "Cases", "cases_solutions", "Solutions"), id="Solutions-Cases"
    ),
]


def _url(version: str, d: Direction, parent_id: str, *rest: str) -> str:
    return "/".join([f"/crm/{version}", d.parent, parent_id, d.related_list, *rest])


def _setup(client: Any, org: TestOrg, d: Direction, count: int) -> tuple[str, list[str]]:
    parent = org.create(client, d.parent_api)[0]
    return parent, org.create(client, d.related, count)


def _listed(client: Any, org: TestOrg, url: str) -> list[dict[str, Any]]:
    response = client.get(url, headers=org.headers)
    if response.status_code == 204:
        assert response.content == b"" and response.headers["content-type"] == JSON_TYPE
        return []
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _assert_reverse(
    client: Any, org: TestOrg, d: Direction, other: str, parent: str, values: dict[str, Any]
) -> None:
    """The same link seen from the related record's side shows the parent with the same data."""
    if d.reverse is None:
        return
    listed = _listed(client, org, f"/crm/v2.1/{d.related}/{other}/{d.reverse}")
    assert [r["id"] for r in listed] == [parent]
    assert {k: listed[0][k] for k in d.row_values(values)} == d.row_values(values)


@pytest.mark.parametrize("version", ["v2", "v2.1"])
@pytest.mark.parametrize("d", DIRECTIONS)
def test_relate_bulk_then_list_from_both_sides(client: Any, org: TestOrg, d: Direction, version: str) -> None:
    parent, others = _setup(client, org, d, 2)
    response = client.put(
        _url(version, d, parent), json={"data": [{"id": o, **d.values} for o in others]}, headers=org.headers
    )
    assert response.status_code == 200, response.text
    items = response.json()["data"]
    for item, other in zip(items, others, strict=True):
        assert_success(item, "relation added")
        assert item["details"] == {"id": other}

    listed = _listed(client, org, _url(version, d, parent))
    assert [r["id"] for r in listed] == sorted(others)
    plain = client.get(f"/crm/v2.1/{d.related}/{others[0]}", headers=org.headers).json()["data"][0]
    # A record read carries its ``Tag``; related-list rows leave it out (docs/related-records.md).
    assert set(listed[0]) == (set(plain) - {"Tag"}) | set(d.row_values(d.values))
    for record in listed:
        assert {k: record[k] for k in d.row_values(d.values)} == d.row_values(d.values)
    for other in others:
        _assert_reverse(client, org, d, other, parent, d.values)

    events = org.link_events()
    assert [(e.action, e.relation, (e.left_id, e.right_id)) for e in events] == [
        ("added", d.relation, d.pair(parent, o)) for o in others
    ]
    assert all(e.old_data is None and e.new_data == d.values and e.actor_id == org.admin_id for e in events)


@pytest.mark.parametrize("d", DIRECTIONS)
def test_relate_single_then_get_single(client: Any, org: TestOrg, d: Direction) -> None:
    parent, (other,) = _setup(client, org, d, 1)
    response = client.put(_url("v2.1", d, parent, other), json={"data": [d.values]}, headers=org.headers)
    assert response.status_code == 200, response.text
    (item,) = response.json()["data"]
    assert_success(item, "relation added")
    assert item["details"] == {"id": other}

    one = client.get(_url("v2.1", d, parent, other), headers=org.headers)
    assert one.status_code == 200, one.text
    (record,) = one.json()["data"]
    assert record["id"] == other
    assert {k: record[k] for k in d.row_values(d.values)} == d.row_values(d.values)
    _assert_reverse(client, org, d, other, parent, d.values)
    assert org.stored_links(d.relation) == {d.pair(parent, other): d.values}


@pytest.mark.parametrize("d", DIRECTIONS)
def test_rerelating_updates_relation_data(client: Any, org: TestOrg, d: Direction) -> None:
    parent, (other,) = _setup(client, org, d, 1)
    first = client.put(
        _url("v2.1", d, parent), json={"data": [{"id": other, **d.values}]}, headers=org.headers
    )
    assert first.status_code == 200, first.text
    again = client.put(_url("v2.1", d, parent, other), json={"data": [d.changed]}, headers=org.headers)
    assert again.status_code == 200, again.text
    assert_success(again.json()["data"][0], "relation added")

    (record,) = _listed(client, org, _url("v2.1", d, parent))
    assert {k: record[k] for k in d.row_values(d.changed)} == d.row_values(d.changed)
    _assert_reverse(client, org, d, other, parent, d.changed)
    assert org.stored_links(d.relation) == {d.pair(parent, other): d.changed}
    expected = [("added", None, d.values)]
    if d.changed != d.values:
        expected.append(("updated", d.values, d.changed))
    assert [(e.action, e.old_data, e.new_data) for e in org.link_events()] == expected


@pytest.mark.parametrize("d", DIRECTIONS)
def test_delink_bulk(client: Any, org: TestOrg, d: Direction) -> None:
    parent, others = _setup(client, org, d, 3)
    related = client.put(
        _url("v2.1", d, parent), json={"data": [{"id": o, **d.values} for o in others]}, headers=org.headers
    )
    assert related.status_code == 200, related.text
    gone = [others[2], others[0]]
    response = client.delete(_url("v2.1", d, parent) + "?ids=" + ",".join(gone), headers=org.headers)
    assert response.status_code == 200, response.text
    for item, other in zip(response.json()["data"], gone, strict=True):
        assert_success(item, "relation removed")
        assert item["details"] == {"id": other}

    assert [r["id"] for r in _listed(client, org, _url("v2.1", d, parent))] == [others[1]]
    if d.reverse is not None:
        assert _listed(client, org, f"/crm/v2.1/{d.related}/{others[0]}/{d.reverse}") == []
    assert org.stored_links(d.relation) == {d.pair(parent, others[1]): d.values}
    removed = [(e.action, (e.left_id, e.right_id), e.old_data, e.new_data) for e in org.link_events()[3:]]
    assert removed == [("removed", d.pair(parent, o), d.values, None) for o in gone]


@pytest.mark.parametrize("d", DIRECTIONS)
def test_delink_single(client: Any, org: TestOrg, d: Direction) -> None:
    parent, (other,) = _setup(client, org, d, 1)
    client.put(_url("v2.1", d, parent, other), json={"data": [d.values]}, headers=org.headers)
    response = client.delete(_url("v2.1", d, parent, other), headers=org.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": [
            {"code": "SUCCESS", "details": {"id": other}, "message": "relation removed", "status": "success"}
        ]
    }
    assert _listed(client, org, _url("v2.1", d, parent)) == []
    assert client.get(_url("v2.1", d, parent, other), headers=org.headers).status_code == 204
    if d.reverse is not None:
        assert _listed(client, org, f"/crm/v2.1/{d.related}/{other}/{d.reverse}") == []
    assert org.stored_links(d.relation) == {}
    assert [e.action for e in org.link_events()] == ["added", "removed"]


def test_the_docs_list_every_relation_and_every_related_list() -> None:
    from pathlib import Path

    from crmlink.domain.catalog import ListKind

    doc = (Path(__file__).parents[1] / "docs" / "related-records.md").read_text()
    for module in CATALOG.modules:
        for rl in module.related_lists:
            if rl.kind is ListKind.LINK:
                assert f"{module.api_name}/{{id}}/{rl.api_name}" in doc, (module.api_name, rl.api_name)
    for relation in CATALOG.relations:
        for f in relation.fields:
            assert f"`{f.api_name}`" in doc, (relation.name, f.api_name)
    tested = {p.values[0].relation for p in DIRECTIONS}
    assert tested == {r.name for r in CATALOG.relations}
