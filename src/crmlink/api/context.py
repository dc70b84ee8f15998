"""What every handler needs, built once in ``create_app`` and kept on the app's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from litestar import Request
from litestar.datastructures import State

from crmlink.config import Settings
from crmlink.domain.catalog import Catalog
from crmlink.domain.faults import FaultBook
from crmlink.domain.ids import IdGenerator
from crmlink.domain.limits import ConcurrencyGate
from crmlink.domain.recycle_bin import Retention
from crmlink.domain.requestlog import RequestLog
from crmlink.storage.engine import Database

Req: TypeAlias = Request[Any, Any, State]


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    catalog: Catalog
    ids: IdGenerator
    gate: ConcurrencyGate = field(init=False)
    # The testkit's books (admin API): fault rules and the request log, per process.
    faults: FaultBook = field(default_factory=FaultBook)
    requests: RequestLog = field(default_factory=RequestLog)

    def __post_init__(self) -> None:
        self.gate = ConcurrencyGate(self.settings.concurrency_limit)

    @property
    def retention(self) -> Retention:
        """How long deleted records stay listed (recycle bin, then permanent)."""
        return Retention(self.settings.recycle_bin_days, self.settings.deleted_retention_days)


def services(request: Req) -> Services:
    svc: Services = request.app.state["crm"]
    return svc
