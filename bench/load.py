"""The bulk loader: writes a data set straight into crmlink's tables, fast, with progress.

It writes the rows the server writes (record JSON encoded by msgspec, ids from
``crmlink.domain.ids.IdGenerator`` with a node drawn from the shared counter, the default org,
the administrator as owner), in big batches inside few transactions:

* SQLite: ``executemany`` over the DBAPI, ``PRAGMA synchronous=OFF`` and a large page cache for
  this connection only (the server's own connections keep ``synchronous=NORMAL``);
* PostgreSQL: ``COPY ... FROM STDIN`` through psycopg, then ``ANALYZE``.

The schema is created by crmlink's own migrations and nothing is dropped from it. Preloaded
links get no ``link_events`` rows: they stand for history that happened before the events
start, and the API writes an event for every change made during the benchmark.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import msgspec
import psycopg
from sqlalchemy.engine import make_url

from bench.dataset import RELATION_SHARES, Plan
from crmlink.domain.clock import now_us
from crmlink.domain.data_io import batches
from crmlink.domain.ids import IdGenerator, ids_for_process
from crmlink.domain.orgs import DEFAULT_ADMIN_EMAIL, ensure_default_org, find_user
from crmlink.storage.engine import Database
from crmlink.storage.migrations import migrate

BATCH = 50_000
_encode = msgspec.json.encode

RECORD_COLUMNS = (
    "org_id",
    "id",
    "module",
    "data",
    "owner_id",
    "created_by",
    "modified_by",
    "created_at",
    "modified_at",
)
LINK_COLUMNS = (
    "org_id",
    "relation",
    "left_id",
    "right_id",
    "data",
    "created_by",
    "modified_by",
    "created_at",
    "modified_at",
)
LOOKUP_COLUMNS = ("org_id", "target_id", "module", "field", "record_id")

Row = tuple[Any, ...]

_STAGES = ("Qualification", "Needs Analysis", "Proposal/Price Quote", "Closed Won")
_STATUSES = ("Planned", "Invited", "Sent", "Received", "Opened", "Responded")


def _fields(module: str, i: int, se_target: int | None) -> dict[str, Any]:
    """Plausible field values, cheap to make; the mandatory fields are always there."""
    if module in ("Leads", "Contacts"):
        data: dict[str, Any] = {
            "First_Name": f"First{i}",
            "Last_Name": f"Last{i}",
            "Email": f"person{i}@example.com",
            "Full_Name": f"First{i} Last{i}",
        }
        if module == "Leads":
            data["Company"] = f"Company {i % 5000}"
        return data
    if module == "Accounts":
        return {"Account_Name": f"Account {i}", "Phone": f"+1 555 {i % 10000:04d}"}
    if module == "Deals":
        return {"Deal_Name": f"Deal {i}", "Stage": _STAGES[i % len(_STAGES)], "Amount": float(i % 9000)}
    if module == "Campaigns":
        return {"Campaign_Name": f"Campaign {i}", "Status": "Active"}
    if module == "Products":
        return {"Product_Name": f"Product {i}", "Product_Code": f"P-{i}", "Unit_Price": float(i % 500)}
    if module == "Price_Books":
        return {"Price_Book_Name": f"Price book {i}", "Active": True}
    if module == "Notes":
        return {
            "Note_Title": f"Note {i}",
            "Note_Content": "Called; follow up next week.",
            "Parent_Id": {"id": str(se_target)},
            "$se_module": "Leads",
        }
    raise ValueError(module)


def _relation_data(relation: str, i: int) -> str:
    if relation == "products_price_books":
        return _encode({"list_price": float(10 + i % 990)}).decode()
    if relation in ("campaigns_leads", "campaigns_contacts"):
        return _encode({"Member_Status": _STATUSES[i % len(_STATUSES)]}).decode()
    if relation == "deals_contact_roles":
        return '{"Contact_Role":"Decision Maker"}'
    return "{}"


class Progress:
    """A one-line rate display on a terminal (plain lines otherwise), at most twice a second."""

    def __init__(self, label: str, total: int, out: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.out = out if out is not None else sys.stderr
        self.tty = self.out.isatty()
        self.start = self._last = time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= (0.5 if self.tty else 5.0) or self.done >= self.total:
            self._last = now
            rate = self.done / max(now - self.start, 1e-9)
            line = f"  {self.label}: {self.done:,}/{self.total:,} rows ({rate:,.0f} rows/s)"
            self.out.write(("\r" + line) if self.tty else (line + "\n"))
            if self.tty and self.done >= self.total:
                self.out.write("\n")
            self.out.flush()


@dataclass(slots=True)
class Loaded:
    """What the benchmark needs to know about a loaded data set."""

    url: str
    org_id: int
    admin_id: int
    ids: dict[str, list[int]] = field(default_factory=dict)
    hot_product: int = 0
    records: int = 0
    links: int = 0
    seconds: float = 0.0
    record_seconds: float = 0.0


class _Writer:
    """Batched inserts into one database (SQLite executemany, PostgreSQL COPY)."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        if self.sqlite:
            assert parsed.database
            self.conn: Any = sqlite3.connect(parsed.database, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-1048576")  # 1 GiB, this connection only
            self.conn.execute("PRAGMA temp_store=MEMORY")
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            self.conn = psycopg.connect(dsn)

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Row], *, ignore: bool = False) -> None:
        if self.sqlite:
            marks = ",".join("?" * len(columns))
            verb = "INSERT OR IGNORE" if ignore else "INSERT"
            self.conn.executemany(f"{verb} INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)
            return
        if ignore:
            # COPY cannot skip duplicates: go through a temporary table.
            with self.conn.cursor() as cur:
                cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS _load_{table} (LIKE {table}) ON COMMIT DROP")
                self._copy(cur, f"_load_{table}", columns, rows)
                cols = ",".join(columns)
                cur.execute(
                    f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _load_{table} ON CONFLICT DO NOTHING"
                )
                cur.execute(f"TRUNCATE _load_{table}")
            return
        with self.conn.cursor() as cur:
            self._copy(cur, table, columns, rows)

    @staticmethod
    def _copy(cur: psycopg.Cursor[Any], table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        with cur.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.commit()

    def finish(self, analyze: bool) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            self.conn.commit()
            if analyze:
                self.conn.autocommit = True
                self.conn.execute("ANALYZE")
        self.conn.close()


def prepare(url: str) -> tuple[Database, IdGenerator, int, int]:
    """Migrate, draw an id node, and find (or create) the default org and its administrator."""
    db = Database(url)
    migrate(db)
    ids = ids_for_process(db)
    with db.write() as conn:
        org_id = ensure_default_org(conn, ids)
        admin = find_user(conn, org_id, DEFAULT_ADMIN_EMAIL)
    assert admin is not None
    return db, ids, org_id, admin.id


def load(url: str, plan: Plan, *, out: TextIO | None = None) -> Loaded:
    """Load ``plan`` into the (migrated, empty) database at ``url``."""
    started = time.monotonic()
    db, idgen, org_id, admin_id = prepare(url)
    db.dispose()
    loaded = Loaded(url=url, org_id=org_id, admin_id=admin_id)
    writer = _Writer(db.url)
    now = now_us()
    progress = Progress("records", plan.total_records, out)
    lookups: list[Row] = []
    for module, count in plan.records.items():
        module_ids = idgen.take(count)
        loaded.ids[module] = module_ids
        leads = loaded.ids.get("Leads", [])

        def rows(
            module: str = module, module_ids: list[int] = module_ids, leads: list[int] = leads
        ) -> Iterator[Row]:
            for i, rid in enumerate(module_ids):
                target = leads[i % len(leads)] if module == "Notes" and leads else None
                if target is not None:
                    lookups.append((org_id, target, "Notes", "Parent_Id", rid))
                data = _encode(_fields(module, i, target)).decode()
                # Spread over a year, so that rendering times costs what it costs on real data.
                at = now - (i * 7919 % 31_536_000) * 1_000_000
                yield (org_id, rid, module, data, admin_id, admin_id, admin_id, at, at)

        for batch in batches(rows(), BATCH):
            writer.write("records", RECORD_COLUMNS, batch)
            progress.add(len(batch))
    writer.write("lookups", LOOKUP_COLUMNS, lookups)
    writer.commit()
    loaded.records = plan.total_records
    loaded.record_seconds = time.monotonic() - started
    loaded.hot_product = loaded.ids["Products"][0]
    progress = Progress("links", plan.total_links, out)
    for batch in batches(_link_rows(plan, loaded, now), BATCH):
        writer.write("links", LINK_COLUMNS, batch)
        progress.add(len(batch))
        if progress.done % 1_000_000 < BATCH:
            writer.commit()
    writer.finish(analyze=True)
    loaded.links = plan.total_links
    loaded.seconds = time.monotonic() - started
    return loaded


def _link_rows(plan: Plan, loaded: Loaded, now: int) -> Iterator[Row]:
    org_id, admin_id = loaded.org_id, loaded.admin_id
    for relation, (left, right, _share) in RELATION_SHARES.items():
        lefts, rights = loaded.ids[left], loaded.ids[right]
        per = plan.links_per_left[relation]
        n_right = len(rights)
        datas = [_relation_data(relation, i) for i in range(997)]
        start_at = 0
        if relation == "products_price_books":
            # The hot product: linked to the first ``hot_links`` price books.
            hot = lefts[0]
            for j in range(plan.hot_links):
                yield (org_id, relation, hot, rights[j], datas[j % 997], admin_id, admin_id, now, now)
            start_at = 1
        # Left i is linked to ``per`` consecutive rights from a window that moves with i.
        stride = max(1, n_right // max(1, len(lefts))) or 1
        for i in range(start_at, len(lefts)):
            lid = lefts[i]
            base = (i * stride + i * 7) % n_right
            for k in range(per):
                yield (
                    org_id,
                    relation,
                    lid,
                    rights[(base + k) % n_right],
                    datas[(i + k) % 997],
                    admin_id,
                    admin_id,
                    now,
                    now,
                )


def add_links(
    url: str,
    loaded: Loaded,
    pairs: Iterable[tuple[int, int]],
    relation: str = "products_price_books",
) -> int:
    """Link ``(left, right)`` pairs (existing links are kept): the delink scenario's pool."""
    writer = _Writer(Database(url).url)
    now = now_us()
    data = _relation_data(relation, 1)
    count = 0
    for batch in batches(
        (
            (org, relation, left, right, data, admin, admin, now, now)
            for org, admin in [(loaded.org_id, loaded.admin_id)]
            for left, right in pairs
        ),
        BATCH,
    ):
        writer.write("links", LINK_COLUMNS, batch, ignore=True)
        count += len(batch)
    writer.finish(analyze=False)
    return count


Loader = Callable[[str, Plan], Loaded]

__all__ = ["Loaded", "Progress", "add_links", "load", "prepare"]
