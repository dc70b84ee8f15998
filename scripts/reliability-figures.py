#!/usr/bin/env python3
"""Print the figures of the last reliability run (reliability-figures.json) as Markdown tables,
for the end of docs/reliability.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "reliability-figures.json")
figures: dict[str, dict[str, object]] = json.loads(path.read_text())


def table(prefix: str, columns: list[str]) -> None:
    rows = {k.removeprefix(prefix): v for k, v in sorted(figures.items()) if k.startswith(prefix)}
    if not rows:
        return
    print("| run | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name, values in rows.items():
        cells = []
        for c in columns:
            value = values.get(c, "")
            if isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items() if k in {"tested", "200", "207", "400"} or k.isdigit())
            cells.append(str(value))
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()


print("Schema fuzzing (schemathesis):\n")
table("fuzz/", ["operations", "cases", "failures", "seconds", "seed"])
print("Crash safety:\n")
table("crash/", ["kills", "calls", "answered", "lost_in_kills", "items_acknowledged", "events_checked", "record_updates_checked", "statuses"])
print("Concurrency:\n")
table("concurrency/", ["clients", "processes", "seconds", "calls", "items_acknowledged", "events_checked", "record_updates_checked", "statuses"])
