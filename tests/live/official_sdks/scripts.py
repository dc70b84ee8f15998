"""Running scripts inside the official SDKs' venvs: flows, seed snippets, docs examples."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.live.server import Credentials, LiveServer

HERE = Path(__file__).parent
FLOWS = HERE / "flows"
SCRIPT_TIMEOUT = 180  # the SDKs set no timeout on writes: a hung server must not hang the suite


def run_script(
    python: Path,
    script: Path,
    *,
    workdir: Path,
    env: dict[str, str] | None = None,
    args: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with ``python`` in ``workdir`` (so nothing the SDK writes lands elsewhere)."""
    workdir.mkdir(parents=True, exist_ok=True)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    full_env.update(env or {})
    return subprocess.run(
        [str(python), str(script), *(args or [])],
        cwd=workdir,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )


def flow_env(server: LiveServer, creds: Credentials, workdir: Path) -> dict[str, str]:
    return {
        "CRMLINK_URL": server.url,
        "CRMLINK_TOKEN_URL": server.token_url,
        "CRMLINK_CLIENT_ID": creds.client_id,
        "CRMLINK_CLIENT_SECRET": creds.client_secret,
        "CRMLINK_REFRESH_TOKEN": creds.refresh_token,
        "CRMLINK_USER_EMAIL": creds.email,
        "CRMLINK_FLOW_WORKDIR": str(workdir),
    }


def run_flow(
    python: Path, flow: str, server: LiveServer, creds: Credentials, workdir: Path
) -> dict[str, Any]:
    """Run ``flows/<flow>.py`` against ``server``; the JSON document it printed."""
    done = run_script(python, FLOWS / f"{flow}.py", workdir=workdir, env=flow_env(server, creds, workdir))
    assert done.returncode == 0, f"{flow} exited {done.returncode}:\n{done.stderr}\n{server.log_tail()}"
    try:
        result: dict[str, Any] = json.loads(done.stdout)
    except ValueError as exc:
        raise AssertionError(f"{flow} printed no JSON:\n{done.stdout}\n{done.stderr}") from exc
    return result
