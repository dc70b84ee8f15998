"""A driver for the crash and concurrency tests: clients streaming relate, update and delink
calls on Products <-> Price_Books links (with ``list_price``), and the checks run afterwards.

Each client is its own user, so the change events it caused carry its ``actor_id``; each relate
item carries a ``list_price`` no other item ever uses, so an event names the item that made it.
The verification (``verify``) then needs no trust in the server's answers beyond what it
acknowledged:

* replaying ``link_events`` in ``seq`` order gives exactly the ``links`` table;
* per client, the events it caused match its calls in the order it made them: every
  acknowledged SUCCESS item has its event (with its relation data), an acknowledged call's
  events come from one transaction (one ``at``), and a call whose answer was lost (the server
  was killed) left either all of its effects or none;
* no event comes from nowhere.

"Update" is a relate on an existing link with a new ``list_price`` (an ``updated`` event).
"""

from __future__ import annotations

import itertools
import json
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from crmlink.storage import tables
from crmlink.storage.engine import Database
from tests.factories import TestOrg, record_fields

V = "v2.1"
RELATION = "products_price_books"  # left = Products, right = Price_Books

Link = tuple[str, str]  # (product id, price book id): the stored orientation
Effect = tuple[str, Link, Any]  # ("set", link, list_price) or ("removed", link, None)


@dataclass
class Call:
    client: int
    kind: str  # relate | delink | record (an update of a product's Description)
    method: str
    path: str
    body: dict[str, Any] | None
    effects: list[Effect]  # what each item would do, in item order
    status: int | None = None  # None: no answer (transport error)
    ok: list[bool] = field(default_factory=list)  # per item, when answered
    text: str = ""

    @property
    def answered(self) -> bool:
        return self.status is not None


@dataclass
class Stats:
    calls: int = 0
    answered: int = 0
    lost: int = 0
    items_ok: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


def setup_records(
    base_url: str, org: TestOrg, products: int, price_books: int
) -> tuple[list[str], list[str]]:
    with httpx.Client(base_url=base_url, headers=org.headers, timeout=30) as http:
        made: list[list[str]] = []
        for module, count in (("Products", products), ("Price_Books", price_books)):
            items = [record_fields(module, i) for i in range(count)]
            response = http.post(f"/crm/{V}/{module}", json={"data": items})
            assert response.status_code == 201, response.text
            made.append([item["details"]["id"] for item in response.json()["data"]])
    return made[0], made[1]


