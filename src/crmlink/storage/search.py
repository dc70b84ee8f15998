"""Search: records of one module matching a condition, by id, in pages; and the equality lookup
on one field that search, COQL and upsert share (``find_by_field``).

Equality on an indexed field (``storage/query.py``, ``INDEXED_FIELDS``) is answered from the
expression index ``(org_id, module, lower(field))``, never by scanning the module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, FromClause, and_, or_, select

__all__ = ["RECORD_COLUMNS", "Connection", "find_by_field", "search_rows"]

from crmlink.domain.query import Junction, Node
from crmlink.storage import tables
from crmlink.storage.query import condition, folded_field, id_order, indexed_equality

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
    scope = and_(_r.c.org_id == org_id, _r.c.module == module)
    if dialect == "sqlite" and isinstance(node, Junction) and node.op == "or" and indexed_equality(node):
        # SQLite unions the indexes of an OR only when each branch can use its index alone:
        # each branch carries the org and module (the search by the ``email`` param).
        where = or_(*(and_(scope, condition(dialect, item, _base, _no_users)) for item in node.items))
    else:
        where = and_(scope, condition(dialect, node, _base, _no_users))
    query = (
        select(*RECORD_COLUMNS)
        .where(where)
        .order_by(id_order(conn.dialect.name, _r.c.id, node))
        .limit(limit)
        .offset(offset)
    )
    return conn.execute(query).all()


def find_by_field(
    conn: Connection, org_id: int, module: str, field: str, values: Sequence[str]
) -> dict[str, list[int]]:
    """Records of ``module`` whose JSON field ``field`` equals one of ``values``, compared with
    ASCII letters folded: ``{folded value: [record ids, ascending]}`` (values with no match are
    absent). For a field of ``INDEXED_FIELDS`` this probes the expression index; upsert's
    duplicate check uses it (docs/query.md)."""
    if not values:
        return {}
    wanted = sorted({v.translate(_FOLD) for v in values})
    key = folded_field(conn.dialect.name, _r.c.data, field)
    rows = conn.execute(
        select(key, _r.c.id)
        .where(_r.c.org_id == org_id, _r.c.module == module, key.in_(wanted))
        .order_by(_r.c.id + 0)  # see storage.query.id_order
    ).all()
    out: dict[str, list[int]] = {}
    for value, record_id in rows:
        out.setdefault(str(value), []).append(record_id)
    return out


_FOLD = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
