"""The results of a run as a markdown table, a JSON file and a PNG chart, and the targets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.loadgen import ITEMS

SCENARIO_TITLES = {
    "relate100": "bulk relate 100 (list_price)",
    "relate1": "single relate",
    "list200": "related list, page of 200 of 10k",
    "delink100": "bulk delink 100",
    "insert100": "records insert 100",
    "search_email": "search criteria Email equals (1 match)",
    "coql_email": "COQL where Email = (1 match)",
}
TARGET_CONNECTIONS = "8"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    measured: str
    holds: bool | None  # None: not measured in this run


def _row(size: dict[str, Any], engine: str, scenario: str, conns: str) -> dict[str, Any] | None:
    rows = size["engines"].get(engine, {}).get("rows", {})
    found: dict[str, Any] | None = rows.get(scenario, {}).get(conns)
    return found


FLOOR_LABELS = {
    "seed": "floor seed",
    "full_sqlite": "floor full sqlite",
    "full_postgresql": "floor full postgresql",
}


def floors(size: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The size's floors by key (results before the full-work floors had one, the seed floor)."""
    if size.get("floors"):
        found: dict[str, dict[str, Any]] = size["floors"]
        return found
    return {"seed": size["floor"]} if "floor" in size else {}


def full_floor(engine: str) -> str:
    return f"full_{engine}"


def _floor(size: dict[str, Any], conns: str, key: str = "seed") -> dict[str, Any] | None:
    found: dict[str, Any] | None = floors(size).get(key, {}).get("rows", {}).get("relate100", {}).get(conns)
    return found


def ratio(size: dict[str, Any], engine: str, scenario: str, conns: str, floor: str = "seed") -> float | None:
    """crmlink's request throughput over a floor's bulk-relate throughput (same size, same
    connections, measured back to back)."""
    mine, base = _row(size, engine, scenario, conns), _floor(size, conns, floor)
    if not mine or not base or not base["rps"] or mine["errors"] or base["errors"]:
        return None
    return float(mine["rps"]) / float(base["rps"])


