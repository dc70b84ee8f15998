"""What every handler needs, built once in ``create_app`` and kept on the app's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from litestar import Request
from litestar.datastructures import State

from crmlink.config import Settings
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog
from crmlink.domain.faults import FaultBook
from crmlink.domain.ids import IdGenerator
from crmlink.domain.limits import ConcurrencyGate
from crmlink.domain.org_catalogs import OrgCatalogs
from crmlink.domain.recycle_bin import Retention
from crmlink.domain.requestlog import RequestLog
from crmlink.storage.blobs import BlobStore, open_blobs
from crmlink.storage.engine import Database
from crmlink.storage.schema import Conn

Req: TypeAlias = Request[Any, Any, State]


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    catalog: Catalog  # the standard catalog every org starts from
    ids: IdGenerator
    gate: ConcurrencyGate = field(init=False)
    blobs: BlobStore = field(init=False)
    catalogs: OrgCatalogs = field(init=False)
    # The testkit's books (admin API): fault rules and the request log, per process.
    faults: FaultBook = field(default_factory=FaultBook)
    requests: RequestLog = field(default_factory=RequestLog)

    def __post_init__(self) -> None:
        self.gate = ConcurrencyGate(self.settings.concurrency_limit)
        s = self.settings
        self.blobs = open_blobs(
            s.blob_url, s.data_dir, s3_endpoint_url=s.s3_endpoint_url, s3_region=s.s3_region
        )
        self.catalogs = OrgCatalogs(self.catalog)

    def catalog_in(self, conn: Conn, actor: Actor) -> Catalog:
        """The actor's org's catalog, inside a transaction already open."""
        return self.catalogs.get(conn, actor.org_id, actor.schema_version)

    async def catalog_for(self, actor: Actor) -> Catalog:
        """The actor's org's catalog; reads the database only after a schema change."""
        found = self.catalogs.cached(actor.org_id, actor.schema_version)
        if found is not None:
            return found

        def load() -> Catalog:
            with self.db.read() as conn:
                return self.catalogs.get(conn, actor.org_id, actor.schema_version)

        return await self.db.run(load)

    @property
    def retention(self) -> Retention:
        """How long deleted records stay listed (recycle bin, then permanent)."""
        return Retention(self.settings.recycle_bin_days, self.settings.deleted_retention_days)


def services(request: Req) -> Services:
    svc: Services = request.app.state["crm"]
    return svc
