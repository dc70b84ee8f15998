"""The ``crmlink`` command: a thin click shell over the same services the server uses."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from crmlink.config import Settings


def _settings(data_dir: Path | None, database_url: str | None, **extra: Any) -> Settings:
    return Settings.from_env(data_dir=data_dir, database_url=database_url, **extra)


_data_dir = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Directory of the embedded SQLite database [env CRMLINK_DATA_DIR; default ./.crmlink].",
)
_database_url = click.option(
    "--database-url",
    default=None,
    help="Database URL, e.g. postgresql://user@host/db [env CRMLINK_DATABASE_URL].",
)
_json = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def _emit(as_json: bool, payload: dict[str, Any], text: str) -> None:
    if as_json:
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(text)


@click.group(invoke_without_command=True)
@click.version_option(package_name="crmlink")
@click.pass_context
def main(ctx: click.Context) -> None:
    """crmlink: a Zoho CRM-compatible records and related-records server.

    \b
    Examples:
      crmlink serve --demo          # SQLite under ./.crmlink, demo data, prints a token
      crmlink migrate --database-url postgresql://localhost/crm
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@_data_dir
@_database_url
@click.option("--host", default=None, help="Interface to bind [env CRMLINK_HOST; 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [env CRMLINK_PORT; 8000].")
@click.option("--demo", is_flag=True, help="Load demo data (once) and print ready-to-use credentials.")
@click.option("--workers", type=int, default=1, show_default=True, help="Server processes.")
@click.option("--log-level", default=None, help="debug, info, warning [env CRMLINK_LOG_LEVEL].")
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help="Zoho-like limits: 5,000 API credits/day per org, 10 concurrent requests [env CRMLINK_STRICT].",
)
def serve(
    data_dir: Path | None,
    database_url: str | None,
    host: str | None,
    port: int | None,
    demo: bool,
    workers: int,
    log_level: str | None,
    strict: bool | None,
) -> None:
    """Run the API server.

    \b
    Example:
      crmlink serve --demo --port 8000
      crmlink serve --strict        # 429 TOO_MANY_REQUESTS past Zoho-like limits
    """
    import os

    import uvicorn

    from crmlink.app import create_app, open_services
    from crmlink.wire import ZohoHttpProtocol

    settings = _settings(
        data_dir, database_url, host=host, port=port, log_level=log_level, strict=strict or None
    )
    if demo and not settings.admin_key:
        import secrets

        # The demo is for trying things out: its admin API (test orgs, faults, clock, request log)
        # is on, with a key of its own printed below.
        settings = replace(settings, admin_key=secrets.token_urlsafe(24))
    if demo and "CRMLINK_NOTIFY_ALLOW" not in os.environ:
        # The demo's receivers run on this machine: notifications may go to loopback.
        settings = replace(settings, notify_allow="loopback")
    svc = open_services(settings)
    if demo:
        from crmlink.demo import load_demo, print_credentials

        with svc.db.write() as conn:
            load_demo(conn, svc.catalog, svc.ids)
        print_credentials(svc, settings)
        click.echo(f"  admin key      {settings.admin_key}   (X-Crmlink-Admin-Key; docs/testing.md)\n")
    click.echo(f"crmlink serving on http://{settings.host}:{settings.port} ({svc.db.dialect})", err=True)
    sys.stderr.flush()
    if workers > 1:
        svc.db.dispose()
        # Each worker builds its own services (and draws its own id node) from the environment.
        os.environ["CRMLINK_DATA_DIR"] = str(settings.data_dir)
        if settings.database_url:
            os.environ["CRMLINK_DATABASE_URL"] = settings.database_url
        if settings.strict:
            os.environ["CRMLINK_STRICT"] = "true"
        os.environ["CRMLINK_NOTIFY_ALLOW"] = settings.notify_allow
        if settings.admin_key:
            os.environ["CRMLINK_ADMIN_KEY"] = settings.admin_key
        uvicorn.run(
            "crmlink.app:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level=settings.log_level,
            access_log=False,
            http=ZohoHttpProtocol,
        )
        return
    app = create_app(settings, svc)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        http=ZohoHttpProtocol,
    )


@main.command()
@_data_dir
@_database_url
@_json
def migrate(data_dir: Path | None, database_url: str | None, as_json: bool) -> None:
    """Apply pending schema migrations.

    \b
    Example:
      crmlink migrate --database-url postgresql://localhost/crm
    """
    from crmlink.storage.engine import Database
    from crmlink.storage.migrations import current_version
    from crmlink.storage.migrations import migrate as run_migrations

    settings = _settings(data_dir, database_url)
    db = Database(settings.resolved_database_url)
    try:
        applied = run_migrations(db)
        version = current_version(db)
    finally:
        db.dispose()
    _emit(
        as_json,
        {"applied": applied, "version": version},
        f"applied {applied or 'nothing'}; schema at version {version}",
    )


@main.command()
@_data_dir
@_database_url
@click.option(
    "--older-than",
    type=float,
    default=3600,
    show_default=True,
    help="Only blobs older than this many seconds (uploads in flight are younger).",
)
@_json
def gc(data_dir: Path | None, database_url: str | None, older_than: float, as_json: bool) -> None:
    """Remove stored attachment and photo bytes that no record names any more.

    A crash between writing an upload's bytes and committing its row, a deleted record, or a
    blob store that was down during a delete leaves such orphans (docs/deployment.md).

    \b
    Example:
      crmlink gc --older-than 3600
    """
    from crmlink.storage.blobs import open_blobs
    from crmlink.storage.engine import Database
    from crmlink.storage.sweep import sweep_orphans

    settings = _settings(data_dir, database_url)
    db = Database(settings.resolved_database_url)
    try:
        blobs = open_blobs(
            settings.blob_url,
            settings.data_dir,
            s3_endpoint_url=settings.s3_endpoint_url,
            s3_region=settings.s3_region,
        )
        result = sweep_orphans(db, blobs, older_than=older_than)
    finally:
        db.dispose()
    _emit(
        as_json,
        {"checked": result.checked, "removed": result.removed, "staging_removed": result.staging_removed},
        f"checked {result.checked} blobs; removed {result.removed} orphans"
        f" and {result.staging_removed} stale staging files",
    )


def _register_accounts() -> None:
    from crmlink.cli_accounts import COMMANDS
    from crmlink.cli_changes import changes_command, deliveries_command
    from crmlink.cli_schema import COMMANDS as SCHEMA_COMMANDS

    for command in [*COMMANDS, *SCHEMA_COMMANDS]:
        main.add_command(command)
    main.add_command(changes_command)
    main.add_command(deliveries_command)


_register_accounts()


def _register_testkit() -> None:
    from crmlink.cli_data import COMMANDS as DATA_COMMANDS
    from crmlink.cli_testkit import COMMANDS

    for command in [*COMMANDS, *DATA_COMMANDS]:
        main.add_command(command)


_register_testkit()

if __name__ == "__main__":
    main()
