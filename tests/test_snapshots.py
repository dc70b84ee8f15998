"""``storage.snapshots`` on both engines: after any mix of changes, a restore gives back every
data table's rows of the org exactly (compared row by row), whether the table had rows at the
snapshot or not, and leaves other orgs and other snapshots alone."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy import event, select

from crmlink.api.context import Services
from crmlink.storage import snapshots
from tests.factories import OrgFactory, TestOrg


def dump(services: Services, org_id: int) -> dict[str, list[tuple[Any, ...]]]:
    with services.db.read() as conn:
        out = {}
        for table in snapshots._data_tables():
            rows = conn.execute(select(table).where(table.c.org_id == org_id)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return out


def test_restore_gives_back_every_row(
    services: Services, org: TestOrg, orgs: OrgFactory, client: TestClient[Any]
) -> None:
    h = org.headers
    made = client.post(
        "/crm/v2.1/Products", headers=h, json={"data": [{"Product_Name": f"P{i}"} for i in range(3)]}
    ).json()["data"]
    products = [m["details"]["id"] for m in made]
    book = client.post(
        "/crm/v2.1/Price_Books", headers=h, json={"data": [{"Price_Book_Name": "Retail"}]}
    ).json()["data"][0]["details"]["id"]
    for p in products:
        client.put(
            f"/crm/v2.1/Products/{p}/Price_Books", headers=h, json={"data": [{"id": book, "list_price": 5}]}
        )
    other = orgs.create()
    client.post("/crm/v2.1/Leads", headers=other.headers, json={"data": [{"Last_Name": "X", "Company": "Y"}]})
    other_before = dump(services, other.org_id)
    before = dump(services, org.org_id)
    with services.db.write() as conn:
        rows = snapshots.take(conn, org.org_id, 77)
        snapshots.record(conn, org.org_id, 77, 0, rows)
    assert rows == sum(len(v) for v in before.values())

    # updates, deletes (recycle bin rows, link removals), inserts, and tags (empty at the snapshot)
    client.put(f"/crm/v2.1/Products/{products[0]}", headers=h, json={"data": [{"Product_Name": "Renamed"}]})
    client.delete(f"/crm/v2.1/Products/{products[1]}", headers=h)
    client.delete(f"/crm/v2.1/Products/{products[2]}/Price_Books/{book}", headers=h)
    client.post("/crm/v2.1/Leads", headers=h, json={"data": [{"Last_Name": "New", "Company": "C"}]})
    client.post(f"/crm/v2.1/Products/{products[0]}/actions/add_tags", headers=h, params={"tag_names": "hot"})
    changed = dump(services, org.org_id)
    assert changed != before
    # tables empty at the snapshot got rows; tables with rows lost some
    assert changed["record_tags"] and not before["record_tags"]
    assert changed["deleted_records"] and not before["deleted_records"]
    assert len(changed["links"]) < len(before["links"])

    with services.db.write() as conn:
        assert snapshots.restore(conn, org.org_id, 77) == rows
    assert dump(services, org.org_id) == before
    with services.db.write() as conn:  # twice: the same
        snapshots.restore(conn, org.org_id, 77)
    assert dump(services, org.org_id) == before
    assert dump(services, other.org_id) == other_before
    with services.db.write() as conn:
        assert snapshots.restore(conn, other.org_id, 77) is None
        assert snapshots.drop(conn, org.org_id, 77)
        assert snapshots.restore(conn, org.org_id, 77) is None


def test_restore_after_updates_only(services: Services, org: TestOrg, client: TestClient[Any]) -> None:
    """Changed rows come back by key (the first step's keys), with nothing deleted or added."""
    h = org.headers
    made = client.post(
        "/crm/v2.1/Products", headers=h, json={"data": [{"Product_Name": f"P{i}"} for i in range(4)]}
    ).json()["data"]
    products = [m["details"]["id"] for m in made]
    book = client.post(
        "/crm/v2.1/Price_Books", headers=h, json={"data": [{"Price_Book_Name": "Retail"}]}
    ).json()["data"][0]["details"]["id"]
    for p in products:
        client.put(
            f"/crm/v2.1/Products/{p}/Price_Books", headers=h, json={"data": [{"id": book, "list_price": 5}]}
        )
    before = dump(services, org.org_id)
    with services.db.write() as conn:
        rows = snapshots.take(conn, org.org_id, 78)
        snapshots.record(conn, org.org_id, 78, 0, rows)
    client.put(
        "/crm/v2.1/Products",
        headers=h,
        json={"data": [{"id": p, "Product_Name": f"Q{p}"} for p in products[:2]]},
    )
    client.put(
        f"/crm/v2.1/Products/{products[3]}/Price_Books",
        headers=h,
        json={"data": [{"id": book, "list_price": 9}]},
    )
    changed = dump(services, org.org_id)
    assert changed["records"] != before["records"] and changed["links"] != before["links"]
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", seen)
    try:
        with services.db.write() as conn:
            snapshots.restore(conn, org.org_id, 78)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", seen)
    assert dump(services, org.org_id) == before
    # no full "bring back what is missing" step on records and links: their changed rows came
    # back by key (change_counters, one row keyed by the org alone, has no other way)
    full = [
        s
        for s in statements
        if s.startswith(("INSERT INTO records ", "INSERT INTO links ")) and "NOT (EXISTS" in s
    ]
    assert full == [], full
    assert any(s.startswith("INSERT INTO links") for s in statements)
