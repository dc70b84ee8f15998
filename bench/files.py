"""Attachments and lead conversion, measured against a real ``crmlink serve`` (issue 13).

* Memory: the server's RSS while 8 clients upload 10 MB files at once, then download them, as a
  ratio of the peak to the idle server (streamed uploads keep it flat; buffered ones would add
  8 x 10 MB).
* Convert: p50 / p95 of ``POST /Leads/{id}/actions/convert`` for leads with 100 campaign links
  and 100 product links each (with a Deal), against the floor of one plain ``GET /Leads/{id}``
  on the same server.

``python -m bench files [--engine sqlite|postgresql]``; prints one JSON document.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.servers import Server, _status_kb
from bench.tokens import mint_token

TEN_MB = 10 * 1024 * 1024
V = "v2.1"


def _upload(client: httpx.Client, url: str, payload: bytes, out: list[str]) -> None:
    response = client.post(url, files={"file": ("big.bin", payload)})
    response.raise_for_status()
    out.append(response.json()["data"][0]["details"]["id"])


def _rss_sampler(pid: int, stop: threading.Event, samples: list[int]) -> None:
    while not stop.is_set():
        samples.append(_status_kb(pid, "VmRSS"))
        time.sleep(0.02)


def memory(server: Server, headers: dict[str, str]) -> dict[str, Any]:
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=300) as client:
        leads = client.post(f"/crm/{V}/Leads", json={"data": [{"Last_Name": f"m{i}"} for i in range(8)]})
        ids = [d["details"]["id"] for d in leads.json()["data"]]
        client.post(f"/crm/{V}/Leads/{ids[0]}/Attachments", files={"file": ("warm", b"warm")})
        idle = _status_kb(server.pid, "VmRSS")
        payload = os.urandom(TEN_MB)
        samples: list[int] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_rss_sampler, args=(server.pid, stop, samples))
        sampler.start()
        done: list[str] = []
        threads = [
            threading.Thread(
                target=_upload, args=(client, f"/crm/{V}/Leads/{lead}/Attachments", payload, done)
            )
            for lead in ids
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        upload_peak = max(samples)
        samples.clear()

        def download(lead: str, aid: str) -> None:
            with client.stream("GET", f"/crm/{V}/Leads/{lead}/Attachments/{aid}") as response:
                for _ in response.iter_bytes():
                    pass

        attachment_of = {}
        for lead in ids:
            rows = client.get(f"/crm/{V}/Leads/{lead}/Attachments").json()["data"]
            attachment_of[lead] = next(r["id"] for r in rows if r["Size"] == str(TEN_MB))
        threads = [threading.Thread(target=download, args=(lead, attachment_of[lead])) for lead in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        sampler.join()
        download_peak = max(samples) if samples else 0
    return {
        "idle_rss_mb": round(idle / 1024, 1),
        "upload_peak_rss_mb": round(upload_peak / 1024, 1),
        "download_peak_rss_mb": round(download_peak / 1024, 1),
        "moved_each_way_mb": 80,
        "upload_peak_over_idle": round(upload_peak / idle, 2),
        "download_peak_over_idle": round(download_peak / idle, 2),
    }


def convert(server: Server, headers: dict[str, str], leads: int = 20) -> dict[str, Any]:
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client:
        campaigns = [
            d["details"]["id"]
            for d in client.post(
                f"/crm/{V}/Campaigns", json={"data": [{"Campaign_Name": f"c{i}"} for i in range(100)]}
            ).json()["data"]
        ]
        products = [
            d["details"]["id"]
            for d in client.post(
                f"/crm/{V}/Products", json={"data": [{"Product_Name": f"p{i}"} for i in range(100)]}
            ).json()["data"]
        ]
        timings: list[float] = []
        floor: list[float] = []
        for i in range(leads):
            lead = client.post(
                f"/crm/{V}/Leads",
                json={"data": [{"Last_Name": f"conv{i}", "Company": f"Co{i}", "Email": f"c{i}@x.test"}]},
            ).json()["data"][0]["details"]["id"]
            client.put(
                f"/crm/{V}/Leads/{lead}/Campaigns",
                json={"data": [{"id": c, "Member_Status": "Sent"} for c in campaigns]},
            ).raise_for_status()
            client.put(
                f"/crm/{V}/Leads/{lead}/Products", json={"data": [{"id": p} for p in products]}
            ).raise_for_status()
            start = time.perf_counter()
            client.get(f"/crm/{V}/Leads/{lead}").raise_for_status()
            floor.append(time.perf_counter() - start)
            body = {
                "data": [
                    {"Deals": {"Deal_Name": f"d{i}", "Closing_Date": "2026-12-31", "Stage": "Qualification"}}
                ]
            }
            start = time.perf_counter()
            client.post(f"/crm/{V}/Leads/{lead}/actions/convert", json=body).raise_for_status()
            timings.append(time.perf_counter() - start)
    p50 = statistics.median(timings) * 1000
    floor_p50 = statistics.median(floor) * 1000
    return {
        "leads": leads,
        "links_per_lead": {"campaigns": 100, "products": 100},
        "convert_p50_ms": round(p50, 1),
        "convert_p95_ms": round(sorted(timings)[int(len(timings) * 0.95) - 1] * 1000, 1),
        "get_record_p50_ms": round(floor_p50, 2),
        "convert_over_get_record": round(p50 / floor_p50, 1),
    }


def run(engine: str = "sqlite", database_url: str = "") -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        url = database_url or f"sqlite:///{data_dir / 'crmlink.db'}"
        argv = [sys.executable, "-m", "crmlink", "serve", "--port", "{port}", "--data-dir", str(data_dir)]
        env = {"CRMLINK_DATABASE_URL": url, "CRMLINK_LOG_LEVEL": "warning"}
        # Migrate and make the default org before minting a token.
        server = Server("crmlink", argv, data_dir / "serve.log", env=env).start()
        try:
            token, _how = mint_token(url)
            headers = {"Authorization": f"Zoho-oauthtoken {token}"}
            return {"engine": engine, "memory": memory(server, headers), "convert": convert(server, headers)}
        finally:
            server.stop()


if __name__ == "__main__":
    print(json.dumps(run(*(sys.argv[1:2] or ["sqlite"])), indent=1))
