"""Snapshot and restore of an org (the testkit's ``crm.snapshot()`` / ``crm.restore()``).

Loads a data set (10k records and about 50k links by default) into a fresh database with the
bench loader, then times ``storage.snapshots.take`` and ``restore`` in one write transaction
each, as the admin API runs them, several times; prints p50 and max, and writes them as JSON.

    python -m bench.snapshot [--size 10k] [--runs 7] [--database-url URL] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.dataset import parse_size, plan_for
from bench.load import load
from crmlink.storage import snapshots
from crmlink.storage.engine import Database

TARGET_MS = 200.0


def measure(url: str, size: int, runs: int) -> dict[str, object]:
    plan = plan_for(size)
    loaded = load(url, plan)
    db = Database(url)
    try:
        takes: list[float] = []
        restores: list[float] = []
        for run in range(runs):
            snapshot_id = 1_000 + run
            started = time.perf_counter()
            with db.write() as conn:
                rows = snapshots.take(conn, loaded.org_id, snapshot_id)
                snapshots.record(conn, loaded.org_id, snapshot_id, 0, rows)
            takes.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            with db.write() as conn:
                snapshots.restore(conn, loaded.org_id, snapshot_id)
            restores.append((time.perf_counter() - started) * 1000)
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
        f"snapshot p50 {result['snapshot_p50_ms']} ms, restore p50 {result['restore_p50_ms']} ms "
        f"(target < {TARGET_MS:.0f} ms: {verdict})\n"
    )


if __name__ == "__main__":
    main()
