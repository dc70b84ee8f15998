"""Server processes under test: ``crmlink serve`` and the reference floor, started and stopped
by the benchmark, with their peak resident memory read from ``/proc``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Server:
    """One server process on a free loopback port."""

    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] | None = None
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    interrupted: bool = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 120.0) -> Server:
        return self.launch().wait_ready(timeout)

    def launch(self) -> Server:
        """Start the process without waiting for it (several servers then start side by side)."""
        self.port = self.port or free_port()
        argv = [a.replace("{port}", str(self.port)) for a in self.argv]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        env = {**os.environ, **(self.env or {})}
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.interrupted = False
        log.close()
        return self

    def wait_ready(self, timeout: float = 120.0) -> Server:
        """Wait until the launched process answers HTTP; stop it and raise if it does not."""
        assert self.proc is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            if self._answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f}s; see {self.log_path}")

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.base_url}/crm/v2.1/settings/modules", timeout=1)
        except urllib.error.HTTPError:
            return True  # any HTTP answer (401, 404, 405) means it is serving
        except OSError:
            return False
        return True

    @property
    def peak_rss_mb(self) -> float:
        """Peak resident set size so far (VmHWM), in MiB."""
        return _status_kb(self.pid, "VmHWM") / 1024

    def interrupt(self) -> None:
        """Ask the process to stop (SIGINT), without waiting."""
        if self.proc is not None and self.proc.poll() is None and not self.interrupted:
            self.proc.send_signal(signal.SIGINT)
            self.interrupted = True  # a second SIGINT would make uvicorn skip its graceful stop

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.interrupt()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def stop_all(servers: list[Server]) -> None:
    """Stop several servers: interrupt them all, then wait for each."""
    for server in servers:
        server.interrupt()
    for server in servers:
        server.stop()


def crmlink_server(name: str, database_url: str, log_path: Path) -> Server:
    return Server(
        name=name,
        argv=[
            sys.executable,
            "-m",
            "crmlink",
            "serve",
            "--database-url",
            database_url,
            "--port",
            "{port}",
            "--log-level",
            "warning",
        ],
        log_path=log_path,
    )


FLOOR_TOKEN = "floor-token"  # the token reference_server.py --work full seeds and checks


def floor_server(
    floor: Path, db: str, records: int, log_path: Path, *, work: str = "seed", pool: int = 8
) -> Server:
    """The reference floor: ``--work seed`` (SQLite only) or ``--work full`` on a SQLite file or,
    given a ``postgresql://`` URL for ``db``, on PostgreSQL with a pool of ``pool`` connections."""
    argv = [sys.executable, str(floor), "--db", db, "--records", str(records), "--port", "{port}"]
    argv += ["--work", work]
    if db.startswith("postgresql://"):
        argv += ["--connections", str(pool)]
    return Server(name=f"floor-{work}", argv=argv, log_path=log_path)


__all__ = ["FLOOR_TOKEN", "Server", "crmlink_server", "floor_server", "free_port", "stop_all"]
