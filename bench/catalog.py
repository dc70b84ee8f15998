"""Per-org catalogs: what picking an org's catalog costs per request, and a big org's pages.

Three measurements on one SQLite database, in process (the ASGI app driven without sockets,
``bench.inproc._call``), calls one after another, medians of interleaved rounds:

1. *lookup*: ``GET /crm/v2.1/Leads/{id}`` for an org on the standard catalog (version 0: the
   catalog is the standard object, as before per-org catalogs) and for an org with its own
   schema (a custom field on Deals, so its Leads render the same; version > 0: a dict hit keyed
   by org and version). Ratio own / standard, calls interleaved. Plus the
   token statement with and without the join on ``orgs`` that reads the schema version.
2. *size*: an org with 1,000 custom fields on Leads and 200 custom modules: p50 and p95 of
   ``GET /Leads/{id}`` (a record page) and ``GET /Leads?per_page=200`` (a list page) with 50
   custom values per record, and the time to build that org's catalog after a change.

\b
    python -m bench.catalog --calls 300
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from bench.inproc import _call

DATA_TYPES = [
    "text",
    "integer",
    "double",
    "boolean",
    "date",
    "picklist",
    "email",
    "currency",
    "textarea",
    "percent",
]


def _field(i: int) -> dict[str, Any]:
    kind = DATA_TYPES[i % len(DATA_TYPES)]
    spec: dict[str, Any] = {"api_name": f"Custom_{i}", "data_type": kind}
    if kind == "picklist":
        spec["pick_list_values"] = ["A", "B", "C"]
    return spec


def _value(i: int) -> Any:
    return {
        "text": f"v{i}",
        "integer": i,
        "double": i + 0.5,
        "boolean": True,
        "date": "2026-11-30",
        "picklist": "B",
        "email": f"x{i}@example.com",
        "currency": 10.25,
        "textarea": "long " * 20,
        "percent": 5.5,
    }[DATA_TYPES[i % len(DATA_TYPES)]]


def big_doc(fields: int, modules: int) -> dict[str, Any]:
    return {
        "modules": [
            {
                "api_name": f"Module_{m}",
                "plural_label": f"Module {m}",
                "fields": [
                    {
                        "api_name": "Name",
                        "data_type": "text",
                        "custom_field": False,
                        "system_mandatory": True,
                    },
                    {"api_name": "Owner", "data_type": "ownerlookup", "custom_field": False},
                    *[_field(i) for i in range(5)],
                ],
            }
            for m in range(modules)
        ],
        "fields": {"Leads": [_field(i) for i in range(fields)]},
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@click.command()
@click.option("--calls", type=int, default=300, show_default=True)
@click.option("--rounds", type=int, default=5, show_default=True)
def main(calls: int, rounds: int) -> None:
    """Print the per-org catalog figures (docs/org-schema.md, "Measured")."""
    work = Path(tempfile.mkdtemp(prefix="crmlink-catalog-bench-"))
    url = f"sqlite:///{work / 'crmlink.db'}"
    os.environ["CRMLINK_DATABASE_URL"] = url
    from sqlalchemy import select

    from crmlink.app import create_app, open_services
    from crmlink.config import Settings
    from crmlink.domain.auth import digest
    from crmlink.domain.org_catalogs import apply_schema
    from crmlink.domain.schema import build_catalog, doc_from_object
    from crmlink.storage import tables
    from crmlink.storage.tokens import _token_statement
    from tests.factories import OrgFactory

    svc = open_services(Settings(database_url=url))
    factory = OrgFactory(svc)
    standard, custom, big = factory.create(), factory.create(), factory.create()
    doc = big_doc(1000, 200)
    with svc.db.write() as conn:
        # A change on Deals only: its Leads render exactly as the standard org's, so the two differ
        # only by how the catalog is found (the standard object vs a per-org dict hit).
        deals_only = {"fields": {"Deals": [{"api_name": "Lost_Reason", "data_type": "text"}]}}
        assert apply_schema(conn, svc.catalogs, custom.org_id, doc_from_object(deals_only)).ok
        assert apply_schema(conn, svc.catalogs, big.org_id, doc_from_object(doc)).ok
    app = create_app(svc.settings, svc)

    from litestar.testing import TestClient

    client = TestClient(app)
    client.__enter__()  # closed with the process

    def post(org: Any, items: list[dict[str, Any]]) -> list[str]:
        answer = client.post("/crm/v2.1/Leads", json={"data": items}, headers=org.headers).json()
        return [str(item["details"]["id"]) for item in answer["data"]]

    plain_ids = post(standard, [{"Last_Name": f"L{i}", "Company": "Z"} for i in range(100)])
    custom_ids = post(custom, [{"Last_Name": f"L{i}", "Company": "Z"} for i in range(100)])
    big_ids: list[str] = []
    for chunk in range(2):
        big_ids += post(
            big,
            [
                {"Last_Name": f"B{i}", **{f"Custom_{k}": _value(k) for k in range(0, 1000, 20)}}
                for i in range(chunk * 100, chunk * 100 + 100)
            ],
        )

    async def timed(org: Any, path: str, query: bytes = b"") -> tuple[float, float]:
        """Wall and CPU seconds of one call (CPU: the process's, all threads; calls run one at
        a time, so it is this call's, and unlike wall time it does not grow with the load of
        the other processes on the machine)."""
        wall, cpu = time.perf_counter(), time.process_time()
        await _call(app, org.token, ("GET", path, b"", query))
        return time.perf_counter() - wall, time.process_time() - cpu

    def p50(values: list[tuple[float, float]], which: int) -> float:
        return _percentile([v[which] for v in values], 0.5)

    async def run() -> None:
        std: list[tuple[float, float]] = []
        cus: list[tuple[float, float]] = []
        for i in range(20):  # warm up
            await timed(standard, f"/crm/v2.1/Leads/{plain_ids[i]}")
            await timed(custom, f"/crm/v2.1/Leads/{custom_ids[i]}")
        for i in range(calls * rounds):  # interleaved, call by call: both see the same load
            std.append(await timed(standard, f"/crm/v2.1/Leads/{plain_ids[i % 100]}"))
            cus.append(await timed(custom, f"/crm/v2.1/Leads/{custom_ids[i % 100]}"))
        click.echo(
            f"lookup: GET /Leads/{{id}} p50 CPU standard org {p50(std, 1) * 1e3:.3f} ms, org with its own "
            f"schema {p50(cus, 1) * 1e3:.3f} ms: ratio {p50(cus, 1) / p50(std, 1):.3f} "
            f"(wall {p50(std, 0) * 1e3:.2f} / {p50(cus, 0) * 1e3:.2f} ms: "
            f"ratio {p50(cus, 0) / p50(std, 0):.3f})"
        )
        record, page, floor = [], [], []
        for i in range(calls):
            floor.append(await timed(standard, f"/crm/v2.1/Leads/{plain_ids[i % 100]}"))
            record.append(await timed(big, f"/crm/v2.1/Leads/{big_ids[i % len(big_ids)]}"))
            if i % 10 == 0:
                page.append(await timed(big, "/crm/v2.1/Leads", b"per_page=200"))
        for name, values in (("record GET /Leads/{id}", record), ("list GET /Leads?per_page=200", page)):
            click.echo(
                f"size (1,000 fields, 200 modules): {name} p50 CPU {p50(values, 1) * 1e3:.2f} ms, "
                f"wall p50 {p50(values, 0) * 1e3:.2f} ms "
                f"p95 {_percentile([v[0] for v in values], 0.95) * 1e3:.2f} ms; "
                f"ratio to a standard record (CPU) {p50(values, 1) / p50(floor, 1):.2f}"
            )

    asyncio.run(run())

    # The token statement with and without the schema-version join, same database.
    with_join = _token_statement("sqlite")
    t, u, p = tables.oauth_access_tokens, tables.users, tables.profiles
    without = (
        select(t.c.token_hash, t.c.org_id, t.c.user_id, t.c.scope, t.c.expires_at, t.c.revoked_at,
               t.c.client_id, u.c.name, u.c.email, u.c.active, p.c.name, p.c.permissions)
        .select_from(t.join(u, (u.c.org_id == t.c.org_id) & (u.c.id == t.c.user_id))
                     .join(p, (p.c.org_id == u.c.org_id) & (p.c.id == u.c.profile_id)))
        .where(t.c.token_hash == digest(standard.token))
    )  # fmt: skip
    with_join = with_join.params(digest=digest(standard.token))
    figures: dict[str, list[float]] = {"without": [], "with": []}
    with svc.db.read() as conn:
        for _ in range(rounds):
            for name, stmt in (("without", without), ("with", with_join)):
                start = time.perf_counter()
                for _ in range(2000):
                    conn.execute(stmt).all()
                figures[name].append((time.perf_counter() - start) / 2000)
    a, b = statistics.median(figures["without"]), statistics.median(figures["with"])
    click.echo(
        f"token statement: {a * 1e6:.1f} us without the orgs join, {b * 1e6:.1f} us with: ratio {b / a:.3f}"
    )

    base = svc.catalog
    parsed = doc_from_object(doc)
    start = time.perf_counter()
    for _ in range(5):
        build_catalog(base, parsed)
    click.echo(
        f"building the big org's catalog after a change: {(time.perf_counter() - start) / 5 * 1e3:.1f} ms"
    )
    svc.db.dispose()


if __name__ == "__main__":
    main()
