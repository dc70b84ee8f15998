"""The package stands alone: httpx is its only dependency, nothing comes from the server."""

from __future__ import annotations

import ast
import pathlib
import tomllib

import crmlink_client

CLIENT_ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = CLIENT_ROOT / "src" / "crmlink_client"


def test_only_dependency_is_httpx() -> None:
    project = tomllib.loads((CLIENT_ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "crmlink-client"
    assert [d.split(">")[0].split("=")[0] for d in project["dependencies"]] == ["httpx"]


def test_nothing_is_imported_from_the_server_or_outside_stdlib_and_httpx() -> None:
    allowed_third_party = {"httpx"}
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top != "crmlink", f"{path.name} imports {name}"
                assert (
                    top in allowed_third_party
                    or top in __import__("sys").stdlib_module_names
                    or top == "__future__"
                ), f"{path.name} imports {name}"


def test_is_typed_and_exports_what_it_lists() -> None:
    assert (PACKAGE / "py.typed").exists()
    for name in crmlink_client.__all__:
        assert hasattr(crmlink_client, name), name
    for name in crmlink_client.compat.__all__:
        assert hasattr(crmlink_client.compat, name), name
