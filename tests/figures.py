"""Figures of the reliability tests (kills survived, cases tried, requests made, errors seen),
merged into ``reliability-figures.json`` at the repository root for docs/reliability.md."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FIGURES = Path(
    os.environ.get("CRMLINK_FIGURES", Path(__file__).resolve().parents[1] / "reliability-figures.json")
)


def record(name: str, **values: Any) -> None:
    """Store ``values`` under ``name`` (one entry per test and engine; the last run wins)."""
    try:
        current: dict[str, Any] = json.loads(FIGURES.read_text())
    except (OSError, ValueError):
        current = {}
    current[name] = values
    FIGURES.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
