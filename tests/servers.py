"""Real ``crmlink serve`` subprocesses for smoke and end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_until_up(base_url: str, process: subprocess.Popen[str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"crmlink serve exited with {process.returncode}")
        try:
            httpx.get(f"{base_url}/crm/v2.1/settings/modules", timeout=5.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("crmlink serve did not come up")


def spawn_server(
    tmp: Path, port: int, *args: str, env: Mapping[str, str] | None = None, database_url: str | None = None
) -> tuple[subprocess.Popen[str], Path]:
    """Start ``crmlink serve`` on ``port`` (not waiting for it); its log is appended to."""
    log_path = tmp / f"serve-{port}.log"
    full_env = {**os.environ, "CRMLINK_DATA_DIR": str(tmp / "data"), **(env or {})}
    if database_url:
        full_env["CRMLINK_DATABASE_URL"] = database_url
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "crmlink", "serve", "--port", str(port), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            text=True,
        )
    return process, log_path


@contextmanager
def crmlink_server(
    tmp: Path, *args: str, env: Mapping[str, str] | None = None, database_url: str | None = None
) -> Iterator[Server]:
    """``crmlink serve`` on a free port with its data under ``tmp``; stopped on exit."""
    port = free_port()
    process, log_path = spawn_server(tmp, port, *args, env=env, database_url=database_url)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, process)
        yield Server(process, base_url, log_path)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
