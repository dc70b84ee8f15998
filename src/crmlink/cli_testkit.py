"""``crmlink requests``: the request log of a running server's org, read through its admin API.

The log lives in the server process, so this command asks the server (``--url``, default
``http://CRMLINK_HOST:CRMLINK_PORT``) with its admin key (``--admin-key`` or
``CRMLINK_ADMIN_KEY``). ``--follow`` keeps polling and prints calls as they come.
"""

from __future__ import annotations

import json
import time
from typing import Any

import click
import httpx

from crmlink.config import Settings


def _line(entry: dict[str, Any]) -> str:
    query = f"?{entry['query']}" if entry["query"] else ""
    fault = f"  [fault rule {entry['fault_rule']}]" if entry.get("fault_rule") else ""
    return (
        f"#{entry['seq']} {entry['method']} {entry['path']}{query} -> {entry['status']} "
        f"({entry['latency_ms']} ms){fault}"
    )


@click.command("requests")
@click.option("--org", "org_id", required=True, help="The org whose calls to show.")
@click.option("--url", default=None, help="The server [default: http://CRMLINK_HOST:CRMLINK_PORT].")
@click.option("--admin-key", default=None, help="The server's admin key [env CRMLINK_ADMIN_KEY].")
@click.option("--follow", "-f", is_flag=True, help="Keep polling and print new calls as they come.")
@click.option("--bodies", is_flag=True, help="Print what was sent and answered too.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.option("--interval", type=float, default=0.5, show_default=True, help="Seconds between polls.")
def requests_command(
    org_id: str,
    url: str | None,
    admin_key: str | None,
    follow: bool,
    bodies: bool,
    as_json: bool,
    interval: float,
) -> None:
    """The last API calls of an org (the server's request log).

    \b
    Example:
      crmlink requests --org 1914... --follow
    """
    settings = Settings.from_env()
    base = (url or f"http://{settings.host}:{settings.port}").rstrip("/")
    key = admin_key or settings.admin_key
    if not key:
        raise click.UsageError("the admin key is needed: --admin-key or CRMLINK_ADMIN_KEY")
    since = 0
    with httpx.Client(base_url=base, headers={"X-Crmlink-Admin-Key": key}, timeout=10) as http:
        while True:
            try:
                response = http.get(f"/__crmlink/orgs/{org_id}/requests", params={"since": since})
            except httpx.TransportError as exc:
                raise click.ClickException(f"cannot reach {base}: {exc}") from exc
            if response.status_code != 200:
                raise click.ClickException(f"{response.status_code}: {response.text}")
            for entry in response.json()["requests"]:
                since = max(since, int(entry["seq"]))
                if as_json:
                    click.echo(json.dumps(entry))
                    continue
                click.echo(_line(entry))
                if bodies and entry["body"]:
                    click.echo(f"    sent: {entry['body']}")
                if bodies and entry["answer"]:
                    click.echo(f"    got:  {entry['answer']}")
            if not follow:
                return
            time.sleep(interval)


COMMANDS = [requests_command]
