"""The benchmark harness still runs end to end: a tiny data set, about a second per figure.

No timing is asserted (speed is measured by ``make bench`` only): the run must produce the
table with every row, on both engines, against the floor, with no request failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import DEFAULT_FLOOR

REPO = Path(__file__).resolve().parents[1]
# The scenarios the server answers today; the related-records ones join when their routes land.
SCENARIOS = ["relate100", "relate1", "list200", "delink100", "insert100", "search_email", "coql_email"]
CONNECTIONS = ["2"]


@pytest.mark.skipif(not DEFAULT_FLOOR.exists(), reason="needs ../shared/bench/reference_server.py")
def test_bench_smoke_run_produces_every_row_without_errors(tmp_path: Path, pg_database: str) -> None:
    out = tmp_path / "results"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "run",
            "--sizes",
            "1k",
            "--hot-links",
            "200",
            "--duration",
            "1",
            "--warmup",
            "0",
            "--connections",
            ",".join(CONNECTIONS),
            "--scenarios",
            ",".join(SCENARIOS),
            "--pg-dsn",
            pg_database,
            "--out",
            str(out),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    (size,) = results["sizes"]
    assert size["floor"]["rows"]["relate100"][CONNECTIONS[0]]["requests"] > 0
    for engine in ("sqlite", "postgresql"):
        rows = size["engines"][engine]["rows"]
        assert sorted(rows) == sorted(SCENARIOS)
        for scenario in SCENARIOS:
            row = rows[scenario][CONNECTIONS[0]]
            assert row["requests"] > 0, (engine, scenario)
            assert row["errors"] == 0, (engine, scenario, row["first_error"])
        assert size["engines"][engine]["rss_mb"] > 0
    assert size["engines"]["postgresql"]["scaleout"]["check"]["ok"]
    table = (out / "results.md").read_text()
    for scenario in SCENARIOS:
        assert f"| crmlink sqlite | {scenario} |" in table
        assert f"| crmlink postgresql | {scenario} |" in table
    assert (out / "chart.png").stat().st_size > 0
