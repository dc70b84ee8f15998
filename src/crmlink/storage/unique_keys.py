"""Records by the value of one field, through an index: upsert's duplicate check, X-EXTERNAL.

Record fields live in ``records.data`` (JSON text). Each duplicate-check field of the catalog
(Leads.Email, Accounts.Account_Name, external-id fields, ...) gets an expression index of its
own, partial on its module and led by ``org_id``::

    SQLite:      (org_id, lower(json_extract(data, '$."Email"')))  WHERE module = 'Leads'
    PostgreSQL:  (org_id, lower((replace(data, '\\u0000', '\\ufffd')::jsonb ->> 'Email') COLLATE "C"))
                                                                   WHERE module = 'Leads'

Text keys compare with ASCII letters folded (``lower`` folds ASCII only: SQLite's built-in,
PostgreSQL's under ``COLLATE "C"``), as search and COQL compare text; callers pass values
folded the same way (``fold``). Numbers compare as they are.

A query uses such an index only when it spells the same expression and names the module as a
literal, so the statements here are built as text from catalog names (api names are
``[A-Za-z0-9_]``, checked below), with the org and the values bound. On PostgreSQL the
``replace`` keeps the cast from failing on text fields holding U+0000 (jsonb cannot), exactly as
``records.sort_expression`` does; ``->>`` yields text, so values are compared as their text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text

from crmlink.storage.locks import lock, lock_key

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _check(*names: str) -> None:
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"not an api name: {name!r}")


def index_name(module: str, field: str) -> str:
    return f"ix_records_key_{module.lower()}_{field.lower()}"


_FOLD = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def fold(value: Any) -> Any:
    """A key value as the index holds it: text with ASCII letters lower-cased."""
    return value.translate(_FOLD) if isinstance(value, str) else value


def field_expression(dialect: str, field: str) -> str:
    """The indexed expression for ``field``, as SQL text (see the module docstring)."""
    _check(field)
    if dialect == "sqlite":
        return f"lower(json_extract(data, '$.\"{field}\"'))"
    return f"lower((replace(data, '\\u0000', '\\ufffd')::jsonb ->> '{field}') COLLATE \"C\")"


def ensure_field_index(conn: Connection, module: str, field: str) -> None:
    """Create the index of ``module``.``field`` if missing (idempotent, both engines)."""
    _check(module, field)
    expr = field_expression(conn.dialect.name, field)
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {index_name(module, field)}"
        f" ON records (org_id, {expr}) WHERE module = '{module}'"
    )


def lookup_sql(dialect: str, module: str, field: str) -> str:
    """The statement of ``ids_by_values`` (binds ``:org`` and the list ``:values``)."""
    _check(module, field)
    expr = field_expression(dialect, field)
    return (
        f"SELECT {expr} AS v, min(id) AS id FROM records"
        f" WHERE org_id = :org AND module = '{module}' AND {expr} IN :values GROUP BY {expr}"
    )


def _bind_value(value: Any) -> str:
    """The text the indexed expression yields for ``value`` (``lower`` makes numbers text)."""
    return value if isinstance(value, str) else str(value)


def ids_by_values(
    conn: Connection, org_id: int, module: str, field: str, values: Iterable[Any]
) -> dict[Any, int]:
    """``{folded value: id}`` for the records of ``module`` whose ``field`` holds one of
    ``values`` (compared folded); where several do, the oldest (lowest id). One indexed
    statement."""
    wanted = list(dict.fromkeys(fold(v) for v in values if v is not None))
    if not wanted:
        return {}
    dialect = conn.dialect.name
    statement = text(lookup_sql(dialect, module, field)).bindparams(bindparam("values", expanding=True))
    bound = {_bind_value(v): v for v in wanted}
    rows = conn.execute(statement, {"org": org_id, "values": list(bound)})
    return {bound[row[0]]: int(row[1]) for row in rows if row[0] in bound}


def lock_keys(conn: Connection, org_id: int, module: str, keys: Sequence[tuple[str, Any]]) -> None:
    """PostgreSQL: hold, until the transaction ends, one lock per ``(field, value)`` key, taken
    in one global order (no deadlock between two callers). Two upserts of the same key then
    take turns: the second looks the key up only after the first committed its record.
    SQLite runs one writer at a time and needs none."""
    if conn.dialect.name != "postgresql":
        return
    names = {("record-key", org_id, module, f, _bind_value(fold(v))) for f, v in keys}
    for parts in sorted(names, key=lambda p: lock_key(*p)):
        lock(conn, *parts)
