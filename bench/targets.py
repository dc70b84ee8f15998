"""Every target that a ``make bench`` step measures, in one table: target, measured, holds.

Reads what the steps wrote into the results folder and prints the table (markdown); writes it
as ``targets.md`` and ``targets.json`` beside them. A step that did not run this time shows
"not measured" rather than an older figure:

* ``results.json`` (``python -m bench run``): the floors (issue 17), single relate, related
  list, search and COQL (issue 11), scale-out, memory and loader targets;
* ``notify.json`` (``python -m bench.notify``): single-relate throughput with one channel
  watching everything against none, and delivery latency (issue 14);
* ``snapshot.json`` (``python -m bench.snapshot``): snapshot and restore time (issue 15);
* ``files.json`` (``python -m bench.files``): RSS during 8 parallel 10 MB uploads and
  downloads, lead conversion p50 (issue 13);
* ``inproc.json`` (``python -m bench.inproc ... --out``): upsert of 100 against insert of 100
  (issue 11).

    python -m bench targets [--dir bench/results]
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.report import checks

# Growth of the server's RSS while 8 x 10 MB move at once that still counts as streamed:
# buffering the bodies would add the whole 80 MB.
STREAMED_GROWTH_MB = 40.0


@dataclass(frozen=True, slots=True)
class Row:
    source: str
    target: str
    measured: str
    holds: bool | None  # None: not measured

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "**no**", None: "not measured"}[self.holds]


def _load(path: Path) -> Any:
    return json.loads(path.read_text()) if path.exists() else None


def _bench_run(directory: Path) -> list[Row]:
    results = _load(directory / "results.json")
    if results is None:
        return [Row("bench run", "bulk relate, floors and the other wrk targets", "not run", None)]
    return [Row("bench run", c.name, c.measured, c.holds) for c in checks(results)]


def _notify(directory: Path) -> list[Row]:
    data = _load(directory / "notify.json")
    ratio_target = "single relate with one channel watching everything >= 80% of none (issue 14)"
    latency_target = "a change reaches the receiver: p50 <= 50 ms (issue 14)"
    if not data:
        return [
            Row("bench.notify", ratio_target, "not run", None),
            Row("bench.notify", latency_target, "not run", None),
        ]
    ratio = ", ".join(
        f"{d['engine']} {d['ratio']:.2f} ({d['relates_per_s_without_channel']:,.0f} -> "
        f"{d['relates_per_s_with_channel']:,.0f}/s)"
        for d in data
    )
    latency = ", ".join(f"{d['engine']} {d['latency_ms_p50']} ms" for d in data)
    return [
        Row("bench.notify", ratio_target, ratio, all(d["ratio"] >= d["ratio_target"] for d in data)),
        Row(
            "bench.notify",
            latency_target,
            latency,
            all(
                d["latency_ms_p50"] is not None and d["latency_ms_p50"] <= d["latency_p50_target_ms"]
                for d in data
            ),
        ),
    ]


def _snapshot(directory: Path) -> list[Row]:
    data = _load(directory / "snapshot.json")
    target = "snapshot and restore of an org with 10k records, 50k links: < 200 ms (issue 15)"
    if not data:
        return [Row("bench.snapshot", target, "not run", None)]
    measured = (
        f"{data['engine']}, {data['records']:,} records, {data['links']:,} links: snapshot p50"
        f" {data['snapshot_p50_ms']} ms, restore p50 {data['restore_p50_ms']} ms"
    )
    worst = max(float(data["snapshot_p50_ms"]), float(data["restore_p50_ms"]))
    return [Row("bench.snapshot", target, measured, worst < float(data["target_ms"]))]


def _files(directory: Path) -> list[Row]:
    data = _load(directory / "files.json")
    memory_target = (
        f"8 parallel 10 MB uploads / downloads in constant memory: RSS grows < {STREAMED_GROWTH_MB:.0f} MB"
        " over idle (issue 13)"
    )
    convert_target = "convert a lead with 100 campaign and 100 product links: p50 < 50 ms (issue 13)"
    if not data:
        return [
            Row("bench.files", memory_target, "not run", None),
            Row("bench.files", convert_target, "not run", None),
        ]
    m, c = data["memory"], data["convert"]
    up, down = m["upload_peak_rss_mb"] - m["idle_rss_mb"], m["download_peak_rss_mb"] - m["idle_rss_mb"]
    return [
        Row(
            "bench.files",
            memory_target,
            f"{data['engine']}: idle {m['idle_rss_mb']} MB, +{up:.1f} MB uploading,"
            f" +{down:.1f} MB downloading",
            max(up, down) < STREAMED_GROWTH_MB,
        ),
        Row(
            "bench.files",
            convert_target,
            f"{data['engine']}: p50 {c['convert_p50_ms']} ms"
            f" ({c['convert_over_get_record']} x GET /Leads/{{id}}, {c['get_record_p50_ms']} ms)",
            float(c["convert_p50_ms"]) < 50.0,
        ),
    ]


def _upsert(directory: Path) -> list[Row]:
    data = _load(directory / "inproc.json") or {}
    target = "upsert of 100 keyed by Email >= 50% of the speed of insert of 100 (issue 11)"
    insert = data.get("insert100")
    upserts = {k: v for k, v in data.items() if k in ("upsert100", "upsert100u")}
    if not insert or not upserts:
        return [Row("bench.inproc", target, "not run", None)]
    ratios = {k: insert["cpu_ms"] / v["cpu_ms"] for k, v in upserts.items() if v["cpu_ms"]}
    measured = ", ".join(
        f"{k} {r:.2f} ({upserts[k]['cpu_ms']:.1f} vs {insert['cpu_ms']:.1f} ms CPU per call)"
        for k, r in ratios.items()
    )
    return [
        Row(
            "bench.inproc",
            target,
            f"in process, SQLite {data.get('size', '')}: {measured}",
            all(r >= 0.5 for r in ratios.values()),
        )
    ]


def gather(directory: Path) -> list[Row]:
    return [
        *_bench_run(directory),
        *_notify(directory),
        *_snapshot(directory),
        *_files(directory),
        *_upsert(directory),
    ]


def markdown(rows: list[Row], directory: Path) -> str:
    results = _load(directory / "results.json") or {}
    when = results.get("generated_at", "")
    lines = [
        "# crmlink targets",
        "",
        f"Every target a `make bench` step measures (wrk run of {when}; the other steps as last run)."
        " Ratios are taken within one run; absolute times depend on the machine's load.",
        "",
        "| target | measured | holds | from |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r.target} | {r.measured} | {r.verdict} | {r.source} |" for r in rows]
    return "\n".join(lines) + "\n"


def write(directory: Path) -> str:
    rows = gather(directory)
    text = markdown(rows, directory)
    (directory / "targets.md").write_text(text)
    (directory / "targets.json").write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return text


__all__ = ["Row", "gather", "markdown", "write"]
