"""Hot-path statements: Core statements compiled once per dialect, run on the driver's cursor.

On the bulk relate path (100 items per call) SQLAlchemy's per-execution work, i.e. processing
the parameters of each of 100 rows, expanding ``IN`` lists and building result row objects,
costs more than the database work itself. A ``HotStatement`` keeps the statement in Core (the
same tables and the same SQL on both engines) but compiles it once per dialect and hands plain
tuples or dicts to the DBAPI cursor of the connection's current transaction.

Only statements whose columns need no type processing (integers, text) may use it.

``IN`` lists differ per engine (this is the engine-specific SQL): ``in_ids(column, name,
dialect)`` renders ``column IN (SELECT value FROM json_each(?))`` on SQLite and ``column =
ANY(CAST(%(name)s AS BIGINT[]))`` on PostgreSQL, both with one parameter whatever the number of
ids; ``ids_value(conn, ids)`` makes that parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import msgspec
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Table,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


def in_ids(column: ColumnElement[int], name: str, dialect: str) -> ColumnElement[bool]:
    """``column`` is one of the ids passed (as ``ids_value``) in parameter ``name``."""
    if dialect == "sqlite":
        return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam(name))))
    return column == any_(cast(bindparam(name), ARRAY(BigInteger)))


# SQLite's name for the index of ``records``' primary key (org_id, id). Without statistics SQLite
# may prefer scanning the org's part of ix_records_module (it covers id and module) to probing the
# primary key once per wanted id, which turns a 100-item call into a scan of the whole org.
SQLITE_RECORDS_PK = "sqlite_autoindex_records_1"


def ids_value(conn: Connection, ids: Iterable[int]) -> Any:
    """The parameter value for ``in_ids``: JSON text on SQLite, a list on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        return msgspec.json.encode(list(ids)).decode()
    return list(ids)


class HotStatement:
    """A statement built per dialect by ``build(dialect_name)``, compiled once, and executed
    with named parameters on the DBAPI cursor."""

    def __init__(
        self, build: Callable[[str], ClauseElement], *, sqlite_indexed_by: Mapping[str, str] | None = None
    ) -> None:
        self._build = build
        # SQLAlchemy renders no index hints for SQLite; ``{table: index}`` is written into the
        # compiled SQL as ``FROM table INDEXED BY index`` (a missing index fails loudly).
        self._indexed_by = dict(sqlite_indexed_by or {})
        self._compiled: dict[str, tuple[str, Callable[[Mapping[str, Any]], Any] | None]] = {}
        self._order: dict[str, tuple[str, ...] | None] = {}

    def _prepare(self, conn: Connection) -> tuple[str, Callable[[Mapping[str, Any]], Any] | None]:
        dialect = conn.dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._build(dialect.name).compile(dialect=dialect)
            assert isinstance(compiled, SQLCompiler)
            names = compiled.positiontup
            self._order[dialect.name] = tuple(names) if compiled.positional and names else None
            if compiled.positional and names:
                # qmark (SQLite): a tuple in the statement's parameter order.
                getter = itemgetter(*names)
                args: Callable[[Mapping[str, Any]], Any] | None = (
                    getter if len(names) > 1 else (lambda row: (getter(row),))
                )
            else:
                args = None  # pyformat (psycopg): the dict itself
            sql = str(compiled)
            if dialect.name == "sqlite":
                for table, index in self._indexed_by.items():
                    # The table itself, not an alias of it (``FROM links AS page_start``).
                    sql, hits = re.subn(
                        rf"FROM {re.escape(table)} (?!AS )", f"FROM {table} INDEXED BY {index} ", sql
                    )
                    assert hits == 1, sql
            found = (sql, args)
            self._compiled[dialect.name] = found
        return found

    def sql(self, conn: Connection) -> str:
        """The SQL text this statement runs on ``conn``'s engine (for query-plan checks)."""
        return self._prepare(conn)[0]

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        """Run once and return every row as a tuple."""
        sql, args = self._prepare(conn)
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql, args(params) if args else params)
            rows: Sequence[tuple[Any, ...]] = cursor.fetchall()
            return rows
        finally:
            cursor.close()

    def many_tuples(self, conn: Connection, names: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
        """``many`` with each parameter set a tuple in the order of ``names``: handed to the
        driver as is when that is the statement's own parameter order (SQLite)."""
        if not rows:
            return
        sql, _args = self._prepare(conn)
        if self._order[conn.dialect.name] != names:
            self.many(conn, [dict(zip(names, row, strict=True)) for row in rows])
            return
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set (``executemany``)."""
        if not rows:
            return
        sql, args = self._prepare(conn)
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(sql, [args(r) for r in rows] if args else rows)
        finally:
            cursor.close()


def pg_insert_unnest(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """PostgreSQL: insert ``rows`` (dicts keyed by column name, all with the same keys) in one
    ``INSERT ... SELECT FROM unnest(...)``, one array parameter per column: one statement, one
    plan (prepared after its first run), whatever the number of rows."""
    if not rows:
        return
    names = list(rows[0])
    types = [table.c[name].type.compile(dialect=conn.dialect) for name in names]
    sql = _PG_UNNEST_SQL.get((table.name, tuple(names)))
    if sql is None:
        arrays = ", ".join(f"%(c{i})s::{kind}[]" for i, kind in enumerate(types))
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
        _PG_UNNEST_SQL[(table.name, tuple(names))] = sql
    params = {f"c{i}": [row[name] for row in rows] for i, name in enumerate(names)}
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
    finally:
        cursor.close()


_PG_UNNEST_SQL: dict[tuple[str, tuple[str, ...]], str] = {}
