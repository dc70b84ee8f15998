"""Search: records of one module matching a condition, by id, in pages.

Equality on an indexed field (``storage/query.py``, ``INDEXED_FIELDS``) is answered from the
partial expression index ``(org_id, lower(field)) WHERE module = '<Module>'``, never by
scanning the module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, FromClause, and_, func, or_, select

__all__ = ["RECORD_COLUMNS", "Connection", "count_rows", "search_rows"]

from crmlink.domain.query import Junction, Node
from crmlink.storage import tables
from crmlink.storage.query import condition, id_order, indexed_equality, module_is

_r = tables.records

# The columns of a ``records`` row in the order domain/rendering.py reads them.
RECORD_COLUMNS = (
    _r.c.id,
    _r.c.module,
    _r.c.data,
    _r.c.owner_id,
    _r.c.created_by,
    _r.c.modified_by,
    _r.c.created_at,
    _r.c.modified_at,
)


def _base(_via: tuple[str, ...]) -> FromClause:
    return _r


def _no_users(_via: tuple[str, ...], _column: str) -> FromClause:
    raise ValueError("search conditions name no user attributes")


def search_rows(
    conn: Connection, org_id: int, module: str, node: Node, *, limit: int, offset: int
) -> Sequence[Any]:
    """Rows of ``module`` matching ``node``, by id, ``limit`` from ``offset``."""
    dialect = conn.dialect.name
    scope = and_(_r.c.org_id == org_id, module_is(_r.c.module, module))
    if (
        dialect == "sqlite"
        and isinstance(node, Junction)
        and node.op == "or"
        and indexed_equality(node, module)
    ):
        # SQLite unions the indexes of an OR only when each branch can use its index alone:
        # each branch carries the org and module (the search by the ``email`` param).
        where = or_(*(and_(scope, condition(dialect, item, _base, _no_users)) for item in node.items))
    else:
        where = and_(scope, condition(dialect, node, _base, _no_users))
    query = (
        select(*RECORD_COLUMNS)
        .where(where)
        .order_by(id_order(conn.dialect.name, _r.c.id, node, module))
        .limit(limit)
        .offset(offset)
    )
    return conn.execute(query).all()


def count_rows(conn: Connection, org_id: int, module: str, node: Node) -> int:
    """How many records of ``module`` match ``node`` (the count with search params)."""
    dialect = conn.dialect.name
    where = condition(dialect, node, _base, _no_users)
    query = select(func.count()).where(_r.c.org_id == org_id, module_is(_r.c.module, module), where)
    return int(conn.scalar(query) or 0)
