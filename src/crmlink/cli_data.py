"""``crmlink load FILE...`` and ``crmlink export MODULE``: data files in and out (docs/data.md).

Both open the database a server uses (``--data-dir`` / ``--database-url``) and stream: a load
reads rows in batches of 1,000, one transaction each, and an export reads keyset pages. A bar
shows progress when the command runs on a terminal; piped, it prints nothing but its result.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
from tqdm import tqdm

from crmlink.api.context import Services
from crmlink.cli import _data_dir, _database_url, _settings
from crmlink.domain import data_io
from crmlink.domain import orgs as org_rules
from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.errors import CRMError
from crmlink.storage import data_io as data_store


@contextmanager
def _services(data_dir: Path | None, database_url: str | None) -> Iterator[Services]:
    from crmlink.app import open_services

    svc = open_services(_settings(data_dir, database_url))
    try:
        yield svc
    finally:
        svc.db.dispose()


def _org(svc: Services, org_id: int | None) -> int:
    with svc.db.read() as conn:
        org = org_id if org_id is not None else org_rules.default_org_id(conn)
        if org is None or not org_rules.org_exists(conn, org):
            raise click.ClickException(f"no org with id {org_id}")
        return org


def _module_for(catalog: Catalog, path: Path, given: str | None) -> ModuleDef:
    """``--module``, else the file name: ``Leads.csv``, ``leads-2026-11.json``."""
    names = (
        [given]
        if given
        else [path.stem, path.stem.split(".")[0], *path.stem.replace("_", "-").split("-")[:1]]
    )
    for name in names:
        module = catalog.find_module(name or "")
        if module is not None:
            return module
    hint = f"module {given!r}" if given else f"a module from the file name {path.name!r} (use --module)"
    raise click.ClickException(f"cannot tell {hint}")


def _bar(enabled: bool, desc: str, total: int | None = None) -> tqdm[Any]:
    return tqdm(desc=desc, total=total, unit=" rows", disable=not enabled, file=sys.stderr)


@click.command("load")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_data_dir
@_database_url
@click.option("--org", "org_id", type=int, default=None, help="Org id [default: the default org].")
@click.option("--module", default=None, help="Module of the records [default: from each file's name].")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rows left out (file, row, Zoho error code, message, details) to this CSV.",
)
@click.option(
    "--batch-size", type=int, default=data_io.BATCH, show_default=True, help="Rows per transaction."
)
def load_command(
    files: tuple[Path, ...],
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    module: str | None,
    report: Path | None,
    batch_size: int,
) -> None:
    """Load records or links from CSV (Zoho's import columns) or JSON files.

    Each row is checked as the API checks it; a bad row is left out (and reported), the others
    go in. Exits 1 when a row was left out.

    \b
    Examples:
      crmlink load Accounts.csv Contacts.csv --report errors.csv
      crmlink load leads.jsonl --module Leads --org 1914...
      crmlink load price_book_links.csv      # Module, Parent Id, Related List, Related Id, ...
    """
    show = sys.stderr.isatty() and sys.stdout.isatty()
    failed = 0
    with _services(data_dir, database_url) as svc, _report(report) as writer:
        org = _org(svc, org_id)
        with svc.db.read() as conn:
            catalog = svc.catalogs.get(conn, org)
            users = data_store.user_names(conn, org)
        for path in files:
            added, errors = _load_file(svc, catalog, org, path, module, users, writer, batch_size, show)
            failed += errors
            click.echo(f"{path}: {added} added, {errors} left out")
        with svc.db.write() as conn:
            data_store.refresh_statistics(conn)
    if failed:
        if report is None:
            click.echo("rows were left out; --report FILE lists them", err=True)
        sys.exit(1)


@contextmanager
def _report(path: Path | None) -> Iterator[Any]:
    if path is None:
        yield None
        return
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(data_io.report_header())
        yield writer


def _load_file(
    svc: Services,
    catalog: Catalog,
    org: int,
    path: Path,
    module_name: str | None,
    users: dict[str, int],
    writer: Any,
    batch_size: int,
    show: bool,
) -> tuple[int, int]:
    added = failed = 0
    module: ModuleDef | None = None
    links: bool | None = None
    # Read through first (as the admin API's load does): a file unreadable part-way stores
    # nothing, rather than the batches before the unreadable point; and the bar knows its total.
    try:
        total = data_io.check_readable(path)
    except CRMError as exc:
        where = f" at row {exc.details['row']}" if "row" in exc.details else ""
        raise click.ClickException(f"{path}: {exc.message}{where}; nothing loaded from it") from None
    with _bar(show, path.name, total) as bar:
        for batch in data_io.batches(data_io.read_rows(path), batch_size):
            if links is None:
                links = data_io.is_links(batch[0][1])
                module = None if links else _module_for(catalog, path, module_name)
            try:
                with svc.db.write() as conn:
                    done, errors = data_io.load_batch(conn, catalog, svc.ids, org, module, batch, users)
            except CRMError as exc:
                raise click.ClickException(f"{path}: {exc.message}") from None
            added += done
            failed += len(errors)
            if writer is not None:
                writer.writerows(data_io.report_row(path, e) for e in errors)
            bar.update(len(batch))
    return added, failed


@click.command("export")
@click.argument("module_name", metavar="MODULE")
@_data_dir
@_database_url
@click.option("--org", "org_id", type=int, default=None, help="Org id [default: the default org].")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File [default: stdout].",
)
def export_command(
    module_name: str, data_dir: Path | None, database_url: str | None, org_id: int | None, output: Path | None
) -> None:
    """Write a module's records as Zoho's export CSV ("Record Id", field labels).

    \b
    Examples:
      crmlink export Contacts -o Contacts.csv
      crmlink export Leads --org 1914... | head
    """
    with _services(data_dir, database_url) as svc:
        org = _org(svc, org_id)
        show = output is not None and sys.stderr.isatty()
        with svc.db.read() as conn, _open(output) as f, _bar(show, module_name) as bar:
            catalog = svc.catalogs.get(conn, org)
            module = catalog.find_module(module_name)
            if module is None:
                raise click.ClickException(f"no module {module_name!r}")
            writer = csv.writer(f)
            for number, row in enumerate(data_io.export_rows(conn, catalog, org, module)):
                writer.writerow(row)
                if number:
                    bar.update(1)


@contextmanager
def _open(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", newline="", encoding="utf-8") as f:
        yield f


COMMANDS = [load_command, export_command]