class Client(threading.Thread):
    """One user making one call at a time until ``stop`` is set."""

    def __init__(
        self,
        index: int,
        headers: dict[str, str],
        base_url: Callable[[int], str],
        products: Sequence[str],
        price_books: Sequence[str],
        stop: threading.Event,
        up: threading.Event | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__(daemon=True)
        self.index, self.headers, self.base_url = index, headers, base_url
        self.products, self.price_books = list(products), list(price_books)
        self.stop, self.up = stop, up
        self.random = random.Random(seed * 1000 + index)
        self.prices = itertools.count(index * 10_000_000 + 1)
        self.calls: list[Call] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with httpx.Client(timeout=60) as http:
                n = 0
                while not self.stop.is_set():
                    if self.up is not None and not self.up.wait(0.2):
                        continue
                    call = self.next_call()
                    self.calls.append(call)
                    self.send(http, call, self.base_url(n))
                    n += 1
        except BaseException as exc:  # surfaced by the test
            self.error = exc

    def next_call(self) -> Call:
        r = self.random
        pb, product = r.choice(self.price_books), r.choice(self.products)
        kind = r.choice(
            ["relate-pb", "relate-product", "relate-one", "relate-one", "delink-pb", "delink-one", "record"]
        )
        if kind == "record":
            text = f"c{self.index}-{next(self.prices)}"
            body = {"data": [{"Description": text}]}
            return Call(
                self.index, "record", "PUT", f"/Products/{product}", body, [("record", (product, ""), text)]
            )
        if kind == "relate-pb":
            chosen = r.sample(self.products, r.randint(1, min(4, len(self.products))))
            items = [{"id": p, "list_price": next(self.prices)} for p in chosen]
            effects: list[Effect] = [("set", (i["id"], pb), i["list_price"]) for i in items]
            return Call(self.index, "relate", "PUT", f"/Price_Books/{pb}/Products", {"data": items}, effects)
        if kind == "relate-product":
            chosen = r.sample(self.price_books, r.randint(1, min(3, len(self.price_books))))
            items = [{"id": b, "list_price": next(self.prices)} for b in chosen]
            effects = [("set", (product, i["id"]), i["list_price"]) for i in items]
            return Call(
                self.index, "relate", "PUT", f"/Products/{product}/Price_Books", {"data": items}, effects
            )
        if kind == "relate-one":
            price = next(self.prices)
            body = {"data": [{"list_price": price}]}
            path = f"/Price_Books/{pb}/Products/{product}"
            return Call(self.index, "relate", "PUT", path, body, [("set", (product, pb), price)])
        if kind == "delink-pb":
            chosen = r.sample(self.products, r.randint(1, min(3, len(self.products))))
            path = f"/Price_Books/{pb}/Products?ids={','.join(chosen)}"
            return Call(
                self.index, "delink", "DELETE", path, None, [("removed", (p, pb), None) for p in chosen]
            )
        path = f"/Products/{product}/Price_Books/{pb}"
        return Call(self.index, "delink", "DELETE", path, None, [("removed", (product, pb), None)])

    def send(self, http: httpx.Client, call: Call, base_url: str) -> None:
        try:
            response = http.request(
                call.method, f"{base_url}/crm/{V}{call.path}", json=call.body, headers=self.headers
            )
        except httpx.TransportError:
            return  # no answer: the call may or may not have been applied
        call.status, call.text = response.status_code, response.text
        if response.status_code in (200, 207, 400) and response.content:
            body = response.json()
            if isinstance(body.get("data"), list):
                call.ok = [item.get("status") == "success" for item in body["data"]]


def stats(clients: Sequence[Client]) -> Stats:
    out = Stats()
    for client in clients:
        for call in client.calls:
            out.calls += 1
            if call.answered:
                out.answered += 1
                out.items_ok += sum(call.ok)
                assert call.status is not None
                out.statuses[call.status] = out.statuses.get(call.status, 0) + 1
            else:
                out.lost += 1
    return out


@dataclass(frozen=True)
class Event:
    seq: int
    at: int
    actor: int
    action: str
    link: Link
    price: Any
    old_price: Any = None

    @property
    def effect(self) -> Effect:
        if self.action in ("added", "updated"):
            return ("set", self.link, self.price)
        return ("removed", self.link, None)


def read_state(database_url: str, org_id: int) -> tuple[list[Event], dict[Link, Any]]:
    db = Database(database_url)
    try:
        with db.read() as conn:
            ev, lk = tables.link_events, tables.links
            events = [
                Event(
                    row.seq,
                    row.at,
                    row.actor_id,
                    row.action,
                    (str(row.left_id), str(row.right_id)),
                    json.loads(row.new_data).get("list_price") if row.new_data else None,
                    json.loads(row.old_data).get("list_price") if row.old_data else None,
                )
                for row in conn.execute(
                    select(ev).where(ev.c.org_id == org_id, ev.c.relation == RELATION).order_by(ev.c.seq)
                )
            ]
            links = {
                (str(row.left_id), str(row.right_id)): json.loads(row.data).get("list_price")
                for row in conn.execute(select(lk).where(lk.c.org_id == org_id, lk.c.relation == RELATION))
            }
    finally:
        db.dispose()
    return events, links


def replay(events: Sequence[Event]) -> dict[Link, Any]:
    """The links the events describe. Strict: each event must start from the state the earlier
    ones left (``added`` on an absent link, ``updated``/``removed`` on a present one with the
    ``old_data`` it names), so a lost update or a double removal fails here."""
    state: dict[Link, Any] = {}
    for event in events:
        present = event.link in state
        if event.action == "added":
            assert not present, f"added over an existing link: {event}"
        else:
            assert present, f"{event.action} of a link that is not there: {event}"
            assert state[event.link] == event.old_price, (
                f"old_data {event.old_price} != {state[event.link]}: {event}"
            )
        if event.action in ("added", "updated"):
            state[event.link] = event.price
        else:
            del state[event.link]
    return state


def _match_client(calls: Sequence[Call], events: Sequence[Event]) -> str | None:
    """None when ``events`` (this client's, in seq order) are explained by ``calls`` in order;
    otherwise what does not fit. Lost calls may have applied wholly or not at all."""

    def check(i: int, pos: int, expected: list[Effect]) -> str | None:
        call, got = calls[i], events[pos : pos + len(expected)]
        if sorted(map(repr, (g.effect for g in got))) != sorted(map(repr, expected)):
            return f"call {i} {call.method} {call.path} {call.status}: expected {expected}, got {got}"
        if len({g.at for g in got}) > 1:
            return f"call {i} {call.path}: its events span several transactions: {got}"
        return None

    # Depth-first over the readings of lost calls (explicit stack: a long run loses hundreds).
    stack, seen, problem = [(0, 0)], set(), "no reading fits"
    while stack:
        i, pos = stack.pop()
        if (i, pos) in seen:
            continue
        seen.add((i, pos))
        # Answered calls have one reading: walk them in a loop.
        while i < len(calls) and (calls[i].answered or calls[i].kind == "record"):
            if calls[i].kind != "record":  # record updates write no link events
                expected = [e for e, ok in zip(calls[i].effects, calls[i].ok, strict=False) if ok]
                found = check(i, pos, expected)
                if found is not None:
                    problem = found
                    break
                pos += len(expected)
            i += 1
        else:
            if i == len(calls):
                if pos == len(events):
                    return None
                problem = f"{len(events) - pos} events from no call, first {events[pos]}"
                continue
            call = calls[i]
            if call.kind == "relate":
                options = [list(call.effects), []]
            else:  # a lost delink removes those of its links that existed: any subset, one transaction
                options = [
                    list(c)
                    for size in range(len(call.effects), -1, -1)
                    for c in itertools.combinations(call.effects, size)
                ]
            for expected in reversed(options):
                found = check(i, pos, expected)
                if found is None:
                    stack.append((i + 1, pos + len(expected)))
                else:
                    problem = found
    return problem


def verify(database_url: str, org_id: int, clients: Sequence[Client], users: dict[int, int]) -> int:
    """The checks of the module docstring; returns the number of events checked."""
    events, links = read_state(database_url, org_id)
    assert replay(events) == links, "replaying link_events does not give the links table"
    by_actor: dict[int, list[Event]] = {}
    for event in events:
        by_actor.setdefault(event.actor, []).append(event)
    assert set(by_actor) <= set(users.values()), "events by an actor that made no call"
    for client in clients:
        problem = _match_client(client.calls, by_actor.get(users[client.index], []))
        assert problem is None, f"client {client.index}: {problem}"
    # Relation data of every acknowledged relate item was stored (its unique price has an event).
    prices = {e.price for e in events if e.action in ("added", "updated")}
    for client in clients:
        for call in client.calls:
            for (kind, _link, price), ok in zip(call.effects, call.ok, strict=False):
                if ok and kind == "set":
                    assert price in prices
    return len(events)


def verify_records(database_url: str, org_id: int, clients: Sequence[Client], *, sequential: bool) -> int:
    """Product updates: the stored Description is the last acknowledged one, or one of a lost
    call made after it (``sequential``: each product is updated by one client at a time);
    otherwise (clients racing) at least one that some client was answered SUCCESS for."""
    db = Database(database_url)
    try:
        with db.read() as conn:
            r = tables.records
            rows = conn.execute(
                select(r.c.id, r.c.data).where(r.c.org_id == org_id, r.c.module == "Products")
            )
            stored = {str(row.id): json.loads(row.data).get("Description") for row in rows}
    finally:
        db.dispose()
    checked = 0
    per_product: dict[str, list[Call]] = {}
    for client in clients:
        for call in client.calls:
            if call.kind == "record":
                per_product.setdefault(call.effects[0][1][0], []).append(call)
    for product, calls in per_product.items():
        acked = [c for c in calls if c.answered and c.ok == [True]]
        if sequential:
            last = max((calls.index(c) for c in acked), default=-1)
            allowed = {c.effects[0][2] for c in calls[last + 1 :] if not c.answered}
            allowed.add(calls[last].effects[0][2] if last >= 0 else None)
        else:
            allowed = {c.effects[0][2] for c in calls if c.ok == [True] or not c.answered}
            if not acked:
                allowed.add(None)
        assert stored[product] in allowed, (product, stored[product], allowed)
        checked += len(acked)
    return checked
