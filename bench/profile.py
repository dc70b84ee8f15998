"""Profile one scenario: load a data set, serve it, drive it with wrk and sample the server
with py-spy; prints the hottest frames (inclusive and self) and writes a flame graph.

\b
    python -m bench.profile --size 10k --scenario relate100 --seconds 10
    python -m bench.profile --size 10k --floor full_sqlite      # the same, of a reference floor
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import click

from bench.dataset import parse_size, plan_for
from bench.load import load
from bench.loadgen import Target, ensure_wrk, run_wrk
from bench.run import DEFAULT_PG, FLOORS, Bench, Config
from bench.servers import Server, crmlink_server
from bench.tokens import mint_token


def summarize(raw: Path, top: int = 40) -> str:
    total = 0
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    out = [f"{total} samples", "", "inclusive:"]
    out += [f"{n / total:6.1%}  {f[:140]}" for f, n in inclusive.most_common(top)]
    out += ["", "self:"]
    out += [f"{n / total:6.1%}  {f[:140]}" for f, n in own.most_common(top // 2)]
    return "\n".join(out)


@click.command()
@click.option("--size", default="10k")
@click.option("--scenario", default="relate100")
@click.option("--connections", type=int, default=8)
@click.option("--seconds", type=float, default=10.0)
@click.option("--database-url", default="", help="Default: a fresh SQLite file in --out.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("bench/results/tmp/profile"))
@click.option(
    "--floor",
    type=click.Choice(sorted(FLOORS)),
    default=None,
    help="Profile this reference floor under its bulk relate instead of crmlink.",
)
@click.option("--pg-dsn", default=DEFAULT_PG, show_default=True, help="For --floor full_postgresql.")
def main(
    size: str,
    scenario: str,
    connections: int,
    seconds: float,
    database_url: str,
    out: Path,
    floor: str | None,
    pg_dsn: str,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if floor is not None:
        bench = Bench(Config(sizes=[parse_size(size)], duration=seconds, warmup=0, pg_dsn=pg_dsn))
        server, target, cleanup = bench.start_floor(floor, parse_size(size), out)
        try:
            server.wait_ready()
            wrk = ensure_wrk()
            run_wrk(target, connections=connections, duration=2, scratch=out, wrk=wrk)  # warm up
            _profile(server, target, connections, seconds, out, wrk)
        finally:
            server.stop()
            cleanup()
        return
    if not database_url:
        shutil.rmtree(out / "db", ignore_errors=True)
        database_url = f"sqlite:///{(out / 'db' / 'crmlink.db').resolve()}"
        (out / "db").mkdir()
    loaded = load(database_url, plan_for(parse_size(size)))
    token, _ = mint_token(database_url)
    bench = Bench(Config(sizes=[loaded.records], duration=seconds, warmup=0))
    wrk = ensure_wrk()
    with crmlink_server("crmlink", database_url, out / "server.log") as server:
        target = bench.targets_for(loaded, server.base_url, token)[scenario]
        run_wrk(target, connections=connections, duration=2, scratch=out, wrk=wrk)  # warm up
        _profile(server, target, connections, seconds, out, wrk)


def _profile(server: Server, target: Target, connections: int, seconds: float, out: Path, wrk: str) -> None:
    """Sample ``server`` with py-spy while wrk drives ``target``; print the summary."""
    raw = out / f"{target.scenario}.txt"
    beside = Path(sys.executable).with_name("py-spy")
    spy = [str(beside)] if beside.exists() else [shutil.which("py-spy") or "py-spy"]
    result: list[object] = []
    load_thread = threading.Thread(
        target=lambda: result.append(
            run_wrk(target, connections=connections, duration=seconds, scratch=out, wrk=wrk)
        )
    )
    load_thread.start()
    subprocess.run(
        [
            *spy,
            "record",
            "-p",
            str(server.pid),
            "-d",
            str(int(seconds) - 1),
            *("-r", "250"),
            *("-f", "raw"),
            *("-o", str(raw)),
        ],
        check=True,
        capture_output=True,
    )
    load_thread.join()
    subprocess.run(
        [*spy, "record", "-p", str(server.pid), "-d", "1", "-f", "flamegraph", "-o", str(out / "x.svg")],
        check=False,
        capture_output=True,
    )
    click.echo(summarize(raw))
    click.echo(f"\n{result[0]}")


if __name__ == "__main__":
    main()
