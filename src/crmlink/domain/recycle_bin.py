"""Deleted records: what a delete leaves in the recycle bin, and ``GET /{module}/deleted``.

Spec records-more §4: each item is ``{deleted_by, id, display_name, type, created_by,
deleted_time}``; ``recycle`` rows name who deleted and created the record, ``permanent`` rows
(older than the recycle bin keeps them) have those and the name ``null``. The recycle bin and
the listing of permanent deletes last ``Settings.recycle_bin_days`` and
``Settings.deleted_retention_days`` (Zoho: 60 and 120 days); see ``storage/recycle_bin.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from crmlink.domain.auth import Actor
from crmlink.domain.catalog import ModuleDef
from crmlink.domain.clock import iso
from crmlink.domain.orgs import user_refs
from crmlink.errors import PatternNotMatched
from crmlink.storage import Connection
from crmlink.storage import recycle_bin as store

DAY_US = 86_400 * 1_000_000
TYPES = ("all", "recycle", "permanent")


@dataclass(frozen=True, slots=True)
class Retention:
    """Days in the recycle bin, then days listed as permanently deleted."""

    recycle_days: int = 60
    permanent_days: int = 120

    def cutoffs(self, now: int) -> tuple[int, int]:
        """``(recycle, retention)``: rows deleted before the first are permanent, before the
        second gone."""
        recycle = now - self.recycle_days * DAY_US
        return recycle, recycle - self.permanent_days * DAY_US


@dataclass(frozen=True, slots=True)
class DeletedPage:
    data: list[dict[str, Any]]
    page: int
    per_page: int
    more_records: bool


def bin_records(
    conn: Connection,
    actor: Actor,
    module: ModuleDef,
    record_ids: Sequence[int],
    now: int,
    retention: Retention,
) -> None:
    """Keep what the recycle bin needs of records about to be deleted (same transaction), and
    purge what the module's bin no longer shows."""
    rows = []
    for record_id, data, created_by in store.records_to_bin(conn, actor.org_id, record_ids):
        name = msgspec.json.decode(data).get(module.display_field)
        rows.append(store.BinnedRecord(record_id, name if isinstance(name, str) else None, data, created_by))
    recycle, gone = retention.cutoffs(now)
    store.purge(conn, actor.org_id, module.api_name, recycle_cutoff=recycle, retention_cutoff=gone)
    store.add(conn, actor.org_id, module.api_name, actor.user_id, now, rows)


def parse_type(raw: str | None) -> str:
    kind = raw if raw not in (None, "") else "all"
    if kind not in TYPES:
        raise PatternNotMatched(details={"param_name": "type"})
    return kind


def list_deleted(
    conn: Connection,
    org_id: int,
    module: ModuleDef,
    *,
    kind: str,
    page: int,
    per_page: int,
    since: int | None,
    now: int,
    retention: Retention,
) -> DeletedPage:
    recycle, gone = retention.cutoffs(now)
    newer, older = {"all": (gone, None), "recycle": (recycle, None), "permanent": (gone, recycle)}[kind]
    rows = store.page(
        conn,
        org_id,
        module.api_name,
        newer_than=newer,
        older_than=older,
        since=since,
        limit=per_page + 1,
        offset=(page - 1) * per_page,
    )
    shown = rows[:per_page]
    recyclable = [r for r in shown if r.deleted_at >= recycle]
    users = user_refs(
        conn, org_id, {u for r in recyclable for u in (r.created_by, r.deleted_by) if u is not None}
    )

    def ref(user_id: int | None) -> dict[str, str] | None:
        found = users.get(user_id) if user_id is not None else None
        return {"name": found["name"], "id": found["id"]} if found else None

    data = []
    for r in shown:
        kept = r.deleted_at >= recycle
        data.append(
            {
                "deleted_by": ref(r.deleted_by) if kept else None,
                "id": str(r.id),
                "display_name": r.display_name if kept else None,
                "type": "recycle" if kept else "permanent",
                "created_by": ref(r.created_by) if kept else None,
                "deleted_time": iso(r.deleted_at),
            }
        )
    return DeletedPage(data, page, per_page, len(rows) > per_page)
