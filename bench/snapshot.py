"""Snapshot and restore of an org (the testkit's ``crm.snapshot()`` / ``crm.restore()``).

Loads a data set (10k records and about 50k links by default) into a fresh database with the
bench loader, then times ``storage.snapshots.take`` and ``restore`` in one write transaction
each, as the admin API runs them, several times; prints p50 and max, and writes them as JSON.
Between the two, a test's worth of changes is made, twice: 100 records and 100 links updated
(restore after updates), then 100 links removed and 100 records updated (restore), so the
restore has a difference to undo in both big tables. Wall time and this process's CPU time
are both kept: SQLite runs in the process, so CPU time is the work done, while wall time on a
shared machine also holds the time the process waited for a core.

    python -m bench.snapshot [--size 10k] [--runs 7] [--database-url URL] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Connection, text

from bench.dataset import parse_size, plan_for
from bench.load import load
from crmlink.storage import snapshots
from crmlink.storage.engine import Database

TARGET_MS = 200.0


def _change(conn: Connection, org_id: int, deletes: bool) -> None:
    """What a test might do between a snapshot and its restore: update 100 records and 100
    links' data, or (``deletes``) remove 100 links and update 100 records."""
    links = (
        "DELETE FROM links"
        if deletes
        else "UPDATE links SET modified_at = modified_at + 1, data = '{\"list_price\": 7}'"
    )
    conn.execute(
        text(
            f"{links} WHERE org_id = :org AND (relation, left_id, right_id) IN"
            " (SELECT relation, left_id, right_id FROM links WHERE org_id = :org"
            " ORDER BY relation, left_id, right_id LIMIT 100)"
        ),
        {"org": org_id},
    )
    conn.execute(
        text(
            "UPDATE records SET modified_at = modified_at + 1 WHERE org_id = :org AND id IN"
            " (SELECT id FROM records WHERE org_id = :org ORDER BY id LIMIT 100)"
        ),
        {"org": org_id},
    )


def measure(url: str, size: int, runs: int) -> dict[str, object]:
    plan = plan_for(size)
    loaded = load(url, plan)
    db = Database(url)
    try:
        takes: list[float] = []
        restores: list[float] = []
        take_cpu: list[float] = []
        restore_cpu: list[float] = []
        updated: list[float] = []
        updated_cpu: list[float] = []
        for run in range(runs):
            snapshot_id = 1_000 + run
            started, cpu = time.perf_counter(), time.process_time()
            with db.write() as conn:
                rows = snapshots.take(conn, loaded.org_id, snapshot_id)
                snapshots.record(conn, loaded.org_id, snapshot_id, 0, rows)
            takes.append((time.perf_counter() - started) * 1000)
            take_cpu.append((time.process_time() - cpu) * 1000)
            for deletes, walls, cpus in ((False, updated, updated_cpu), (True, restores, restore_cpu)):
                with db.write() as conn:
                    _change(conn, loaded.org_id, deletes)
                started, cpu = time.perf_counter(), time.process_time()
                with db.write() as conn:
                    snapshots.restore(conn, loaded.org_id, snapshot_id)
                walls.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            with db.write() as conn:
                snapshots.drop(conn, loaded.org_id, snapshot_id)
    finally:
        db.dispose()
    return {
        "engine": "sqlite" if url.startswith("sqlite") else "postgresql",
        "records": loaded.records,
        "links": loaded.links,
        "rows_per_snapshot": rows,
        "snapshot_p50_ms": round(statistics.median(takes), 1),
        "snapshot_max_ms": round(max(takes), 1),
        "restore_p50_ms": round(statistics.median(restores), 1),
        "restore_max_ms": round(max(restores), 1),
        "restore_after_updates_p50_ms": round(statistics.median(updated), 1),
        "restore_after_updates_cpu_p50_ms": round(statistics.median(updated_cpu), 1),
        "snapshot_cpu_p50_ms": round(statistics.median(take_cpu), 1),
        "restore_cpu_p50_ms": round(statistics.median(restore_cpu), 1),
        "load_average": round(os.getloadavg()[0], 1),
        "target_ms": TARGET_MS,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="10k")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", default="bench/results/snapshot.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'snapshot.db'}"
        result = measure(url, parse_size(args.size), args.runs)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    worst = max(float(str(result["snapshot_p50_ms"])), float(str(result["restore_p50_ms"])))
    verdict = "holds" if worst < TARGET_MS else "misses"
    sys.stdout.write(
        f"snapshot/restore of {result['records']} records and {result['links']} links ({result['engine']}): "
        f"snapshot p50 {result['snapshot_p50_ms']} ms (CPU {result['snapshot_cpu_p50_ms']} ms), "
        f"restore p50 {result['restore_p50_ms']} ms (CPU {result['restore_cpu_p50_ms']} ms; "
        f"after updates only {result['restore_after_updates_p50_ms']} ms, "
        f"CPU {result['restore_after_updates_cpu_p50_ms']} ms), "
        f"load average {result['load_average']} (target < {TARGET_MS:.0f} ms: {verdict})\n"
    )


if __name__ == "__main__":
    main()
