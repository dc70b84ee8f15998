"""Values returned by write and list calls: per-item results and pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._types import JSONObject


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one item of a write call, in the position of its input item.

    ``ok`` is true for ``"status": "success"``. ``id`` is ``details["id"]`` when present (the
    created, updated, related or removed record), always as a string.
    """

    code: str
    message: str
    status: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def id(self) -> str | None:
        value = self.details.get("id")
        return None if value is None else str(value)

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> ItemResult:
        """Read one element of a response's ``data`` array."""
        details = item.get("details")
        return cls(
            code=str(item.get("code", "")),
            message=str(item.get("message", "")),
            status=str(item.get("status", "")),
            details=dict(details) if isinstance(details, Mapping) else {},
        )

    def to_json(self) -> JSONObject:
        """The item as Zoho sends it: ``{"code","details","message","status"}``."""
        return {
            "code": self.code,
            "details": dict(self.details),
            "message": self.message,
            "status": self.status,
        }


class Results(list[ItemResult]):
    """Per-item results of a (possibly chunked) write call, in input order.

    ``status_code`` is the HTTP status of the answer (200, 201, 207 or 400); when several chunks
    answered differently it is 207.
    """

    def __init__(self, items: Iterable[ItemResult] = (), status_code: int = 200) -> None:
        super().__init__(items)
        self.status_code = status_code

    @property
    def ok(self) -> bool:
        """True when every item succeeded."""
        return all(r.ok for r in self)

    @property
    def failed(self) -> list[tuple[int, ItemResult]]:
        """``(input index, result)`` for each item that did not succeed."""
        return [(i, r) for i, r in enumerate(self) if not r.ok]

    @property
    def ids(self) -> list[str | None]:
        """``details.id`` of each item, ``None`` where the answer had none."""
        return [r.id for r in self]


@dataclass(frozen=True)
class PageInfo:
    """Zoho's ``info`` object of a list answer."""

    per_page: int = 0
    count: int = 0
    page: int = 1
    more_records: bool = False

    @classmethod
    def from_json(cls, info: Mapping[str, Any] | None, *, page: int, per_page: int) -> PageInfo:
        info = info or {}
        return cls(
            per_page=int(info.get("per_page", per_page)),
            count=int(info.get("count", 0)),
            page=int(info.get("page", page)),
            more_records=bool(info.get("more_records", False)),
        )


@dataclass(frozen=True)
class Page:
    """One page of a list call. A 204 (nothing there) or a 304 (not modified) has no data."""

    data: list[JSONObject]
    info: PageInfo
    status_code: int = 200
