"""Real ``crmlink serve`` subprocesses for smoke tests: started on a free port, waited for, stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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
    base: str
    log: Path
    process: subprocess.Popen[bytes]


@contextmanager
def crmlink_serve(data_dir: Path, log: Path, *args: str) -> Iterator[Server]:
    """``crmlink serve --data-dir DATA_DIR ARGS`` on a free port; output (stdout and stderr) in ``log``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRMLINK_")}
    command = [
        sys.executable,
        "-m",
        "crmlink",
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        *args,
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/crm/v2.1/users", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"crmlink serve did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield Server(base, log, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
