"""The layers (issue 17, item 1): SQL lives in ``crmlink.storage``. Nothing above it imports
SQLAlchemy; ``domain/`` and ``api/`` name the connection type through ``storage/connection.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import crmlink

SRC = Path(crmlink.__file__).parent
# Outside storage/: the engine set-up of the app and CLI goes through storage's own functions.
ALLOWED = {"storage"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_storage_imports_sqlalchemy() -> None:
    offenders = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).parts[0] not in ALLOWED and "sqlalchemy" in _imports(path)
    )
    assert offenders == []


def test_the_relate_walk_is_three_files() -> None:
    """api/related.py -> domain/relations.py -> storage/links.py."""
    assert "crmlink" in _imports(SRC / "api" / "related.py")
    related = (SRC / "api" / "related.py").read_text()
    relations = (SRC / "domain" / "relations.py").read_text()
    assert "from crmlink.domain import relations" in related or "crmlink.domain.relations" in related
    assert "from crmlink.storage import links" in relations or "crmlink.storage.links" in relations
