"""Notifications: what a channel watching everything costs single relates, and how fast a change
reaches its receiver.

For each engine, one ``crmlink serve`` process; a receiver answering 200 at once runs in this
process. Phase 1 runs single relates (one Lead to one Campaign per call, ``--connections``
clients) for ``--duration`` seconds with no channel; phase 2 the same after subscribing one
channel to every module's ``all`` (each relate then notifies both records, as related actions).
The figure is the ratio of phase 2's throughput to phase 1's (target >= 0.80). Phase 3 updates a
Lead ``--samples`` times, one call at a time, and takes, per call, the time from the answer
(the change is committed before it) to the callback's arrival: p50 target <= 50 ms.

    python -m bench.notify [--engines sqlite,postgresql] [--duration 10] [--connections 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg

from crmlink.app import open_services
from crmlink.config import Settings
from crmlink.domain.catalog_data import CATALOG
from tests.factories import OrgFactory, record_fields
from tests.servers import free_port, spawn_server, wait_until_up

PG_ADMIN = os.environ.get("CRMLINK_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.notifications.ALL"


class _Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}  # record id -> first arrival of an update for it
        self.count = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                now = time.perf_counter()
                with lock:
                    outer.count += 1
                    if body["operation"] == "update" and "Mobile" in json.dumps(body["affected_fields"]):
                        for i in body["ids"]:
                            outer.arrivals.setdefault(i, now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _relates(
    base: str, headers: dict[str, str], campaign: str, leads: list[str], seconds: float, conns: int
) -> float:
    """Single relates per second over ``seconds`` with ``conns`` clients."""
    stop = time.perf_counter() + seconds
    done = [0] * conns

    def run(n: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            i = n
            while time.perf_counter() < stop:
                lead = leads[i % len(leads)]
                status = "Sent" if (i // len(leads)) % 2 else "Received"
                r = client.put(
                    f"/crm/v2.1/Campaigns/{campaign}/Leads/{lead}", json={"data": [{"Member_Status": status}]}
                )
                assert r.status_code == 200, r.text
                done[n] += 1
                i += conns

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def measure(engine: str, url: str, tmp: Path, seconds: float, conns: int, samples: int) -> dict[str, Any]:
    svc = open_services(Settings(database_url=url))
    try:
        org = OrgFactory(svc).create()
        headers = org.headers_for(scope=SCOPE)
    finally:
        svc.db.dispose()
    port = free_port()
    env = {"CRMLINK_NOTIFY_ALLOW": "loopback", "CRMLINK_LOG_LEVEL": "warning"}
    process, _log = spawn_server(tmp, port, env=env, database_url=url)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, timeout=120)
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            leads: list[str] = []
            for start in range(0, 400, 100):
                items = [record_fields("Leads", start + i) for i in range(100)]
                leads += [
                    d["details"]["id"]
                    for d in client.post("/crm/v2.1/Leads", json={"data": items}).json()["data"]
                ]
            campaign = client.post("/crm/v2.1/Campaigns", json={"data": [record_fields("Campaigns")]}).json()[
                "data"
            ][0]["details"]["id"]
        _relates(base, headers, campaign, leads, 1.0, conns)  # warm-up
        without = _relates(base, headers, campaign, leads, seconds, conns)
        receiver = _Receiver()
        events = [f"{m.api_name}.all" for m in CATALOG.modules]
        item = {"channel_id": "1", "events": events, "notify_url": receiver.url}
        r = httpx.post(f"{base}/crm/v2.1/actions/watch", json={"watch": [item]}, headers=headers)
        assert r.status_code == 201, r.text
        _relates(base, headers, campaign, leads, 1.0, conns)  # warm-up
        with_channel = _relates(base, headers, campaign, leads, seconds, conns)
        latencies: list[float] = []
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for n in range(samples):
                lead = leads[n % len(leads)]
                receiver.arrivals.pop(lead, None)
                r = client.put(f"/crm/v2.1/Leads/{lead}", json={"data": [{"Mobile": f"555{n:07d}"}]})
                answered = time.perf_counter()
                assert r.status_code == 200
                deadline = answered + 10
                while lead not in receiver.arrivals and time.perf_counter() < deadline:
                    time.sleep(0.0005)
                if lead in receiver.arrivals:
                    latencies.append(max(0.0, receiver.arrivals[lead] - answered) * 1000)
        receiver.server.shutdown()
    finally:
        process.terminate()
        process.wait(10)
    latencies.sort()
    return {
        "engine": engine,
        "relates_per_s_without_channel": round(without, 1),
        "relates_per_s_with_channel": round(with_channel, 1),
        "ratio": round(with_channel / without, 3),
        "ratio_target": 0.80,
        "latency_ms_p50": round(statistics.median(latencies), 2) if latencies else None,
        "latency_ms_p99": round(latencies[int(len(latencies) * 0.99) - 1], 2) if latencies else None,
        "latency_p50_target_ms": 50,
        "latency_samples": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    results = []
    for engine in args.engines.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if engine == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'data' / 'crmlink.db'}"
                results.append(measure(engine, url, Path(tmp), args.duration, args.connections, args.samples))
                continue
            name = f"crmlink_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
                results.append(measure(engine, url, Path(tmp), args.duration, args.connections, args.samples))
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