def checks(results: dict[str, Any]) -> list[Check]:
    """The targets measured by ``python -m bench run`` (8 connections)."""
    sizes = results["sizes"]
    out: list[Check] = []
    c = TARGET_CONNECTIONS

    def each(label: str, fn: Any) -> None:
        values = [(s["label"], fn(s)) for s in sizes]
        measured = [(lbl, v) for lbl, v in values if v is not None]
        if not measured:
            out.append(Check(label, "not measured", None))
            return
        text = ", ".join(f"{lbl}: {v[0]}" for lbl, v in measured)
        out.append(Check(label, text, all(v[1] for _, v in measured)))

    def relate_ratio(s: dict[str, Any]) -> tuple[str, bool] | None:
        r = ratio(s, "sqlite", "relate100", c)
        return None if r is None else (f"{r:.0%}", r >= 0.70)

    def full_ratio(engine: str, at_least: float) -> Any:
        def check(s: dict[str, Any]) -> tuple[str, bool] | None:
            r = ratio(s, engine, "relate100", c, full_floor(engine))
            if r is None:
                return None
            mine, base = _row(s, engine, "relate100", c), _floor(s, c, full_floor(engine))
            assert mine and base
            return f"{r:.0%} ({mine['rps']:,.0f} / {base['rps']:,.0f} req/s)", r >= at_least

        return check

    def two_processes(s: dict[str, Any]) -> tuple[str, bool] | None:
        so = s["engines"].get("postgresql", {}).get("scaleout")
        if not so or "relate100" not in so["one"]:
            return None
        one, two = so["one"]["relate100"], so["two"]["relate100"]
        if not one["rps"] or one["errors"] or two["errors"]:
            return None
        x = two["rps"] / one["rps"]
        return f"{x:.2f}x ({one['rps']:,.0f} -> {two['rps']:,.0f} req/s, c={so['connections']})", x >= 1.5

    def inserts_once(s: dict[str, Any]) -> tuple[str, bool] | None:
        check = s["engines"].get("postgresql", {}).get("scaleout", {}).get("check")
        if not check:
            return None
        return (
            f"{check['records_found']:,} of >= {check['records_expected']:,}, {check['duplicates']} twice",
            bool(check["ok"]),
        )

    def p99_single(s: dict[str, Any]) -> tuple[str, bool] | None:
        row = _row(s, "sqlite", "relate1", c)
        return None if not row or row["errors"] else (f"{row['p99_ms']:.2f} ms", row["p99_ms"] <= 5.0)

    def p50_list(s: dict[str, Any]) -> tuple[str, bool] | None:
        row = _row(s, "sqlite", "list200", c)
        return None if not row or row["errors"] else (f"{row['p50_ms']:.2f} ms", row["p50_ms"] <= 10.0)

    def p50_equality(scenario: str) -> Any:
        def check(s: dict[str, Any]) -> tuple[str, bool] | None:
            found = [
                (engine, row)
                for engine in ("sqlite", "postgresql")
                if (row := _row(s, engine, scenario, c)) and not row["errors"]
            ]
            if not found:
                return None
            text = " / ".join(f"{engine} {row['p50_ms']:.2f} ms" for engine, row in found)
            return text, all(row["p50_ms"] <= 10.0 for _, row in found)

        return check

    each("SQLite bulk relate >= 85% of the SQLite full-work floor (issue 17)", full_ratio("sqlite", 0.85))
    each(
        "PostgreSQL bulk relate >= 80% of the PostgreSQL full-work floor (issue 17)",
        full_ratio("postgresql", 0.80),
    )
    each(
        "2 serve processes on one PostgreSQL, relates to different parents of one relation:"
        " >= 1.5x one process (issue 17)",
        two_processes,
    )
    each("2 serve processes: every insert answered 201 stored exactly once", inserts_once)
    each("bulk relate 100 >= 70% of the seed floor (SQLite, earlier target)", relate_ratio)
    each("single relate p99 <= 5 ms", p99_single)
    each("related-list page of 200 of 10k: p50 <= 10 ms", p50_list)
    each("search Email equals: p50 <= 10 ms (both engines)", p50_equality("search_email"))
    each("COQL where Email =: p50 <= 10 ms (both engines)", p50_equality("coql_email"))

    small = next((s for s in sizes if s["size"] <= 10_000), None)
    large = next((s for s in reversed(sizes) if s["size"] >= 1_000_000), None)
    if small and large:
        parts, holds = [], True
        for scenario in SCENARIO_TITLES:
            a, b = _row(small, "sqlite", scenario, c), _row(large, "sqlite", scenario, c)
            if not a or not b or a["errors"] or b["errors"] or not a["rps"]:
                continue
            kept = b["rps"] / a["rps"]
            parts.append(f"{scenario} {kept:.0%}")
            holds = holds and kept >= 0.80
        out.append(
            Check(
                f"at {large['label']} each throughput >= 80% of its {small['label']} figure",
                ", ".join(parts) or "not measured",
                holds if parts else None,
            )
        )
    else:
        out.append(Check("at 1m each throughput >= 80% of its 10k figure", "needs sizes 10k and 1m", None))
    if large and "sqlite" in large["engines"]:
        rss = large["engines"]["sqlite"].get("rss_mb")
        out.append(
            Check(
                f"server RSS <= 300 MB at {large['label']}",
                f"{rss:.0f} MB" if rss else "-",
                None if not rss else rss <= 300,
            )
        )
        load = large["engines"]["sqlite"]["load"]
        seconds = load["record_seconds"] * 1_000_000 / max(load["records"], 1)
        out.append(
            Check(
                "loader: 1 million records in under 2 minutes",
                f"{load['records']:,} records in {load['record_seconds']:.1f} s"
                f" ({load['links']:,} links too: {load['seconds']:.1f} s in all)",
                seconds < 120,
            )
        )
    else:
        out.append(Check("server RSS <= 300 MB at 1m", "needs size 1m", None))
        out.append(Check("loader: 1 million records in under 2 minutes", "needs size 1m", None))
    return out


