"""SQL of an org's schema: its stored doc (``org_schema_*``), version, stored field values,
unique-value probes and autonumber counters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection, cast, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import JSONB

from crmlink.storage import tables
from crmlink.storage.locks import lock

_decode = msgspec.json.decode

# The connection type, for domain code that passes one through without importing SQLAlchemy.
Conn = Connection


@dataclass(frozen=True, slots=True)
class StoredSchema:
    """The rows of an org's schema, as JSON specs in order, with the org's schema version."""

    version: int
    modified_at: int | None
    modules: list[bytes]  # ModuleSpec JSON (fields left out)
    fields: list[tuple[str, bytes]]  # (module, FieldSpec JSON), in position order


def lock_schema(conn: Connection, org_id: int) -> None:
    """Schema changes of one org take turns (PostgreSQL; SQLite writers already do)."""
    lock(conn, "schema", org_id)


def schema_version(conn: Connection, org_id: int) -> int:
    o = tables.orgs
    found = conn.scalar(select(o.c.schema_version).where(o.c.id == org_id))
    return int(found or 0)


def load_schema(conn: Connection, org_id: int) -> StoredSchema:
    o, m, f = tables.orgs, tables.org_schema_modules, tables.org_schema_fields
    head = conn.execute(select(o.c.schema_version, o.c.schema_modified_at).where(o.c.id == org_id)).first()
    modules = conn.execute(select(m.c.spec).where(m.c.org_id == org_id).order_by(m.c.position)).all()
    fields = conn.execute(
        select(f.c.module, f.c.spec).where(f.c.org_id == org_id).order_by(f.c.position)
    ).all()
    return StoredSchema(
        version=int(head[0]) if head else 0,
        modified_at=head[1] if head else None,
        modules=[r[0].encode() for r in modules],
        fields=[(r[0], r[1].encode()) for r in fields],
    )


def save_schema(
    conn: Connection,
    org_id: int,
    modules: Sequence[tuple[str, bytes]],
    fields: Sequence[tuple[str, str, bytes]],
    now: int,
) -> int:
    """Replace the org's schema rows and bump its version; returns the new version.

    ``modules``: (api_name, spec JSON); ``fields``: (module, api_name, spec JSON), in order."""
    m, f, o = tables.org_schema_modules, tables.org_schema_fields, tables.orgs
    conn.execute(delete(m).where(m.c.org_id == org_id))
    conn.execute(delete(f).where(f.c.org_id == org_id))
    if modules:
        conn.execute(
            insert(m),
            [
                {"org_id": org_id, "api_name": name, "position": i, "spec": spec.decode()}
                for i, (name, spec) in enumerate(modules)
            ],
        )
    if fields:
        conn.execute(
            insert(f),
            [
                {"org_id": org_id, "module": module, "api_name": name, "position": i, "spec": spec.decode()}
                for i, (module, name, spec) in enumerate(fields)
            ],
        )
    conn.execute(
        update(o)
        .where(o.c.id == org_id)
        .values(schema_version=o.c.schema_version + 1, schema_modified_at=now)
    )
    return schema_version(conn, org_id)


def field_values(conn: Connection, org_id: int, module: str, field: str) -> Iterable[Any]:
    """The non-null stored values of ``field`` on the org's ``module`` records."""
    r = tables.records
    rows = conn.execute(select(r.c.data).where(r.c.org_id == org_id, r.c.module == module))
    for (data,) in rows:
        value = _decode(data).get(field)
        if value is not None:
            yield value


def count_records(conn: Connection, org_id: int, module: str) -> int:
    r = tables.records
    return int(conn.scalar(select(func.count()).where(r.c.org_id == org_id, r.c.module == module)) or 0)


def _json_text(conn: Connection, field: str) -> Any:
    data = tables.records.c.data
    if conn.dialect.name == "sqlite":
        return func.json_extract(data, f'$."{field}"')
    return cast(func.replace(data, "\\u0000", "\\ufffd"), JSONB)[field].astext


def taken_values(
    conn: Connection, org_id: int, module: str, field: str, values: Sequence[str | int | float]
) -> dict[str, int]:
    """``{str(value): record id}`` for values of ``field`` already stored in the module."""
    if not values:
        return {}
    r = tables.records
    expr = _json_text(conn, field)
    wanted = [str(v) for v in values]
    rows = conn.execute(
        select(r.c.id, expr).where(
            r.c.org_id == org_id, r.c.module == module, cast(expr, r.c.data.type).in_(wanted)
        )
    )
    return {str(value): record_id for record_id, value in rows}


def next_numbers(conn: Connection, org_id: int, name: str, count: int, start: int) -> int:
    """Reserve ``count`` numbers of the org's counter ``name`` (first one ``start``); returns
    the first reserved. One statement, so concurrent writers never share a number."""
    last = conn.execute(
        text(
            "INSERT INTO org_counters (org_id, name, value) VALUES (:org, :name, :first_last)"
            " ON CONFLICT (org_id, name) DO UPDATE SET value = org_counters.value + :count"
            " RETURNING value"
        ),
        {"org": org_id, "name": name, "first_last": start + count - 1, "count": count},
    ).scalar_one()
    return int(last) - count + 1
