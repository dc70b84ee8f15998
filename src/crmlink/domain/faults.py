"""Fault injection for tests: rules that make matching API calls fail on demand.

A rule matches by method, a path pattern (``fnmatch`` style: ``/crm/*/Products/*/Price_Books``)
and, optionally, an org. When it fires it does one thing: answer a Zoho error with Zoho's exact
body (``429 TOO_MANY_REQUESTS`` with ``Retry-After``, ``500 INTERNAL_ERROR``, ``401
INVALID_TOKEN`` or any code), add a delay before the call runs, or close the connection without
an answer. It fires for the next ``times`` matching calls, or on each matching call with
``probability`` drawn from a generator seeded by ``seed`` (so a run can be replayed).

Rules live in the server process (a test server is one process), behind a lock: the admin API
(``crmlink.api.admin``) adds and removes them, the edge middleware asks ``FaultBook.take`` for
each ``/crm/`` call. Every firing is logged, in the book and in the server log.
"""

from __future__ import annotations

import fnmatch
import logging
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from crmlink import errors

log = logging.getLogger("crmlink.faults")

FIRING_LOG_SIZE = 1_000


class FaultAction(StrEnum):
    ERROR = "error"
    DELAY = "delay"
    CLOSE = "close"


def error_for(code: str, status: int | None = None, message: str | None = None) -> errors.CRMError:
    """Zoho's error for ``code``: the class crmlink answers it with, or a generic one."""
    known = {
        cls.code: cls
        for cls in _subclasses(errors.CRMError)
        if cls.__module__ == errors.__name__ and cls is not errors.CRMError
    }
    cls = known.get(code)
    if cls is not None and (status is None or status == cls.status_code):
        error = cls(message)
    else:
        error = errors.CRMError(message or code.lower().replace("_", " "))
        error.code = code  # type: ignore[misc]
        error.status_code = status or 400  # type: ignore[misc]
    if error.status_code == 429 and "Retry-After" not in error.headers:
        error.headers["Retry-After"] = "1"
    return error


def _subclasses(cls: type[errors.CRMError]) -> list[type[errors.CRMError]]:
    found: list[type[errors.CRMError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


@dataclass(slots=True)
class FaultRule:
    id: int
    action: FaultAction
    path: str = "*"
    method: str | None = None
    org_id: int | None = None
    times: int | None = None  # fires for the next N matches; None = no count
    probability: float | None = None  # or on each match with this probability
    seed: int | None = None
    status: int | None = None
    code: str | None = None
    message: str | None = None
    delay_ms: int = 0
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def matches(self, method: str, path: str, org_id: int | None) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        if self.org_id is not None and self.org_id != org_id:
            return False
        return fnmatch.fnmatchcase(path, self.path)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def error(self) -> errors.CRMError:
        return error_for(self.code or "INTERNAL_ERROR", self.status, self.message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "action": self.action.value,
            "method": self.method,
            "path": self.path,
            "org_id": None if self.org_id is None else str(self.org_id),
            "times": self.times,
            "probability": self.probability,
            "seed": self.seed,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "delay_ms": self.delay_ms,
            "fired": self.fired,
            "remaining": None if self.times is None else max(0, self.times - self.fired),
        }


@dataclass(frozen=True, slots=True)
class Firing:
    rule_id: int
    at: float
    method: str
    path: str
    org_id: int | None
    action: FaultAction

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": str(self.rule_id),
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "org_id": None if self.org_id is None else str(self.org_id),
            "action": self.action.value,
        }


class FaultBook:
    """The rules of one server process and the log of their firings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[int, FaultRule] = {}
        self._next_id = 1
        self.firings: deque[Firing] = deque(maxlen=FIRING_LOG_SIZE)

    def __bool__(self) -> bool:
        return bool(self._rules)

    @property
    def needs_org(self) -> bool:
        """Whether any rule is for one org (the caller then resolves the token's org)."""
        return any(rule.org_id is not None for rule in list(self._rules.values()))

    def add(self, **spec: Any) -> FaultRule:
        with self._lock:
            rule = FaultRule(id=self._next_id, **spec)
            self._next_id += 1
            self._rules[rule.id] = rule
            return rule

    def rules(self, org_id: int | None = None) -> list[FaultRule]:
        with self._lock:
            return [r for r in self._rules.values() if org_id is None or r.org_id in (None, org_id)]

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            return self._rules.pop(rule_id, None) is not None

    def clear(self, org_id: int | None = None) -> int:
        with self._lock:
            doomed = [i for i, r in self._rules.items() if org_id is None or r.org_id == org_id]
            for rule_id in doomed:
                del self._rules[rule_id]
            return len(doomed)

    def take(self, method: str, path: str, org_id: int | None) -> FaultRule | None:
        """The rule that fires for this call, if any, counted and logged (first added wins)."""
        with self._lock:
            for rule in self._rules.values():
                if rule.exhausted or not rule.matches(method, path, org_id):
                    continue
                if rule.probability is not None and rule._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                firing = Firing(rule.id, time.time(), method, path, org_id, rule.action)
                self.firings.append(firing)
                log.info("fault rule %s fired: %s %s -> %s", rule.id, method, path, rule.action.value)
                return rule
        return None

    def log(self, org_id: int | None = None) -> list[Firing]:
        with self._lock:
            return [f for f in self.firings if org_id is None or f.org_id == org_id]
