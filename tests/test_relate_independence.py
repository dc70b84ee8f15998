"""PostgreSQL: relates of one relation do not wait for each other, and never link a record that
a concurrent delete removes (storage/links.py: row locks, no per-relation lock).

Each test holds one transaction open at a real point of the real code path: a listener on its
connection blocks just before the transaction numbers its changes (``storage/changes.py``, the
last statement before commit), when it holds every record and link lock it takes. Another call
then runs on another connection. PostgreSQL only (SQLite runs one writer at a time by design):
the ``database_url`` fixture is parametrized here with its PostgreSQL value alone, so these
tests fail rather than skip when PostgreSQL is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, event

from crmlink.api.context import Services
from crmlink.domain import convert as conversion
from crmlink.domain import records as rec
from crmlink.domain import relations
from crmlink.domain.auth import Actor, actor_for_token
from crmlink.domain.catalog_data import CATALOG
from crmlink.storage import links
from tests.factories import TestOrg, record_fields

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

WAIT = 20.0  # seconds: far above what any of these calls takes when it does not wait


def _actor(services: Services, org: TestOrg) -> Actor:
    with services.db.read() as conn:
        return actor_for_token(conn, org.token)


def _new(services: Services, actor: Actor, module: str, n: int) -> list[int]:
    with services.db.write() as conn:
        out = rec.insert_records(
            conn,
            CATALOG,
            services.ids,
            actor,
            CATALOG.module_map[module],
            [record_fields(module, i) for i in range(n)],
        )
    return [int(o["details"]["id"]) for o in out]


def _target() -> relations.Target:
    products = CATALOG.module_map["Products"]
    return relations.target_for(
        CATALOG, products, relations.find_related_list(CATALOG, products, "Price_Books")
    )


class _Held:
    """A write transaction run on a thread, held just before it numbers its changes."""

    def __init__(self, services: Services, work: Callable[[Connection], Any]) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

        def hold(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            if "change_counters" in statement and not self.reached.is_set():
                self.reached.set()
                assert self.release.wait(WAIT * 2), "never released"

        def run() -> None:
            # The listener stays for the whole transaction: on PostgreSQL the change log is
            # written when the ``write()`` block ends (storage/changes.py, ``deferred``).
            held: list[Connection] = []
            try:
                with services.db.write() as conn:
                    held.append(conn)
                    event.listen(conn, "before_cursor_execute", hold)
                    self.result = work(conn)
            except BaseException as error:  # pragma: no cover - reported by the test
                self.error = error
                self.reached.set()
            finally:
                for conn in held:
                    event.remove(conn, "before_cursor_execute", hold)

        self.thread = threading.Thread(target=run)

    @contextmanager
    def held(self) -> Iterator[None]:
        self.thread.start()
        try:
            assert self.reached.wait(WAIT), "the held transaction never got to its change log"
            assert self.error is None, self.error
            yield
        finally:
            self.release.set()
            self.thread.join(WAIT)
        assert not self.thread.is_alive()
        assert self.error is None, self.error


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = work()
        except BaseException as error:  # pragma: no cover - reported by the test
            out["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_a_relate_to_another_parent_of_the_relation_completes_while_one_is_held(
    services: Services, org: TestOrg
) -> None:
    actor = _actor(services, org)
    product_a, product_b = _new(services, actor, "Products", 2)
    books = _new(services, actor, "Price_Books", 3)
    target = _target()
    items = [{"id": str(b), "list_price": 10.0} for b in books]
    first = _Held(services, lambda conn: relations.relate(conn, actor, target, product_a, items))
    with first.held():
        # Product A's relate holds its records and links, uncommitted. Product B's relate of the
        # same relation, same related records, commits meanwhile.
        def second() -> list[dict[str, Any]]:
            with services.db.write() as conn:
                return relations.relate(conn, actor, target, product_b, list(reversed(items)))

        thread, out = _in_thread(second)
        thread.join(WAIT)
        assert not thread.is_alive(), "the relate to Product B waited for the one to Product A"
        assert "error" not in out, out.get("error")
        assert [r["status"] for r in out["result"]] == ["success"] * 3
        with services.db.read() as conn:
            stored = links.link_pairs(conn, org.org_id, "products_price_books")
        assert set(stored) == {(product_b, b) for b in books}  # A's are not committed yet
    assert [r["status"] for r in first.result] == ["success"] * 3
    with services.db.read() as conn:
        stored = links.link_pairs(conn, org.org_id, "products_price_books")
        events = links.events(conn, org.org_id)
    assert set(stored) == {(p, b) for p in (product_a, product_b) for b in books}
    assert all(data == {"list_price": 10.0} for data in stored.values())
    added = [(e.action, e.left_id, e.right_id, e.new_data) for e in events]
    assert sorted(added) == sorted(
        ("added", p, b, {"list_price": 10.0}) for p in (product_a, product_b) for b in books
    )


def test_two_relates_of_one_link_update_it_in_turn_with_exact_events(
    services: Services, org: TestOrg
) -> None:
    """The second relate of the same link waits for the first, then merges onto what it stored:
    its event's old data is the first one's new data."""
    actor = _actor(services, org)
    (product,) = _new(services, actor, "Products", 1)
    (book,) = _new(services, actor, "Price_Books", 1)
    target = _target()
    first = _Held(
        services,
        lambda conn: relations.relate(conn, actor, target, product, [{"id": str(book), "list_price": 1.0}]),
    )
    with first.held():

        def second() -> list[dict[str, Any]]:
            with services.db.write() as conn:
                return relations.relate(conn, actor, target, product, [{"id": str(book), "list_price": 2.0}])

        thread, out = _in_thread(second)
        thread.join(0.5)
        assert thread.is_alive(), "the second writer of one link did not wait for the first"
    thread.join(WAIT)
    assert "error" not in out, out.get("error")
    with services.db.read() as conn:
        events = links.events(conn, org.org_id)
        stored = links.link_pairs(conn, org.org_id, "products_price_books")
    assert [(e.action, e.old_data, e.new_data) for e in events] == [
        ("added", None, {"list_price": 1.0}),
        ("updated", {"list_price": 1.0}, {"list_price": 2.0}),
    ]
    assert stored == {(product, book): {"list_price": 2.0}}


def test_a_relate_to_a_record_being_deleted_waits_and_finds_it_gone(services: Services, org: TestOrg) -> None:
    actor = _actor(services, org)
    (product,) = _new(services, actor, "Products", 1)
    keep, doomed = _new(services, actor, "Price_Books", 2)
    target = _target()
    books = CATALOG.module_map["Price_Books"]
    deleting = _Held(services, lambda conn: rec.delete_records(conn, CATALOG, actor, books, [doomed]))
    with deleting.held():

        def relate() -> list[dict[str, Any]]:
            with services.db.write() as conn:
                return relations.relate(
                    conn, actor, target, product, [{"id": str(keep)}, {"id": str(doomed)}]
                )

        thread, out = _in_thread(relate)
        thread.join(0.5)
        assert thread.is_alive(), "the relate did not wait for the delete of its record"
    thread.join(WAIT)
    assert "error" not in out, out.get("error")
    assert [r["status"] for r in out["result"]] == ["success", "error"]
    with services.db.read() as conn:
        assert set(links.link_pairs(conn, org.org_id, "products_price_books")) == {(product, keep)}


def test_a_delete_waits_for_a_relate_of_its_record_and_removes_the_new_link(
    services: Services, org: TestOrg
) -> None:
    actor = _actor(services, org)
    (product,) = _new(services, actor, "Products", 1)
    (book,) = _new(services, actor, "Price_Books", 1)
    target = _target()
    books = CATALOG.module_map["Price_Books"]
    relating = _Held(
        services, lambda conn: relations.relate(conn, actor, target, product, [{"id": str(book)}])
    )
    with relating.held():

        def delete() -> list[dict[str, Any]]:
            with services.db.write() as conn:
                return rec.delete_records(conn, CATALOG, actor, books, [book])

        thread, out = _in_thread(delete)
        thread.join(0.5)
        assert thread.is_alive(), "the delete did not wait for the relate of its record"
    thread.join(WAIT)
    assert "error" not in out, out.get("error")
    assert [r["status"] for r in out["result"]] == ["success"]
    with services.db.read() as conn:
        assert links.link_pairs(conn, org.org_id, "products_price_books") == {}
        actions = [(e.action, e.left_id, e.right_id) for e in links.events(conn, org.org_id)]
    assert actions == [("added", product, book), ("removed_by_delete", product, book)]


def _list(module: str, related: str) -> relations.Target:
    parent = CATALOG.module_map[module]
    return relations.target_for(CATALOG, parent, relations.find_related_list(CATALOG, parent, related))


def test_a_lead_conversion_waits_for_a_relate_of_its_contact_and_keeps_its_link(
    services: Services, org: TestOrg
) -> None:
    """Conversion moves the lead's campaign links to the contact while a relate of the same
    campaign to that contact is open: the conversion waits on that link, keeps the relate's link
    as it is, and writes ``removed`` for the lead's link only (no deadlock, no duplicate)."""
    actor = _actor(services, org)
    (campaign,) = _new(services, actor, "Campaigns", 1)
    (lead,) = _new(services, actor, "Leads", 1)
    (contact,) = _new(services, actor, "Contacts", 1)
    with services.db.write() as conn:
        relations.relate(conn, actor, _list("Campaigns", "Leads"), campaign, [{"id": str(lead)}])
    relating = _Held(
        services,
        lambda conn: relations.relate(
            conn, actor, _list("Campaigns", "Contacts"), campaign, [{"id": str(contact)}]
        ),
    )
    with relating.held():

        def convert() -> dict[str, Any]:
            with services.db.write() as conn:
                return conversion.convert_lead(
                    conn, CATALOG, services.ids, actor, lead, {"Contacts": str(contact)}
                )

        thread, out = _in_thread(convert)
        thread.join(0.5)
        assert thread.is_alive(), "the conversion did not wait for the relate of the contact"
    thread.join(WAIT)
    assert "error" not in out, out.get("error")
    assert out["result"]["Contacts"] == str(contact)
    with services.db.read() as conn:
        assert links.link_pairs(conn, org.org_id, "campaigns_leads") == {}
        assert set(links.link_pairs(conn, org.org_id, "campaigns_contacts")) == {(campaign, contact)}
        actions = [(e.relation, e.action) for e in links.events(conn, org.org_id)]
    assert actions == [
        ("campaigns_leads", "added"),
        ("campaigns_contacts", "added"),
        ("campaigns_leads", "removed"),
    ]
