"""``crmlink schema``: import, export and capture an org's schema (docs/org-schema.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from crmlink.cli import _emit, _json
from crmlink.cli_accounts import _db_options, _services, _transaction
from crmlink.domain.org_catalogs import apply_schema, current_doc
from crmlink.domain.schema import SchemaError, encode_doc
from crmlink.domain.schema_io import captured_files, read_captured, write_tree
from crmlink.storage import orgs


@click.group()
def schema() -> None:
    """An org's schema: custom fields, custom modules, multi-select lookups."""


@schema.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@_db_options
def schema_import(
    path: Path,
    dry_run: bool,
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    as_json: bool,
) -> None:
    """Make PATH the org's schema: a captured folder or archive (modules.json, fields/*.json,
    related_lists/*.json) or a hand-written schema (.json).

    On an org with records this is a migration: stored values are never lost; a change that
    would lose one (a type narrowed with values present) is refused and nothing changes.

    \b
    Examples:
      crmlink schema import examples/schema/captured
      crmlink schema import my-org.zip --org 4150868000000000123 --dry-run
    """
    with _services(data_dir, database_url) as svc:
        try:
            captured = read_captured(path, svc.catalog)
            with _transaction(svc, org_id) as (conn, org):
                applied = apply_schema(conn, svc.catalogs, org, captured.doc, dry_run=dry_run)
                if not applied.ok:
                    raise click.ClickException("\n".join([*applied.refused, "nothing changed"]))
        except SchemaError as exc:
            raise click.ClickException(str(exc)) from None
    lines = [*captured.notes, *applied.changes]
    if not applied.changes:
        lines.append("no change")
    lines.append("dry run: nothing changed" if dry_run else f"org {org}: schema at version {applied.version}")
    _emit(
        as_json,
        {"org": str(org), "notes": captured.notes, "changes": applied.changes, "version": applied.version},
        "\n".join(lines),
    )


@schema.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--hand-written",
    "hand",
    is_flag=True,
    help="Write the hand-written form (one .json file of the org's additions) instead of the folder.",
)
@_db_options
def schema_export(
    path: Path,
    hand: bool,
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    as_json: bool,
) -> None:
    """Write the org's schema to PATH: the captured-folder form (a folder, .zip or .tar.gz), as
    `crmlink schema capture` writes it, or with --hand-written the org's additions as JSON.

    \b
    Examples:
      crmlink schema export ./my-schema
      crmlink schema export my-schema.json --hand-written
    """
    with _services(data_dir, database_url) as svc, _transaction(svc, org_id) as (conn, org):
        if hand:
            path.write_bytes(encode_doc(current_doc(conn, svc.catalogs, org)) + b"\n")
            count = 1
        else:
            profiles = [{"name": p.name, "id": str(p.id)} for p in orgs.profiles(conn, org)]
            files = captured_files(svc.catalogs.get(conn, org), profiles)
            write_tree(files, path)
            count = len(files)
    _emit(as_json, {"org": str(org), "path": str(path), "files": count}, f"wrote {path} ({count} files)")


@schema.command("capture")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--api-domain",
    required=True,
    help="The org's API domain, e.g. https://www.zohoapis.com (or a crmlink server's URL).",
)
@click.option(
    "--token",
    default=None,
    help="An access token with ZohoCRM.settings.READ [env ZOHO_ACCESS_TOKEN; prefer the env].",
)
@click.option("--api-version", default="v2.1", show_default=True, help="API version in the paths.")
@_json
def schema_capture(path: Path, api_domain: str, token: str | None, api_version: str, as_json: bool) -> None:
    """Copy a Zoho org's schema into PATH (a folder, .zip or .tar.gz) for `crmlink schema
    import`: GET /settings/modules, then /settings/fields and /settings/related_lists for
    every module the API serves.

    \b
    Examples:
      ZOHO_ACCESS_TOKEN=1000.xxx crmlink schema capture ./my-org --api-domain https://www.zohoapis.eu
    """
    from crmlink.schema_capture import CaptureError, capture

    token = token or os.environ.get("ZOHO_ACCESS_TOKEN")
    if not token:
        raise click.ClickException("give --token or set ZOHO_ACCESS_TOKEN")
    try:
        files, notes = capture(api_domain, token, api_version)
    except CaptureError as exc:
        raise click.ClickException(str(exc)) from None
    write_tree(files, path)
    text = "\n".join([*notes, f"wrote {path} ({len(files)} files)"])
    _emit(as_json, {"path": str(path), "files": len(files), "notes": notes}, text)


COMMANDS = [schema]

__all__ = ["COMMANDS"]
