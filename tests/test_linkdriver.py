"""The crash and concurrency checks themselves catch what they are meant to catch."""

from __future__ import annotations

import pytest

from tests.linkdriver import Call, Event, _match_client, replay

A, B = ("1", "10"), ("2", "10")


def relate(*pairs: tuple[tuple[str, str], int], status: int | None = 200) -> Call:
    effects = [("set", link, price) for link, price in pairs]
    ok = [True] * len(effects) if status is not None else []
    return Call(0, "relate", "PUT", "/x", None, effects, status, ok)


def delink(*links: tuple[str, str], status: int | None = 200) -> Call:
    ok = [True] * len(links) if status is not None else []
    return Call(0, "delink", "DELETE", "/x", None, [("removed", link, None) for link in links], status, ok)


def ev(
    seq: int, at: int, action: str, link: tuple[str, str], price: int | None = None, old: int | None = None
) -> Event:
    return Event(seq, at, 7, action, link, price, old)


def test_explained_history_passes() -> None:
    calls = [relate((A, 1), (B, 2)), relate((A, 3), status=None), delink(A, B)]
    events = [ev(1, 100, "added", A, 1), ev(2, 100, "added", B, 2), ev(3, 200, "updated", A, 3, 1)]
    events += [ev(4, 300, "removed", A, old=3), ev(5, 300, "removed", B, old=2)]
    assert _match_client(calls, events) is None
    assert replay(events) == {}
    # The lost call may also not have applied at all.
    events = [events[0], events[1], ev(4, 300, "removed", A, old=1), ev(5, 300, "removed", B, old=2)]
    assert _match_client(calls, events) is None


@pytest.mark.parametrize(
    ("calls", "events"),
    [
        pytest.param([relate((A, 1))], [], id="acknowledged-write-missing"),
        pytest.param(
            [relate((A, 1), (B, 2), status=None)], [ev(1, 100, "added", A, 1)], id="lost-call-half-applied"
        ),
        pytest.param(
            [relate((A, 1), (B, 2))],
            [ev(1, 100, "added", A, 1), ev(2, 101, "added", B, 2)],
            id="two-transactions",
        ),
        pytest.param(
            [relate((A, 1)), relate((A, 2))],
            [ev(1, 100, "added", A, 2), ev(2, 101, "updated", A, 1, 2)],
            id="out-of-order",
        ),
        pytest.param(
            [relate((A, 1))],
            [ev(1, 100, "added", A, 1), ev(2, 101, "removed", A, old=1)],
            id="event-from-nowhere",
        ),
    ],
)
def test_unexplained_history_fails(calls: list[Call], events: list[Event]) -> None:
    assert _match_client(calls, events) is not None


@pytest.mark.parametrize(
    "events",
    [
        pytest.param(
            [ev(1, 1, "added", A, 1), ev(2, 2, "removed", A, old=1), ev(3, 3, "removed", A, old=1)],
            id="double-removal",
        ),
        pytest.param(
            [ev(1, 1, "added", A, 1), ev(2, 2, "updated", A, 2, 1), ev(3, 3, "updated", A, 3, 1)],
            id="lost-update",
        ),
        pytest.param([ev(1, 1, "added", A, 1), ev(2, 2, "added", A, 2)], id="added-twice"),
    ],
)
def test_replay_is_strict(events: list[Event]) -> None:
    with pytest.raises(AssertionError):
        replay(events)
