"""Writes from async code (``Database.transact``): atomic per call on both engines; on SQLite the
calls that are ready together share one transaction (group commit, storage/group_commit.py), and
still each call is atomic and answered only once its group is committed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from crmlink.api.context import Services
from crmlink.errors import InvalidData
from crmlink.storage import tables
from crmlink.storage.group_commit import GroupCommit

_c = tables.counters


def _insert(name: str, *, fail: bool = False) -> Callable[[Connection], int]:
    """A unit that stores ``name`` and answers how many rows of its prefix it sees."""
    prefix = name.rsplit("-", 1)[0]

    def unit(conn: Connection) -> int:
        conn.execute(_c.insert().values(name=name, value=1))
        if fail:
            raise InvalidData("refused on purpose")
        seen = conn.scalar(select(func.count()).select_from(_c).where(_c.c.name.like(prefix + "-%")))
        return int(seen or 0)

    return unit


def _stored(services: Services, prefix: str) -> set[str]:
    with services.db.read() as conn:
        return set(conn.scalars(select(_c.c.name).where(_c.c.name.like(prefix + "-%"))))


async def _together(run: Callable[[Callable[[Connection], int]], Any], units: list[Any]) -> list[Any]:
    return list(await asyncio.gather(*(run(u) for u in units), return_exceptions=True))


def test_calls_ready_together_are_answered_in_order_and_see_each_other(services: Services) -> None:
    prefix = uuid.uuid4().hex
    names = [f"{prefix}-{i}" for i in range(5)]
    before = services.db._group.groups if services.db.is_sqlite else 0
    results = asyncio.run(_together(services.db.transact, [_insert(n) for n in names]))
    assert _stored(services, prefix) == set(names)
    if services.db.is_sqlite:
        assert results == [1, 2, 3, 4, 5]  # each call sees the calls before it, as if serial
        assert services.db._group.groups == before + 1  # one transaction, one commit
    else:  # concurrent transactions on worker threads
        assert all(isinstance(r, int) for r in results)


def test_a_failing_call_is_rolled_back_alone(services: Services) -> None:
    prefix = uuid.uuid4().hex
    units = [_insert(f"{prefix}-a"), _insert(f"{prefix}-b", fail=True), _insert(f"{prefix}-c")]
    results = asyncio.run(_together(services.db.transact, units))
    assert isinstance(results[1], InvalidData)
    if services.db.is_sqlite:
        assert results[0] == 1
        assert results[2] == 2  # b's row was rolled back before c ran, in the same transaction
    assert _stored(services, prefix) == {f"{prefix}-a", f"{prefix}-c"}


def test_a_failing_call_alone_stores_nothing(services: Services) -> None:
    prefix = uuid.uuid4().hex
    with pytest.raises(InvalidData):
        asyncio.run(services.db.transact(_insert(f"{prefix}-x", fail=True)))
    assert _stored(services, prefix) == set()
    assert asyncio.run(services.db.transact(_insert(f"{prefix}-y"))) == 1


def test_when_the_commit_fails_every_call_fails_and_nothing_is_stored(services: Services) -> None:
    if not services.db.is_sqlite:
        pytest.skip("group commit is SQLite's; PostgreSQL commits each call on its own")

    @contextmanager
    def begin_then_fail_commit() -> Iterator[Connection]:
        with services.db.write() as conn:
            yield conn
            raise OSError("disk I/O error at commit")  # raised inside the transaction: rolled back

    group = GroupCommit(begin_then_fail_commit)
    prefix = uuid.uuid4().hex
    units = [_insert(f"{prefix}-{i}") for i in range(3)]
    results = asyncio.run(_together(group.submit, units))
    assert all(isinstance(r, OSError) for r in results), results
    assert _stored(services, prefix) == set()
    assert group.groups == 0