def _fmt_ratio(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    cfg = results["config"]
    lines = [
        "# crmlink benchmark results",
        "",
        f"Run {results['generated_at']} at commit `{m.get('commit', '')}`"
        f" in {results.get('seconds', 0):.0f} s:"
        f" {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']},"
        f" SQLite {m['sqlite']}, {m['postgresql']}; {m['wrk']}.",
        f"Each figure: wrk for {cfg['duration_s']:g} s after {cfg['warmup_s']:g} s of warm-up,"
        " one `crmlink serve` process, real tokens, over loopback.",
        "",
        "## Targets (8 connections; SQLite unless named)",
        "",
        "| target | measured | holds |",
        "|---|---|---|",
    ]
    for check in checks(results):
        mark = {True: "yes", False: "**no**", None: "not measured"}[check.holds]
        lines.append(f"| {check.name} | {check.measured} | {mark} |")
    lines += [
        "",
        "## Floors: bulk relate, crmlink against each floor, back to back",
        "",
        "Each floor runs beside crmlink on the same machine and is measured just before crmlink at"
        " the same connection count, with the same request pattern (fresh links to random parents and"
        " related ids, wrk with `bench/wrk/scenario.lua`). `seed`: the least a relate can do;"
        " `full`: the same durable work as crmlink (token, existence check, links with a reverse"
        " index, one event per change) on the named engine.",
        "",
        "| size | engine | conns | crmlink req/s | floor | floor req/s | crmlink / floor |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for s in results["sizes"]:
        for engine in s["engines"]:
            for conns in (str(c) for c in cfg["connections"]):
                mine = _row(s, engine, "relate100", conns)
                if not mine:
                    continue
                for key in ("seed", full_floor(engine)):
                    base = _floor(s, conns, key)
                    if base is None:
                        continue
                    r = ratio(s, engine, "relate100", conns, key)
                    lines.append(
                        f"| {s['label']} | {engine} | {conns} | {mine['rps']:,.0f} | {key}"
                        f" | {base['rps']:,.0f} | {_fmt_ratio(r)} |"
                    )
    lines += [
        "",
        "## Throughput and latency",
        "",
        "`x seed` divides the row's request throughput by the seed floor's bulk-relate throughput"
        " at the same size and connections, `x full` by the full-work floor's on the row's engine"
        " (for the relate-100 rows these are the like-for-like ratios; for the others only a"
        " yardstick). `items/s` counts related ids, records or list rows.",
        "",
        "| size | server | scenario | conns | req/s | items/s | p50 ms | p99 ms | errors | x seed | x full |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results["sizes"]:
        for key, floor in floors(s).items():
            for conns, row in floor["rows"]["relate100"].items():
                lines.append(
                    f"| {s['label']} | {FLOOR_LABELS.get(key, key)} | relate100 | {conns} | {row['rps']:,.0f}"
                    f" | {row['rps'] * 100:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f}"
                    f" | {row['errors']} | - | - |"
                )
        for engine, data in s["engines"].items():
            for scenario, by_conns in data.get("rows", {}).items():
                for conns, row in by_conns.items():
                    r = ratio(s, engine, scenario, conns)
                    rf = ratio(s, engine, scenario, conns, full_floor(engine))
                    lines.append(
                        f"| {s['label']} | crmlink {engine} | {scenario} | {conns} | {row['rps']:,.0f}"
                        f" | {row['rps'] * ITEMS[scenario]:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f}"
                        f" | {row['errors']} | {_fmt_ratio(r)} | {_fmt_ratio(rf)} |"
                    )
    lines += [
        "",
        "## Data sets, loader and memory",
        "",
        "| size | records | links | engine | load records s | load all s | server peak RSS MB |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for s in results["sizes"]:
        for key, floor in floors(s).items():
            lines.append(
                f"| {s['label']} | {floor.get('records', s['records']):,} | -"
                f" | {FLOOR_LABELS.get(key, key)} | - | -"
                f" | {floor.get('rss_mb', 0):.0f} |"
            )
        for engine, data in s["engines"].items():
            load = data["load"]
            lines.append(
                f"| {s['label']} | {load['records']:,} | {load['links']:,} | {engine}"
                f" | {load['record_seconds']:.1f} | {load['seconds']:.1f} | {data.get('rss_mb', 0):.0f} |"
            )
    scale = [(s, s["engines"]["postgresql"]["scaleout"]) for s in results["sizes"] if _has_scaleout(s)]
    if scale:
        lines += [
            "",
            "## Scale-out on PostgreSQL (one database)",
            "",
            "| size | scenario | conns | 1 process req/s | 2 processes req/s | x | p99 1 / 2 ms"
            " | errors | check |",
            "|---|---|---:|---:|---:|---:|---|---:|---|",
        ]
        for s, so in scale:
            for scenario, one in so["one"].items():
                two = so["two"][scenario]
                x = two["rps"] / one["rps"] if one["rps"] else 0
                check = so["check"]
                verdict = (
                    f"{check['records_found']:,} of >= {check['records_expected']:,} leads,"
                    f" {'ok' if check['ok'] else 'FAILED'}"
                    if scenario == "insert100"
                    else ""
                )
                lines.append(
                    f"| {s['label']} | {scenario} | {so['connections']} | {one['rps']:,.0f}"
                    f" | {two['rps']:,.0f}"
                    f" | {x:.2f} | {one['p99_ms']:.1f} / {two['p99_ms']:.1f}"
                    f" | {one['errors'] + two['errors']} | {verdict} |"
                )
    errors = [
        f"- {s['label']} {engine} {scenario} c={conns}: {row['first_error'][:200]}"
        for s in results["sizes"]
        for engine, data in s["engines"].items()
        for scenario, by_conns in data.get("rows", {}).items()
        for conns, row in by_conns.items()
        if row["errors"]
    ] + [
        f"- {s['label']} {FLOOR_LABELS.get(key, key)} relate100 c={conns}: {row['first_error'][:200]}"
        for s in results["sizes"]
        for key, floor in floors(s).items()
        for conns, row in floor["rows"]["relate100"].items()
        if row["errors"]
    ]
    if errors:
        lines += ["", "## First error of each row with errors", "", *errors]
    return "\n".join(lines) + "\n"


def _has_scaleout(size: dict[str, Any]) -> bool:
    return "scaleout" in size["engines"].get("postgresql", {})


def chart(results: dict[str, Any], path: Path) -> None:
    """Throughput and p99 against data-set size, 8 connections (or the middle count)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = results["sizes"]
    conn_list = [str(c) for c in results["config"]["connections"]]
    conns = TARGET_CONNECTIONS if TARGET_CONNECTIONS in conn_list else conn_list[len(conn_list) // 2]
    fig, (ax_rps, ax_p99) = plt.subplots(1, 2, figsize=(13, 5))
    xs = [s["records"] for s in sizes]
    colors = {name: f"C{i}" for i, name in enumerate(SCENARIO_TITLES)}
    for key, style in (("seed", "k-o"), ("full_sqlite", "k-^"), ("full_postgresql", "k--v")):
        if not any(_floor(s, conns, key) for s in sizes):
            continue
        floor_rps = [(_floor(s, conns, key) or {}).get("rps") for s in sizes]
        floor_p99 = [(_floor(s, conns, key) or {}).get("p99_ms") for s in sizes]
        ax_rps.plot(xs, floor_rps, style, label=f"{FLOOR_LABELS[key]} relate100")
        ax_p99.plot(xs, floor_p99, style, label=f"{FLOOR_LABELS[key]} relate100")
    for engine, style in (("sqlite", "-o"), ("postgresql", "--s")):
        for scenario in SCENARIO_TITLES:
            rows = [_row(s, engine, scenario, conns) for s in sizes]
            if not any(rows):
                continue
            rps = [r["rps"] if r and not r["errors"] else None for r in rows]
            p99 = [r["p99_ms"] if r and not r["errors"] else None for r in rows]
            kw = {"color": colors[scenario], "label": f"{engine} {scenario}"}
            ax_rps.plot(xs, rps, style, **kw)
            ax_p99.plot(xs, p99, style, **kw)
    for ax, title, unit in ((ax_rps, "throughput", "requests/s"), (ax_p99, "p99 latency", "ms")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("records in the data set")
        ax.set_ylabel(unit)
        ax.set_title(f"{title}, {conns} connections")
        ax.grid(True, which="both", alpha=0.3)
    ax_p99.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict[str, Any], out_dir: Path, *, with_chart: bool = True) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "results.json", "md": out_dir / "results.md"}
    paths["json"].write_text(json.dumps(results, indent=2) + "\n")
    paths["md"].write_text(markdown(results))
    if with_chart:
        paths["png"] = out_dir / "chart.png"
        chart(results, paths["png"])
    return paths


__all__ = ["Check", "chart", "checks", "floors", "full_floor", "markdown", "ratio", "write"]
