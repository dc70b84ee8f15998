"""Mass update jobs (``tables.mass_update_jobs``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from crmlink.storage import tables


@dataclass(frozen=True, slots=True)
class Job:
    status: str
    total_count: int
    updated_count: int
    not_updated_count: int
    failed_count: int


def find_job(conn: Connection, org_id: int, module: str, job_id: int) -> Job | None:
    j = tables.mass_update_jobs
    row = conn.execute(
        select(j.c.status, j.c.total_count, j.c.updated_count, j.c.not_updated_count, j.c.failed_count).where(
            j.c.org_id == org_id, j.c.id == job_id, j.c.module == module
        )
    ).first()
    return Job(*row) if row is not None else None
