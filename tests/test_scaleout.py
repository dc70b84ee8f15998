"""Several ``crmlink serve`` processes on one PostgreSQL database serve the same data correctly:
ids minted by different processes never collide, and concurrent updates of one record through
different processes lose nothing (docs/deployment.md)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from crmlink.app import open_services
from crmlink.config import Settings
from tests.factories import OrgFactory, TestOrg, record_fields
from tests.servers import Server, crmlink_server

pytestmark = pytest.mark.slow


@pytest.fixture()
def two_servers(tmp_path: Path, pg_database: str) -> Iterator[tuple[Server, Server]]:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
    with ExitStack() as stack:
        first = stack.enter_context(crmlink_server(tmp_path / "a", database_url=pg_database))
        second = stack.enter_context(crmlink_server(tmp_path / "b", database_url=pg_database))
        yield first, second


@pytest.fixture()
def pg_org(pg_database: str) -> Iterator[TestOrg]:
    svc = open_services(Settings(database_url=pg_database))
    try:
        yield OrgFactory(svc).create()
    finally:
        svc.db.dispose()


def _in_threads(jobs: list[threading.Thread]) -> None:
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(timeout=120)


def test_records_inserted_through_two_processes_get_distinct_ids_and_all_stay(
    two_servers: tuple[Server, Server], pg_org: TestOrg
) -> None:
    ids: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def insert(server: Server, worker: int) -> None:
        with httpx.Client(base_url=server.base_url, headers=pg_org.headers, timeout=30) as http:
            for batch in range(10):
                items = [record_fields("Leads", worker * 1000 + batch * 20 + i) for i in range(20)]
                response = http.post("/crm/v2.1/Leads", json={"data": items})
                with lock:
                    statuses.append(response.status_code)
                    ids.extend(item["details"]["id"] for item in response.json()["data"])

    _in_threads([threading.Thread(target=insert, args=(two_servers[w % 2], w)) for w in range(4)])
    assert statuses == [201] * 40
    assert len(ids) == 800 and len(set(ids)) == 800
    with httpx.Client(base_url=two_servers[0].base_url, headers=pg_org.headers) as http:
        stored: set[str] = set()
        page = 1
        while True:
            response = http.get("/crm/v2.1/Leads", params={"page": page, "per_page": 200})
            if response.status_code == 204:
                break
            stored |= {record["id"] for record in response.json()["data"]}
            page += 1
    assert stored == set(ids)


def test_concurrent_updates_of_one_record_through_two_processes_lose_no_field(
    two_servers: tuple[Server, Server], pg_org: TestOrg
) -> None:
    with httpx.Client(base_url=two_servers[0].base_url, headers=pg_org.headers) as http:
        created = http.post("/crm/v2.1/Leads", json={"data": [record_fields("Leads")]})
        record_id = created.json()["data"][0]["details"]["id"]
    fields = ["Phone", "Mobile", "Fax", "Designation"]
    rounds = 25
    statuses: list[int] = []

    def update(server: Server, field: str) -> None:
        with httpx.Client(base_url=server.base_url, headers=pg_org.headers, timeout=30) as http:
            for n in range(1, rounds + 1):
                response = http.put(f"/crm/v2.1/Leads/{record_id}", json={"data": [{field: f"{n}"}]})
                statuses.append(response.status_code)

    _in_threads([threading.Thread(target=update, args=(two_servers[i % 2], f)) for i, f in enumerate(fields)])
    assert statuses == [200] * (rounds * len(fields))
    with httpx.Client(base_url=two_servers[1].base_url, headers=pg_org.headers) as http:
        record = http.get(f"/crm/v2.1/Leads/{record_id}").json()["data"][0]
    # Each field's last written value survives the other processes' writes of other fields.
    assert {f: record[f] for f in fields} == {f: str(rounds) for f in fields}
