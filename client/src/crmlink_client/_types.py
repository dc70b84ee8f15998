"""Small shared types and helpers: record ids, JSON aliases, chunking."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

#: A record id as callers may give it. Zoho ids are 19-digit numbers; responses carry them as
#: strings, and this client always sends strings.
RecordId = int | str

#: One JSON object as decoded by :mod:`json`.
JSONObject = dict[str, Any]

#: Zoho's hard limit of items per write call (create, update, delete, relate, delink).
MAX_PER_CALL = 100
#: Zoho's hard limit of records per page on a GET.
MAX_PER_PAGE = 200

T = TypeVar("T")


def id_str(value: RecordId) -> str:
    """Return ``value`` as the string form of a record id.

    Raises ``TypeError`` for anything that is not an ``int`` or ``str`` (``bool`` included, as
    ``True`` is an ``int`` that is never a meaningful id) and ``ValueError`` for an empty string.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"a record id must be an int or a str, not {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise ValueError("a record id must not be empty")
    return text


def as_id_list(ids: RecordId | Iterable[RecordId]) -> list[str]:
    """Normalise one id or an iterable of ids to a list of id strings (a lone ``str`` is one id)."""
    if isinstance(ids, int | str):
        return [id_str(ids)]
    return [id_str(i) for i in ids]


def with_str_id(item: Mapping[str, Any]) -> JSONObject:
    """Copy ``item`` with its ``id`` (if any) turned into the string form."""
    out = dict(item)
    if "id" in out and out["id"] is not None:
        out["id"] = id_str(out["id"])
    return out


def chunks(items: Sequence[T], size: int = MAX_PER_CALL) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` items, in order."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
