"""docs/testing.md's Node example and CI workflow, taken from the page itself: the Node file runs
under ``node --test`` against a real ``crmlink serve`` process, and the workflow is valid YAML
with the steps the page describes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

DOC = Path(__file__).resolve().parent.parent / "docs" / "testing.md"


def block(section: str, lang: str) -> str:
    """The first ``lang`` code block under the ``## section`` heading of docs/testing.md."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {section}\n")
    end = text.find("\n## ", start + 1)
    found = re.search(rf"```{lang}\n(.*?)```", text[start : end if end > 0 else None], re.S)
    assert found, f"no {lang} block under {section}"
    return found.group(1)


def run_node(tmp_path: Path, source: str) -> tuple[int, str]:
    """``node --test test/`` on ``source`` saved as test/crm.test.mjs, with this environment's
    ``crmlink`` first on the PATH; skipped without node, unless under CI (where it must run)."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is not installed, and under CI this test must run")
        pytest.skip("node is not installed")
    test_dir = tmp_path / "test"
    test_dir.mkdir()
    (test_dir / "crm.test.mjs").write_text(source, encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)  # the crmlink console script of this environment
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "TMPDIR": str(tmp_path),
    }
    done = subprocess.run(
        [node, "--test", "test/"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_node_example_runs_against_a_real_server(tmp_path: Path) -> None:
    code, report = run_node(tmp_path, block("From a Node test runner", "js"))
    assert code == 0, report
    assert "# pass 4" in report and "# fail 0" in report, report


def test_the_node_example_fails_when_the_server_answers_otherwise(tmp_path: Path) -> None:
    """The example's assertions bite: with its fault rule answering 500 instead of 429, its
    429 test fails, the request log is printed, and the other three pass."""
    source = block("From a Node test runner", "js").replace(
        'code: "TOO_MANY_REQUESTS", path', 'code: "INTERNAL_ERROR", path'
    )
    code, report = run_node(tmp_path, source)
    assert code != 0 and "# pass 3" in report and "# fail 1" in report, report


def _steps(job: dict[str, Any]) -> list[str]:
    return [step.get("uses") or step.get("run") for step in job["steps"]]


def test_the_ci_workflow_is_yaml_with_the_documented_steps() -> None:
    workflow = yaml.safe_load(block("In CI", "yaml"))
    assert workflow["name"] == "tests"
    # YAML 1.1 reads the key ``on`` as True.
    assert workflow.get("on", workflow.get(True)) == ["push", "pull_request"]
    jobs = workflow["jobs"]
    assert set(jobs) == {"python", "node"}
    assert all(job["runs-on"] == "ubuntu-latest" for job in jobs.values())
    assert _steps(jobs["python"]) == [
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "pip install crmlink pytest",
        "pytest -q",
    ]
    assert _steps(jobs["node"]) == [
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "actions/setup-node@v4",
        "pip install crmlink",
        "node --test test/",
    ]
    assert jobs["python"]["steps"][1]["with"]["python-version"] == "3.11"
    assert jobs["node"]["steps"][2]["with"]["node-version"] == "20"
