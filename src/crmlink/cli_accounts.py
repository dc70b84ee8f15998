"""``crmlink users|tokens|profiles|clients|grant|token``: accounts and credentials from the shell.

Each command opens the same database a running server uses (``--data-dir`` or
``--database-url``), does its work in one transaction through the domain functions the server
uses, and prints readable text, or JSON with ``--json``. Secrets are printed once and stored
hashed; library errors become ``click.ClickException``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from crmlink.api.context import Services
from crmlink.cli import _data_dir, _database_url, _emit, _json, _settings
from crmlink.domain import access, oauth, orgs, passwords
from crmlink.domain.auth import ALL_PERMISSIONS
from crmlink.errors import CRMError
from crmlink.storage.connection import Connection
from crmlink.storage.revocation import Revoked

F = TypeVar("F", bound=Callable[..., Any])


def _org_option(fn: F) -> F:
    return click.option("--org", "org_id", type=int, default=None, help="Org id [default: the default org].")(
        fn
    )


def _db_options(fn: F) -> F:
    return _data_dir(_database_url(_org_option(_json(fn))))


@contextmanager
def _services(data_dir: Path | None, database_url: str | None) -> Iterator[Services]:
    from crmlink.app import open_services

    svc = open_services(_settings(data_dir, database_url))
    try:
        yield svc
    finally:
        svc.db.dispose()


@contextmanager
def _transaction(svc: Services, org_id: int | None) -> Iterator[tuple[Connection, int]]:
    """One write transaction and the org it acts in; library errors become ClickException."""
    try:
        with svc.db.write() as conn:
            org = org_id if org_id is not None else orgs.default_org_id(conn)
            if org is None or not orgs.org_exists(conn, org):
                raise click.ClickException(f"no org with id {org_id}")
            yield conn, org
    except CRMError as exc:
        detail = f" ({exc.details})" if exc.details else ""
        raise click.ClickException(f"{exc.message}{detail}") from None


def _user(conn: Connection, org: int, email: str) -> orgs.User:
    user = orgs.find_user(conn, org, email)
    if user is None:
        raise click.ClickException(f"no user {email!r} in org {org}; add one with `crmlink users add`")
    return user


def _client(conn: Connection, org: int, client_id: str) -> oauth.ClientInfo:
    client = oauth.find_client(conn, client_id)
    if client is None or client.org_id != org:
        raise click.ClickException(
            f"no client {client_id!r} in org {org}; add one with `crmlink clients add`"
        )
    return client


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _api_domain(svc: Services) -> str:
    s = svc.settings
    return s.api_domain.rstrip("/") if s.api_domain else f"http://{s.host}:{s.port}"


# --- users -------------------------------------------------------------------------------------


@click.group()
def users() -> None:
    """Add users and set their browser sign-in passwords."""


@users.command("add")
@click.argument("email")
@click.option("--name", default=None, help="Full name [default: the part of EMAIL before @].")
@click.option("--profile", default="Standard", show_default=True, help="Profile name.")
@click.option("--password-stdin", is_flag=True, help="Read a sign-in password from standard input.")
@_db_options
def users_add(
    email: str,
    name: str | None,
    profile: str,
    password_stdin: bool,
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    as_json: bool,
) -> None:
    """Add a user with a profile (Administrator, Standard or a custom one).

    \b
    Example:
      crmlink users add ana@example.com --name "Ana Lima" --profile Standard
      echo 's3cret-pass' | crmlink users add bo@example.com --profile Administrator --password-stdin
    """
    password = _read_password(True) if password_stdin else None
    with _services(data_dir, database_url) as svc, _transaction(svc, org_id) as (conn, org):
        user = orgs.add_user(conn, svc.ids, org, email, name or email.split("@")[0], profile)
        if password is not None:
            passwords.set_password(conn, org, user.id, password)
    payload = {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "profile": user.profile,
        "org_id": str(org),
    }
    _emit(
        as_json, payload, f"added user {user.email} ({user.name}, {user.profile}) id {user.id} in org {org}"
    )


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@_db_options
def users_set_password(
    email: str,
    password_stdin: bool,
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    as_json: bool,
) -> None:
    """Set the password a user signs in with at /oauth/v2/auth (prompted unless --password-stdin).

    \b
    Example:
      crmlink users set-password admin@example.com
    """
    password = _read_password(password_stdin)
    with _services(data_dir, database_url) as svc, _transaction(svc, org_id) as (conn, org):
        user = _user(conn, org, email)
        passwords.set_password(conn, org, user.id, password)
        revoked = access.revoke_refresh_tokens(conn, org, user.id)
    _emit(
        as_json,
        {"email": user.email, "password_set": True, "refresh_tokens_revoked": revoked.refresh_tokens},
        f"password set for {user.email}; {revoked.refresh_tokens} refresh token(s) revoked",
    )


@users.command("deactivate")
@click.argument("email")
@_db_options
def users_deactivate(
    email: str, data_dir: Path | None, database_url: str | None, org_id: int | None, as_json: bool
) -> None:
    """Deactivate a user: their tokens are revoked and they can no longer sign in.

    \b
    Example:
      crmlink users deactivate ana@example.com
    """
    with _services(data_dir, database_url) as svc, _transaction(svc, org_id) as (conn, org):
        user = _user(conn, org, email)
        revoked = access.deactivate_user(conn, org, user.id)
    _emit(
        as_json,
        {"email": user.email, "active": False, **_revoked_payload(revoked)},
        f"deactivated {user.email}; {_revoked_text(revoked)}",
    )


def _revoked_payload(revoked: Revoked) -> dict[str, int]:
    return {"refresh_tokens_revoked": revoked.refresh_tokens, "access_tokens_revoked": revoked.access_tokens}


def _revoked_text(revoked: Revoked) -> str:
    return f"{revoked.refresh_tokens} refresh and {revoked.access_tokens} access token(s) revoked"


# --- tokens ------------------------------------------------------------------------------------


@click.group()
def tokens() -> None:
    """Revoke tokens."""


@tokens.command("revoke")
@click.option("--user", "email", required=True, help="Email of the user whose tokens to revoke.")
@_db_options
def tokens_revoke(
    email: str, data_dir: Path | None, database_url: str | None, org_id: int | None, as_json: bool
) -> None:
    """Revoke every refresh and access token of a user (they can sign in again for new ones).

    \b
    Example:
      crmlink tokens revoke --user ana@example.com
    """
    with _services(data_dir, database_url) as svc, _transaction(svc, org_id) as (conn, org):
        user = _user(conn, org, email)
        revoked = access.revoke_user_tokens(conn, org, user.id)
    _emit(
        as_json, {"email": user.email, **_revoked_payload(revoked)}, f"{user.email}: {_revoked_text(revoked)}"
    )


# --- profiles ----------------------------------------------------------------------------------


def _parse_permission(svc: Services, raw: str) -> tuple[str, list[str]]:
    module, sep, perms = raw.partition("=")
    module = module.strip()
    if not sep or not module:
        raise click.BadParameter(f"expected MODULE=view,create,edit,delete, got {raw!r}")
    if module != "*":
        found = svc.catalog.find_module(module)
        if found is None:
            raise click.BadParameter(f"unknown module {module!r}")
        module = found.api_name
    granted = [p.strip().lower() for p in perms.split(",") if p.strip()]
    unknown = set(granted) - set(ALL_PERMISSIONS)
    if unknown:
        raise click.BadParameter(f"unknown permissions {sorted(unknown)}; use {', '.join(ALL_PERMISSIONS)}")
    return module, granted


@click.group()
def profiles() -> None:
    """Custom profiles: per-module view, create, edit and delete permissions."""


@profiles.command("add")
@click.argument("name")
@click.option(
    "--permission",
    "permissions",
    multiple=True,
    metavar="MODULE=PERMS",
    help='Repeatable, e.g. Leads=view,edit; "*" means every module not named; an empty list grants nothing.',
)
@_db_options
def profiles_add(
    name: str,
    permissions: tuple[str, ...],
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    as_json: bool,
) -> None:
    """Add a custom profile.

    \b
    Example:
      crmlink profiles add "Sales Reader" --permission '*=view' --permission Leads=view,edit
    """
    with _services(data_dir, database_url) as svc:
        granted = dict(_parse_permission(svc, p) for p in permissions)
        with _transaction(svc, org_id) as (conn, org):
            profile_id = orgs.create_profile(conn, svc.ids, org, name, granted)
    payload = {"id": str(profile_id), "name": name, "permissions": granted, "org_id": str(org)}
    summary = "; ".join(f"{m}: {','.join(p) or 'none'}" for m, p in granted.items()) or "no permissions"
    _emit(as_json, payload, f"added profile {name} id {profile_id} ({summary})")


# --- clients, grants, tokens -------------------------------------------------------------------


@click.group()
def clients() -> None:
    """OAuth clients (apps) that exchange grant tokens and refresh tokens."""


@clients.command("add")
@click.option(
    "--name", default="Self Client", show_default=True, help="A name users see on the consent page."
)
@click.option(
    "--redirect-uri",
    "redirect_uris",
    multiple=True,
    help="Repeatable; where /oauth/v2/auth may send the browser back. None: a self client.",
)
@_db_options
def clients_add(
    name: str,
    redirect_uris: tuple[str, ...],
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    as_json: bool,
) -> None:
    """Register a client; prints its client id and secret (the secret only this once).

    \b
    Example:
      crmlink clients add --name "My integration" --redirect-uri http://localhost:9000/callback
    """
    with _services(data_dir, database_url) as svc, _transaction(svc, org_id) as (conn, org):
        client = oauth.create_client(conn, org, name, redirect_uris)
    payload = {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "name": client.name,
        "redirect_uris": client.redirect_uris,
    }
    _emit(
        as_json,
        payload,
        "\n".join(
            [
                f"client {client.name!r} (shown once; stored hashed):",
                f"  client id      {client.client_id}",
                f"  client secret  {client.client_secret}",
                f"  redirect URIs  {', '.join(client.redirect_uris) or '(none: self client)'}",
            ]
        ),
    )


@click.command()
@click.option("--client", "client_id", required=True, help="Client id (from `crmlink clients add`).")
@click.option("--user", "email", required=True, help="Email of the user the tokens act as.")
@click.option("--scope", required=True, help="Comma-separated, e.g. ZohoCRM.modules.ALL,ZohoCRM.settings.ALL")
@click.option("--expires-in", type=int, default=None, help="Seconds the grant token lives [default: 180].")
@_db_options
def grant(
    client_id: str,
    email: str,
    scope: str,
    expires_in: int | None,
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    as_json: bool,
) -> None:
    """Print a grant token (authorization code) for a self client, as Zoho's API console does.

    Exchange it once, within its lifetime, at POST /oauth/v2/token (grant_type=authorization_code).

    \b
    Example:
      crmlink grant --client 1000.ABC... --user admin@example.com --scope ZohoCRM.modules.ALL
    """
    with _services(data_dir, database_url) as svc, _transaction(svc, org_id) as (conn, org):
        client = _client(conn, org, client_id)
        user = _user(conn, org, email)
        ttl = expires_in if expires_in is not None else svc.settings.grant_token_ttl
        code = oauth.issue_grant(
            conn, org_id=org, client_id=client.client_id, user_id=user.id, scope=scope, ttl_seconds=ttl
        )
        clean_scope = oauth.normalize_scope(scope)
    payload = {"code": code, "expires_in": ttl, "scope": clean_scope}
    _emit(as_json, payload, f"grant token (single use, expires in {ttl} s; scope {clean_scope}):\n{code}")


@click.command()
@click.option("--user", "email", required=True, help="Email of the user the tokens act as.")
@click.option("--scope", required=True, help="Comma-separated, e.g. ZohoCRM.modules.ALL,ZohoCRM.settings.ALL")
@click.option(
    "--client",
    "client_id",
    default=None,
    help="Bind the refresh token to this client [default: none; any client of the org may refresh it].",
)
@_db_options
def token(
    email: str,
    scope: str,
    client_id: str | None,
    data_dir: Path | None,
    database_url: str | None,
    org_id: int | None,
    as_json: bool,
) -> None:
    """Mint an access token and a refresh token directly, for local use (scripts, CI).

    \b
    Example:
      crmlink token --user admin@example.com --scope ZohoCRM.modules.ALL --json
    """
    with _services(data_dir, database_url) as svc, _transaction(svc, org_id) as (conn, org):
        user = _user(conn, org, email)
        bound = _client(conn, org, client_id).client_id if client_id else None
        tokens = oauth.mint_tokens(
            conn,
            org_id=org,
            user_id=user.id,
            scope=scope,
            client_id=bound,
            access_ttl=svc.settings.access_token_ttl,
        )
        domain = _api_domain(svc)
    payload = {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
        "api_domain": domain,
        "token_type": "Bearer",
        "scope": tokens.scope,
    }
    _emit(
        as_json,
        payload,
        "\n".join(
            [
                f"tokens for {user.email} (shown once; stored hashed; scope {tokens.scope}):",
                f"  access token   {tokens.access_token}   (expires in {tokens.expires_in} s)",
                f"  refresh token  {tokens.refresh_token}",
                f"  try:           curl -H 'Authorization: Zoho-oauthtoken {tokens.access_token}' "
                f"{domain}/crm/v2.1/users?type=CurrentUser",
            ]
        ),
    )


COMMANDS: list[click.Command] = [users, tokens, profiles, clients, grant, token]
