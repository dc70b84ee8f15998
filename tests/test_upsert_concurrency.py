"""Concurrent upserts of the same keys never make two records, on either engine: two real
``crmlink serve`` processes on one database, eight client threads each upserting the same
emails (in a different order each time, which would deadlock without one lock order)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.servers import crmlink_server
from tests.test_limits import live_org

pytestmark = pytest.mark.slow

THREADS = 8
ROUNDS = 6
KEYS = 20
# Each round upserts new emails, all threads at once: every round races on inserts.
EMAILS = [[f"r{r}-{i}@zylker.com" for i in range(KEYS)] for r in range(ROUNDS)]


def test_concurrent_upserts_of_one_key_make_one_record(tmp_path: Path, live_database_url: str) -> None:
    org = live_org(live_database_url)
    statuses: list[int] = []
    actions: Counter[str] = Counter()
    errors: list[BaseException] = []
    for i in range(2):
        (tmp_path / f"p{i}").mkdir()
    with ExitStack() as stack:
        servers = [
            stack.enter_context(crmlink_server(tmp_path / f"p{i}", database_url=live_database_url))
            for i in range(2)
        ]
        start = threading.Barrier(THREADS)

        def client(n: int) -> None:
            try:
                rng = random.Random(n)
                with httpx.Client(timeout=60) as http:
                    for r in range(ROUNDS):
                        start.wait()
                        emails = EMAILS[r][:]
                        rng.shuffle(emails)
                        body = {"data": [{"Last_Name": f"T{n}", "Email": e} for e in emails]}
                        base = servers[(n + r) % 2].base_url
                        response = http.post(f"{base}/crm/v2.1/Leads/upsert", json=body, headers=org.headers)
                        statuses.append(response.status_code)
                        actions.update(item["action"] for item in response.json()["data"])
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        logs = "".join(s.log() for s in servers)
        with httpx.Client(timeout=60) as http:
            listed = http.get(f"{servers[0].base_url}/crm/v2.1/Leads", headers=org.headers).json()["data"]
    assert errors == []
    assert set(statuses) == {200}, Counter(statuses)
    assert "Traceback" not in logs
    everyone = [e for emails in EMAILS for e in emails]
    assert Counter(lead["Email"] for lead in listed) == Counter(everyone)
    assert actions == {"insert": len(everyone), "update": len(everyone) * (THREADS - 1)}
