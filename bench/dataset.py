"""What a benchmark data set holds: how many records per module and links per relation.

A size is a nominal record count (``10k``, ``100k``, ``1m``), spread over the modules by fixed
shares, with five links per record spread over the relations. Two fixed structures make the
figures comparable across sizes:

* the *hot* product is linked to exactly ``HOT_LINKS`` (10,000) price books, so the related-list
  page (200 of 10,000) reads the same list at every size; Price_Books therefore never has fewer
  than ``HOT_LINKS`` records (at ``10k`` that lifts the total to about 18,000 records);
* every other product gets the same number of price-book links, at a window of price books that
  moves with the product, so link rows are spread over the whole index, as real data is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

HOT_LINKS = 10_000
LINKS_PER_RECORD = 5

# Module -> share of the records.
MODULE_SHARES: dict[str, float] = {
    "Leads": 0.25,
    "Contacts": 0.15,
    "Accounts": 0.08,
    "Deals": 0.08,
    "Campaigns": 0.02,
    "Products": 0.15,
    "Price_Books": 0.20,
    "Notes": 0.07,
}

# Relation -> (left module, right module, share of the links).
RELATION_SHARES: dict[str, tuple[str, str, float]] = {
    "products_price_books": ("Products", "Price_Books", 0.50),
    "products_leads": ("Products", "Leads", 0.10),
    "products_contacts": ("Products", "Contacts", 0.10),
    "campaigns_leads": ("Campaigns", "Leads", 0.10),
    "campaigns_contacts": ("Campaigns", "Contacts", 0.10),
    "deals_contact_roles": ("Deals", "Contacts", 0.10),
}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``10k`` -> 10_000, ``1m`` -> 1_000_000, ``2500`` -> 2_500."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (examples: 10k, 100k, 1m, 2000)")
    number, unit = float(match.group(1)), match.group(2).lower()
    value = int(number * {"": 1, "k": 1_000, "m": 1_000_000}[unit])
    if value < 100:
        raise ValueError(f"size {text!r} is too small (at least 100 records)")
    return value


def size_label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


@dataclass(frozen=True, slots=True)
class Plan:
    """Counts for one data set."""

    size: int
    hot_links: int
    records: dict[str, int] = field(default_factory=dict)
    # relation -> links per left record (the hot product's extra links not included)
    links_per_left: dict[str, int] = field(default_factory=dict)

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    @property
    def total_links(self) -> int:
        total = self.hot_links
        for relation, per in self.links_per_left.items():
            left = RELATION_SHARES[relation][0]
            count = self.records[left] - (1 if relation == "products_price_books" else 0)
            total += per * count
        return total


def plan_for(size: int, *, hot_links: int = HOT_LINKS) -> Plan:
    records = {module: max(2, round(size * share)) for module, share in MODULE_SHARES.items()}
    hot = min(hot_links, max(records["Price_Books"], hot_links))
    records["Price_Books"] = max(records["Price_Books"], hot)
    target_links = size * LINKS_PER_RECORD
    per_left: dict[str, int] = {}
    for relation, (left, right, share) in RELATION_SHARES.items():
        wanted = target_links * share
        per = max(1, math.floor(wanted / records[left]))
        per_left[relation] = min(per, records[right])
    return Plan(size=size, hot_links=hot, records=records, links_per_left=per_left)


__all__ = ["HOT_LINKS", "MODULE_SHARES", "RELATION_SHARES", "Plan", "parse_size", "plan_for", "size_label"]
