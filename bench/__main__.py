"""``python -m bench``: the benchmark suite's command line.

\b
Examples:
  python -m bench run                                   # 10k, 100k, 1m on SQLite and PostgreSQL
  python -m bench run --sizes 2k --duration 2 --engines sqlite   # a smoke run, seconds
  python -m bench load --size 1m --database-url sqlite:////tmp/crm/crmlink.db
  python -m bench report bench/results/results.json     # re-render the table and chart
  python -m bench targets                               # every target of every bench, one table
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from bench.dataset import parse_size, plan_for
from bench.load import load as load_data
from bench.report import markdown, write
from bench.run import ALL_SCENARIOS, DEFAULT_FLOOR, DEFAULT_PG, FLOORS, REPO, Config, run
from bench.targets import write as write_targets


def _csv(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


@click.group()
def main() -> None:
    """crmlink's benchmark suite (see docs/benchmarks.md)."""


@main.command("run")
@click.option("--sizes", default="10k,100k,1m", show_default=True, help="Data-set sizes (records).")
@click.option("--engines", default="sqlite,postgresql", show_default=True)
@click.option("--connections", default="1,8,32", show_default=True)
@click.option("--scenarios", default=",".join(ALL_SCENARIOS), show_default=True)
@click.option("--duration", type=float, default=10.0, show_default=True, help="Seconds per figure.")
@click.option("--warmup", type=float, default=2.0, show_default=True, help="Seconds of warm-up first.")
@click.option(
    "--floor",
    type=click.Path(path_type=Path),
    default=DEFAULT_FLOOR,
    show_default=True,
    help="The reference floor server (../shared/bench/reference_server.py).",
)
@click.option(
    "--floors",
    default=",".join(FLOORS),
    show_default=True,
    help="Reference floors run beside bulk relate (seed; full_sqlite; full_postgresql), or 'none'.",
)
@click.option(
    "--rounds",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Bulk relate beside the floors: floor(s) then crmlink this many times in turn; medians kept.",
)
@click.option("--pg-dsn", default=DEFAULT_PG, show_default=True, help="PostgreSQL to create databases in.")
@click.option("--no-scaleout", is_flag=True, help="Skip the two-process PostgreSQL run.")
@click.option("--hot-links", type=int, default=10_000, show_default=True, help="Links of the listed record.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=REPO / "bench" / "results",
    show_default=True,
    help="Where results.json, results.md and chart.png go (scratch in <out>/tmp).",
)
@click.option("--no-chart", is_flag=True, help="Skip the PNG chart.")
def run_command(
    sizes: str,
    engines: str,
    connections: str,
    scenarios: str,
    duration: float,
    warmup: float,
    floor: Path,
    floors: str,
    rounds: int,
    pg_dsn: str,
    no_scaleout: bool,
    hot_links: int,
    out: Path,
    no_chart: bool,
) -> None:
    """Load each data set, run every scenario against the floor and crmlink, print the table.

    \b
    Example:
      python -m bench run --sizes 10k,100k,1m --engines sqlite,postgresql --connections 1,8,32
    """
    wanted_floors = [] if floors.strip() == "none" else _csv(floors)
    if wanted_floors and not floor.exists():
        raise click.ClickException(f"the reference floor is not at {floor}: pass --floor")
    unknown_floors = set(wanted_floors) - set(FLOORS)
    if unknown_floors:
        raise click.ClickException(f"unknown floors: {', '.join(sorted(unknown_floors))}")
    unknown = set(_csv(scenarios)) - set(ALL_SCENARIOS)
    if unknown:
        raise click.ClickException(f"unknown scenarios: {', '.join(sorted(unknown))}")
    config = Config(
        sizes=[parse_size(s) for s in _csv(sizes)],
        engines=_csv(engines),
        connections=[int(c) for c in _csv(connections)],
        scenarios=_csv(scenarios),
        duration=duration,
        warmup=warmup,
        floor=floor,
        floors=wanted_floors,
        rounds=rounds,
        out_dir=out,
        pg_dsn=pg_dsn,
        scaleout=not no_scaleout,
        hot_links=hot_links,
        log=lambda line: click.echo(line, err=True),
    )
    results = run(config)
    paths = write(results, out, with_chart=not no_chart)
    click.echo(markdown(results))
    click.echo("wrote " + ", ".join(str(p) for p in paths.values()), err=True)


@main.command("load")
@click.option("--size", required=True, help="Records, e.g. 10k, 1m.")
@click.option("--database-url", required=True, help="sqlite:///path/crmlink.db or postgresql://...")
@click.option("--hot-links", type=int, default=10_000, show_default=True)
def load_command(size: str, database_url: str, hot_links: int) -> None:
    """Load a data set into an empty crmlink database (progress on stderr).

    \b
    Example:
      python -m bench load --size 1m --database-url sqlite:////tmp/crm/crmlink.db
    """
    started = time.monotonic()
    loaded = load_data(database_url, plan_for(parse_size(size), hot_links=hot_links))
    click.echo(
        json.dumps(
            {
                "records": loaded.records,
                "links": loaded.links,
                "record_seconds": round(loaded.record_seconds, 2),
                "seconds": round(time.monotonic() - started, 2),
                "hot_product": str(loaded.hot_product),
            }
        )
    )


@main.command("report")
@click.argument("results", type=click.Path(exists=True, path_type=Path))
def report_command(results: Path) -> None:
    """Re-render results.md and chart.png from a results.json."""
    data = json.loads(results.read_text())
    write(data, results.parent)
    click.echo(markdown(data))


@main.command("targets")
@click.option(
    "--dir",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=REPO / "bench" / "results",
    show_default=True,
    help="The results folder the bench steps wrote into.",
)
def targets_command(directory: Path) -> None:
    """Print every bench target (floors, notify, snapshot, files, upsert) as one table, and write
    it to targets.md and targets.json in DIR.

    \b
    Example:
      python -m bench targets --dir bench/results
    """
    click.echo(write_targets(directory))


if __name__ == "__main__":
    sys.exit(main())
