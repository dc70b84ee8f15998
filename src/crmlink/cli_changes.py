"""``crmlink changes``: read (or tail) the change feed from the shell, straight from the database."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from crmlink.cli import _data_dir, _database_url


def _line(change: dict[str, Any]) -> str:
    who = change["actor"]["id"]
    if change["type"] == "record":
        what = f"{change['module']} {change['id']}"
    else:
        what = f"{change['relation']} {change['left']['id']} {change['right']['id']}"
    return f"{change['cursor']}\t{change['time']}\t{change['action']}\t{what}\tby {who}"


@click.command("changes")
@_data_dir
@_database_url
@click.option("--org", "org_id", type=int, default=None, help="Org id [default: the default org].")
@click.option("--since", default="0", show_default=True, help="Cursor: print the changes after it.")
@click.option("--limit", type=click.IntRange(1, 1000), default=200, show_default=True, help="Per read.")
@click.option("--follow", "-f", is_flag=True, help="Keep reading as changes commit (Ctrl-C stops).")
@click.option(
    "--interval", type=float, default=0.5, show_default=True, help="Seconds between reads (--follow)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (the feed's own shape).")
def changes_command(
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    since: str,
    limit: int,
    follow: bool,
    interval: float,
    as_json: bool,
) -> None:
    """Print every record and link change after a cursor, in commit order.

    \b
    Examples:
      crmlink changes                       # everything kept, oldest first
      crmlink changes --since 120 --json    # after cursor 120, one JSON object a line
      crmlink changes --follow              # tail -f for the CRM
    """
    from crmlink.cli_accounts import _services
    from crmlink.domain import feed, orgs
    from crmlink.errors import CRMError

    with _services(data_dir, database_url) as svc:
        with svc.db.read() as conn:
            org = org_id if org_id is not None else orgs.default_org_id(conn)
            if org is None or not orgs.org_exists(conn, org):
                raise click.ClickException(f"no org with id {org_id}")
        try:
            cursor = feed.parse_cursor(since)
            while True:
                with svc.db.read() as conn:
                    page = feed.read(conn, svc.catalog, org, cursor, limit)
                for change in page.changes:
                    click.echo(json.dumps(change) if as_json else _line(change))
                cursor = page.next_cursor
                if page.more:
                    continue
                if not follow:
                    return
                time.sleep(interval)
        except CRMError as exc:
            detail = f" ({exc.details})" if exc.details else ""
            raise click.ClickException(f"{exc.message}{detail}") from None
        except KeyboardInterrupt:
            return


@click.command("deliveries")
@_data_dir
@_database_url
@click.option("--org", "org_id", type=int, default=None, help="Org id [default: the default org].")
@click.option("--channel", "channel_id", type=int, default=None, help="Only this channel's notifications.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new notifications (Ctrl-C stops).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (the API's shape).")
def deliveries_command(
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    channel_id: int | None,
    follow: bool,
    as_json: bool,
) -> None:
    """Print the notification delivery log: each notification and every attempt.

    \b
    Examples:
      crmlink deliveries                     # every notification, oldest first
      crmlink deliveries --channel 1000 --json
    """
    from crmlink.cli_accounts import _services
    from crmlink.domain import feed, orgs

    with _services(data_dir, database_url) as svc:
        with svc.db.read() as conn:
            org = org_id if org_id is not None else orgs.default_org_id(conn)
            if org is None or not orgs.org_exists(conn, org):
                raise click.ClickException(f"no org with id {org_id}")
        after = 0
        # A notification is printed once it is settled (delivered, failed, cancelled); pending
        # ones are printed when they settle (with --follow) or as pending at the end.
        try:
            while True:
                with svc.db.read() as conn:
                    found, more = feed.delivery_log(conn, org, channel_id=channel_id, after=after, limit=200)
                settled = 0
                for d in found:
                    if d["state"] == "pending" and follow:
                        break
                    click.echo(json.dumps(d) if as_json else _delivery_line(d))
                    after = int(d["id"])
                    settled += 1
                if more and settled:
                    continue
                if not follow:
                    return
                time.sleep(0.5)
        except KeyboardInterrupt:
            return


def _delivery_line(d: dict[str, Any]) -> str:
    tries = ", ".join(
        f"{a['status_code'] if a['status_code'] is not None else 'no answer'} in {a['latency_ms']} ms"
        for a in d["attempts"]
    )
    ids = ",".join(d["ids"])
    return (
        f"{d['id']}\tchannel {d['channel_id']}\t{d['module']} {d['operation']} {ids}\t{d['state']}"
        f"\t[{tries or 'not tried yet'}]"
    )
