"""docs/clients.md section 6 (a lead-capture day) runs as written against a fresh
``crmlink serve --demo``, with the bytes on local disk and in S3 (moto's real HTTP server)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import make_bucket
from tests.live.official_sdks.scripts import run_script
from tests.live.server import serve
from tests.live.test_docs_clients import DOC, _bash, _blocks

DAY = re.compile(r"<!-- docs-lead-day: (\w+)(?: venv=([\w.-]+))? -->\n```\w+\n(.*?)```", re.S)


@pytest.mark.parametrize("backend", ["file", "s3"])
def test_the_lead_capture_day_runs_as_documented(
    request: pytest.FixtureRequest, backend: str, zohocrmsdk21_python: Path, tmp_path: Path
) -> None:
    env: dict[str, str] = {}
    if backend == "s3":
        endpoint: str = request.getfixturevalue("s3_endpoint")
        env = {"CRMLINK_BLOB_URL": f"s3://{make_bucket(endpoint)}/day", "CRMLINK_S3_ENDPOINT_URL": endpoint}
    blocks = [(m[1], m[2], m[3]) for m in DAY.finditer(DOC.read_text())]
    assert [(k, v) for k, v, _ in blocks] == [("sh", None), ("python", "zohocrmsdk2-1")]
    with serve("sqlite", tmp_path / "server", "--demo", env=env) as server:
        credentials = _blocks()[0].code
        credentials = credentials.replace("export CRM=http://127.0.0.1:8000", f"export CRM={server.url}")
        credentials = credentials.replace(
            "export CRMLINK=.venv/bin/crmlink", f"export CRMLINK='{sys.executable} -m crmlink'"
        )
        shell = {**os.environ, "CRMLINK_DATA_DIR": str(server.storage_args[1]), **env}
        setup = _bash(
            credentials + '\npython3 -c "import json, os; print(json.dumps(dict(os.environ)))"',
            shell,
            tmp_path,
        )
        assert setup.returncode == 0, setup.stderr
        exported: dict[str, str] = json.loads(setup.stdout.splitlines()[-1])

        curl = _bash(blocks[0][2], exported, tmp_path)
        assert curl.returncode == 0, f"{curl.stdout}\n{curl.stderr}"
        lines = curl.stdout.splitlines()
        converted = json.loads(lines[0])["data"][0]
        assert all(converted[k] for k in ("Contacts", "Accounts", "Deals")), converted
        assert lines[1:] == [
            "[('Newsletter', 'Sent'), ('Webinar 2026', 'Responded')]",
            "2",
            "Met at the webinar",
            "download equals upload",
        ]

        script = tmp_path / "lead_day_sdk.py"
        script.write_text(blocks[1][2])
        sdk = run_script(zohocrmsdk21_python, script, workdir=tmp_path, env=exported)
        assert sdk.returncode == 0, sdk.stderr
        assert sdk.stdout.splitlines() == ["attachment uploaded successfully", "200", "okafor-cv.pdf True"]
