"""COQL: one SELECT over ``records``, with a LEFT JOIN per lookup the query walks (the target
record by primary key) and per user whose attributes it reads, filtered, ordered and paged in
the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import BigInteger, ColumnElement, Connection, FromClause, and_, cast, select

from crmlink.domain.coql import CoqlQuery, CoqlRow, RecordCols, UserCols
from crmlink.storage import tables
from crmlink.storage.query import condition, id_order, json_value, module_is, order_expression

_decode = msgspec.json.decode
_RECORD_COLS = ("id", "data", "owner_id", "created_by", "modified_by", "created_at", "modified_at")
_USER_COLS = ("id", "name", "email")


def coql_rows(conn: Connection, org_id: int, query: CoqlQuery) -> list[CoqlRow]:
    """The page of rows ``query`` asks for (``limit + 1`` rows at most: one more tells
    ``more_records``)."""
    dialect = conn.dialect.name
    base = tables.records.alias("r0")
    records: dict[tuple[str, ...], FromClause] = {(): base}
    joined: Any = base
    for n, chain in enumerate(query.joins, start=1):
        parent = records[chain[:-1]]
        alias = tables.records.alias(f"r{n}")
        target = cast(json_value(dialect, parent.c.data, chain[-1], "id"), BigInteger)
        joined = joined.outerjoin(alias, and_(alias.c.org_id == parent.c.org_id, alias.c.id == target))
        records[chain] = alias
    users: dict[tuple[tuple[str, ...], str], FromClause] = {}
    for n, (via, column) in enumerate(query.user_joins, start=1):
        holder = records[via]
        alias = tables.users.alias(f"u{n}")
        joined = joined.outerjoin(
            alias, and_(alias.c.org_id == holder.c.org_id, alias.c.id == holder.c[column])
        )
        users[(via, column)] = alias

    def records_for(via: tuple[str, ...]) -> FromClause:
        return records[via]

    def users_for(via: tuple[str, ...], column: str) -> FromClause:
        return users[(via, column)]

    columns: list[ColumnElement[Any]] = []
    for chain, table in records.items():
        columns += [table.c[c].label(f"{_label(chain)}_{c}") for c in _RECORD_COLS]
    for (via, column), table in users.items():
        columns += [table.c[c].label(f"u_{_label(via)}_{column}_{c}") for c in _USER_COLS]
    where = condition(dialect, query.where, records_for, users_for)
    order: list[ColumnElement[Any]] = []
    for ref, descending in query.order:
        expr = order_expression(dialect, ref, records_for, users_for)
        order.append(expr.desc().nulls_last() if descending else expr.asc().nulls_first())
    module = query.module.api_name
    order.append(id_order(dialect, base.c.id, None if query.order else query.where, module))
    statement = (
        select(*columns)
        .select_from(joined)
        .where(base.c.org_id == org_id, module_is(base.c.module, module), where)
        .order_by(*order)
        .limit(query.limit + 1)
        .offset(query.offset)
    )
    out: list[CoqlRow] = []
    for row in conn.execute(statement).mappings():
        recs: dict[tuple[str, ...], RecordCols | None] = {}
        for chain in records:
            prefix = _label(chain)
            if row[f"{prefix}_id"] is None:
                recs[chain] = None
                continue
            recs[chain] = RecordCols(
                row[f"{prefix}_id"],
                _decode(row[f"{prefix}_data"]),
                *(row[f"{prefix}_{c}"] for c in _RECORD_COLS[2:]),
            )
        found: dict[tuple[tuple[str, ...], str], UserCols | None] = {}
        for via, column in users:
            prefix = f"u_{_label(via)}_{column}"
            found[(via, column)] = (
                UserCols(*(row[f"{prefix}_{c}"] for c in _USER_COLS))
                if row[f"{prefix}_id"] is not None
                else None
            )
        out.append(CoqlRow(recs, found))
    return out


def _label(chain: Sequence[str]) -> str:
    return "r__" + "__".join(chain) if chain else "r"
