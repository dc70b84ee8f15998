"""Lookups by id probe the primary key on SQLite, whatever the org's size (no full scans).

SQLite without statistics answers ``org_id = ? AND id IN (...)`` selecting only id and module
by scanning the org's whole ``ix_records_module``; ``record_modules`` (the lookup-field check of
every insert and update) orders by id so that the key is the cheaper plan. The test runs the
real statement and asks SQLite for the plan of exactly what was sent. (The relate path's own
lookup names the index outright: tests/test_related_semantics.py.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, event, insert

from crmlink.domain.catalog_data import CATALOG
from crmlink.domain.coql import parse_coql
from crmlink.domain.criteria import parse_criteria
from crmlink.domain.search import SearchParams, search_condition
from crmlink.storage import coql as coql_storage
from crmlink.storage import records as rec
from crmlink.storage import search as search_storage
from crmlink.storage import tables
from crmlink.storage.engine import Database
from crmlink.storage.migrations import migrate


@pytest.fixture()
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'plans.db'}")
    migrate(db)
    yield db
    db.dispose()


def _plans(db: Database, run: Callable[[Connection], Any]) -> list[str]:
    """The query plan of every statement ``run`` executes."""
    sent: list[tuple[str, Any]] = []
    with db.read() as conn:

        @event.listens_for(conn, "before_cursor_execute")
        def keep(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
            sent.append((sql, params))

        run(conn)
        event.remove(conn, "before_cursor_execute", keep)
        return [
            "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all())
            for sql, params in sent
        ]


BY_KEY = "sqlite_autoindex_records_1 (org_id=? AND id=?)"


def test_record_modules_looks_up_ids_by_primary_key(sqlite_db: Database) -> None:
    (plan,) = _plans(sqlite_db, lambda c: rec.record_modules(c, 1, [11, 12]))
    assert BY_KEY in plan and "ix_records_module" not in plan, plan


# --- search, COQL and upsert equality on the catalog's unique fields (docs/query.md) ---------


def test_search_equality_on_email_uses_the_expression_index(sqlite_db: Database) -> None:
    node = parse_criteria(CATALOG.module_map["Leads"], "(Email:equals:a@b.com)")
    (plan,) = _plans(
        sqlite_db, lambda c: search_storage.search_rows(c, 1, "Leads", node, limit=201, offset=0)
    )
    assert "USING INDEX ix_records_key_leads_email (org_id=? AND <expr>=?)" in plan, plan
    assert "SCAN" not in plan, plan


def test_postgresql_uses_the_expression_index(database_url: str) -> None:
    """The same statement on PostgreSQL, over an org of 5,000 Leads with the statistics
    gathered: the planner takes the index only if the query's expression is the index's own."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    db = Database(database_url)
    migrate(db)
    org_id = int.from_bytes(os.urandom(6), "big")
    node = parse_criteria(CATALOG.module_map["Leads"], "(Email:equals:lead17@example.com)")
    sent: list[tuple[str, Any]] = []
    try:
        with db.write() as conn:
            rows = [
                {
                    "org_id": org_id,
                    "id": i,
                    "module": "Leads",
                    "data": f'{{"Last_Name":"L","Email":"lead{i}@example.com"}}',
                    "owner_id": 1,
                    "created_by": 1,
                    "modified_by": 1,
                    "created_at": 0,
                    "modified_at": 0,
                }
                for i in range(1, 5001)
            ]
            conn.execute(insert(tables.records), rows)
        with db.write() as conn:
            conn.exec_driver_sql("ANALYZE records")
        with db.read() as conn:

            @event.listens_for(conn, "before_cursor_execute")
            def keep(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
                sent.append((sql, params))

            found = search_storage.search_rows(conn, org_id, "Leads", node, limit=201, offset=0)
            event.remove(conn, "before_cursor_execute", keep)
            ((sql, params),) = sent
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params).all())
    finally:
        with db.write() as conn:
            conn.execute(delete(tables.records).where(tables.records.c.org_id == org_id))
        db.dispose()
    assert [r[0] for r in found] == [17]
    assert "ix_records_key_leads_email" in plan, plan


def test_coql_equality_on_email_uses_the_expression_index(sqlite_db: Database) -> None:
    query = parse_coql(CATALOG, "select Last_Name, Owner.email from Leads where Email = 'a@b.com'")
    (plan,) = _plans(sqlite_db, lambda c: coql_storage.coql_rows(c, 1, query))
    assert "USING INDEX ix_records_key_leads_email (org_id=? AND <expr>=?)" in plan, plan
    assert "SCAN" not in plan, plan


def test_coql_lookup_joins_probe_primary_keys(sqlite_db: Database) -> None:
    query = parse_coql(
        CATALOG, "select Account_Name.Account_Name from Contacts where Account_Name.Account_Name = 'Zylker'"
    )
    (plan,) = _plans(sqlite_db, lambda c: coql_storage.coql_rows(c, 1, query))
    assert "SEARCH r1 USING INDEX sqlite_autoindex_records_1 (org_id=? AND id=?)" in plan, plan


def test_search_by_the_email_param_probes_both_email_indexes(sqlite_db: Database) -> None:
    node = search_condition(CATALOG.module_map["Leads"], SearchParams(email="a@b.com"))
    (plan,) = _plans(
        sqlite_db, lambda c: search_storage.search_rows(c, 1, "Leads", node, limit=201, offset=0)
    )
    assert "ix_records_key_leads_email (" in plan and "ix_records_key_leads_secondary_email (" in plan, plan
    assert "SCAN records" not in plan, plan


def test_a_linking_record_is_found_through_the_partial_index(sqlite_db: Database) -> None:
    """``GET /<LinkingModule>/{id}`` (storage/links.links_with_data) probes migration 90's
    partial index of multi-select lookup links, not the relation's whole key range."""
    from crmlink.storage import links as link_storage

    rows = [
        {
            "org_id": 1,
            "relation": "msl:AXB",
            "left_id": i,
            "right_id": i + 1,
            "data": f'{{"id":"{i}"}}',
            "created_by": 1,
            "modified_by": 1,
            "created_at": 1,
            "modified_at": 1,
        }
        for i in range(1, 2000)
    ]
    with sqlite_db.write() as conn:
        conn.execute(insert(tables.links), rows)
    with sqlite_db.read() as conn:
        found = link_storage.links_with_data(conn, 1, "msl:AXB", ['{"id":"7"}', '{"id":"9"}'])
        assert sorted(link.left_id for link in found) == [7, 9]
        sql = link_storage._LINKS_WITH_DATA.sql(conn)
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, (1, "msl:AXB", '["{}"]')).all()
    assert [str(r[-1]) for r in plan if "links" in str(r[-1])] == [
        "SEARCH links USING INDEX ix_links_msl_data (org_id=? AND relation=? AND data=?)"
    ]
