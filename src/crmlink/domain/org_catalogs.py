"""Each org's catalog, built once per process and per schema version.

A request learns its org's schema version with its token (``Actor.schema_version``, read in the
token lookup's own query, so knowing it costs no query). Version 0 (an org that never changed
its schema) is the standard catalog itself: no lookup at all. Otherwise the catalog built for
that version is taken from a dict; only the first request after a change (in this process)
reads the org's schema rows and builds it. The version lives in the database, so a change made
through one process is seen by every other at its next request.

``apply_schema`` is the one way a schema changes: it checks the new doc against the org's
stored values (``schema.plan_change`` / ``schema.refusals``), stores it and bumps the version,
all in the caller's transaction.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from crmlink.domain.catalog import Catalog
from crmlink.domain.clock import now_us
from crmlink.domain.schema import (
    SchemaDoc,
    SchemaError,
    build_catalog,
    doc_from_rows,
    doc_of,
    doc_rows,
    plan_change,
    refusals,
)
from crmlink.storage import schema as store
from crmlink.storage.schema import Conn


class OrgCatalogs:
    """Per-org catalogs over one standard catalog, cached by (org, schema version)."""

    def __init__(self, base: Catalog, max_orgs: int = 10_000) -> None:
        self.base = base
        self._cache: dict[int, tuple[int, Catalog]] = {}
        self._lock = threading.Lock()
        self._max = max_orgs

    def cached(self, org_id: int, version: int) -> Catalog | None:
        """The catalog if it needs no database read (the usual case), else ``None``."""
        if version == 0:
            return self.base
        hit = self._cache.get(org_id)
        if hit is not None and hit[0] == version:
            return hit[1]
        return None

    def get(self, conn: Conn, org_id: int, version: int | None = None) -> Catalog:
        """The org's catalog for ``version`` (read from the database when not given)."""
        if version is None:
            version = store.schema_version(conn, org_id)
        found = self.cached(org_id, version)
        if found is not None:
            return found
        stored = store.load_schema(conn, org_id)
        doc = doc_from_rows(stored.modules, stored.fields)
        catalog = build_catalog(self.base, doc, stored.modified_at or 0)
        with self._lock:
            if len(self._cache) >= self._max:
                self._cache.clear()
            self._cache[org_id] = (stored.version, catalog)
        return catalog


@dataclass(slots=True)
class Applied:
    """What ``apply_schema`` did (or would do, when refused)."""

    changes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    version: int = 0

    @property
    def ok(self) -> bool:
        return not self.refused


def apply_schema(
    conn: Conn, catalogs: OrgCatalogs, org_id: int, doc: SchemaDoc, *, dry_run: bool = False
) -> Applied:
    """Make ``doc`` the org's schema (replacing its previous one), unless a stored value would
    be lost. ``SchemaError`` if the doc itself is invalid."""
    store.lock_schema(conn, org_id)
    old = catalogs.get(conn, org_id)
    new = build_catalog(catalogs.base, doc)
    plan = plan_change(old, new)
    out = Applied(changes=plan.changes)
    out.refused = refusals(plan.to_check, lambda module, name: store.field_values(conn, org_id, module, name))
    if out.refused or dry_run:
        return out
    modules, fields = doc_rows(doc)
    out.version = store.save_schema(conn, org_id, modules, fields, now_us())
    return out


def current_doc(conn: Conn, catalogs: OrgCatalogs, org_id: int) -> SchemaDoc:
    return doc_of(catalogs.get(conn, org_id), catalogs.base)


__all__ = ["Applied", "OrgCatalogs", "SchemaError", "apply_schema", "current_doc"]
