"""Every API route against every way a caller can be refused, and the right token.

Rows are routes, columns are cases; each cell asserts the documented answer (docs/auth.md).
To cover a new route, add a ``Route`` to ``ROUTES``: the cases apply themselves by route kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest

from crmlink.domain.auth import ALL_PERMISSIONS, PERMISSION_FOR, Operation
from tests.factories import FULL_SCOPE, TestOrg, record_fields
from tests.helpers import assert_zoho_error

V = "v2.1"
Kind = Literal["module", "settings", "users", "related"]


@dataclass(frozen=True)
class Route:
    """One route: how to call it, and what it needs."""

    id: str
    method: str
    path: str  # {lead}, {campaign} are filled with real record ids
    kind: Kind
    op: Operation = Operation.READ
    module: str = "Leads"  # the module (the parent, for related routes) the scope must cover
    # Related routes: the related module, whose scope must allow the operation too and which the
    # user must be able to view and to act on with the operation.
    related: str = "Campaigns"
    area: str = ""  # settings routes: modules | fields | related_lists
    body: Callable[[dict[str, str]], Any] | None = None
    ok: frozenset[int] = frozenset({200})
    no_permission: str = ""  # the NO_PERMISSION message; empty: the route has no profile check


def _one(ids: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {"data": [{**record_fields("Leads", 9), **fields}]}


ROUTES: list[Route] = [
    Route(
        "records-list",
        "GET",
        "/crm/{v}/Leads",
        "module",
        ok=frozenset({200, 204}),
        no_permission="Permission denied to read records",
    ),
    Route(
        "records-get",
        "GET",
        "/crm/{v}/Leads/{lead}",
        "module",
        no_permission="Permission denied to read records",
    ),
    Route(
        "records-insert",
        "POST",
        "/crm/{v}/Leads",
        "module",
        Operation.CREATE,
        body=lambda ids: _one(ids),
        ok=frozenset({201}),
        no_permission="Permission denied to create records",
    ),
    Route(
        "records-update-bulk",
        "PUT",
        "/crm/{v}/Leads",
        "module",
        Operation.UPDATE,
        body=lambda ids: {"data": [{"id": ids["lead"], "Company": "Changed"}]},
        no_permission="Permission denied to update records",
    ),
    Route(
        "records-update-one",
        "PUT",
        "/crm/{v}/Leads/{lead}",
        "module",
        Operation.UPDATE,
        body=lambda ids: {"data": [{"Company": "Changed"}]},
        no_permission="Permission denied to update records",
    ),
    Route(
        "records-delete-bulk",
        "DELETE",
        "/crm/{v}/Leads?ids={lead}",
        "module",
        Operation.DELETE,
        no_permission="Permission denied to delete records",
    ),
    Route(
        "records-delete-one",
        "DELETE",
        "/crm/{v}/Leads/{lead}",
        "module",
        Operation.DELETE,
        no_permission="Permission denied to delete records",
    ),
    Route("settings-modules", "GET", "/crm/{v}/settings/modules", "settings", area="modules"),
    Route("settings-module", "GET", "/crm/{v}/settings/modules/Leads", "settings", area="modules"),
    Route("settings-fields", "GET", "/crm/{v}/settings/fields?module=Leads", "settings", area="fields"),
    Route(
        "settings-related-lists",
        "GET",
        "/crm/{v}/settings/related_lists?module=Leads",
        "settings",
        area="related_lists",
    ),
    Route("users-list", "GET", "/crm/{v}/users?type=AllUsers", "users"),
    Route("users-current", "GET", "/crm/{v}/users?type=CurrentUser", "users"),
    Route("users-get", "GET", "/crm/{v}/users/{admin}", "users"),
    Route(
        "related-get",
        "GET",
        "/crm/{v}/Leads/{lead}/Campaigns",
        "related",
        ok=frozenset({200, 204}),
        no_permission="Permission denied to read related records",
    ),
    Route(
        "related-get-one",
        "GET",
        "/crm/{v}/Leads/{lead}/Campaigns/{campaign}",
        "related",
        ok=frozenset({200, 204}),
        no_permission="Permission denied to read related records",
    ),
    Route(
        "related-put-bulk",
        "PUT",
        "/crm/{v}/Leads/{lead}/Campaigns",
        "related",
        Operation.UPDATE,
        body=lambda ids: {"data": [{"id": ids["campaign"]}]},
        no_permission="Permission denied to update records",
    ),
    Route(
        "related-put-one",
        "PUT",
        "/crm/{v}/Leads/{lead}/Campaigns/{campaign}",
        "related",
        Operation.UPDATE,
        body=lambda ids: {"data": [{}]},
        no_permission="Permission denied to update records",
    ),
    Route(
        "related-delete-bulk",
        "DELETE",
        "/crm/{v}/Leads/{lead}/Campaigns?ids={campaign}",
        "related",
        Operation.DELETE,
        no_permission="Permission denied to delete records",
    ),
    Route(
        "related-delete-one",
        "DELETE",
        "/crm/{v}/Leads/{lead}/Campaigns/{campaign}",
        "related",
        Operation.DELETE,
        no_permission="Permission denied to delete records",
    ),
    # Issue 18: the related module's records are answered, so its scope and profile count too.
    Route(
        "related-get-products",
        "GET",
        "/crm/{v}/Leads/{lead}/Products",
        "related",
        related="Products",
        ok=frozenset({200, 204}),
        no_permission="Permission denied to read related records",
    ),
    # The same links from the other side need the same rights (issue 18).
    Route(
        "related-get-from-campaigns",
        "GET",
        "/crm/{v}/Campaigns/{campaign}/Leads",
        "related",
        module="Campaigns",
        related="Leads",
        ok=frozenset({200, 204}),
        no_permission="Permission denied to read related records",
    ),
    Route(
        "related-put-from-campaigns",
        "PUT",
        "/crm/{v}/Campaigns/{campaign}/Leads/{lead}",
        "related",
        Operation.UPDATE,
        module="Campaigns",
        related="Leads",
        body=lambda ids: {"data": [{}]},
        no_permission="Permission denied to update records",
    ),
    Route(
        "related-delete-from-campaigns",
        "DELETE",
        "/crm/{v}/Campaigns/{campaign}/Leads/{lead}",
        "related",
        Operation.DELETE,
        module="Campaigns",
        related="Leads",
        no_permission="Permission denied to delete records",
    ),
]

RELATED_AUTHORIZATION_FAILED = {
    Operation.READ: "User does not have sufficient privilege to read related records data",
    Operation.UPDATE: "User does not have sufficient privilege to update related records data",
    Operation.DELETE: "User does not have sufficient privilege to delete related records data",
}


@dataclass(frozen=True)
class Expect:
    status: int
    code: str
    message: str


AUTH_FAILED = Expect(401, "AUTHENTICATION_FAILURE", "Authentication failed")
INVALID_TOKEN = Expect(401, "INVALID_TOKEN", "invalid oauth token")
SCOPE_MISMATCH = Expect(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")


def _scope_name(module: str) -> str:
    return module.lower()


def _scope_without_module(route: Route) -> str:
    if route.kind == "settings":
        return "ZohoCRM.modules.ALL,ZohoCRM.users.ALL"
    if route.kind == "users":
        return "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL"
    other = _scope_name(route.related) if route.kind == "related" else "campaigns"
    return f"ZohoCRM.modules.contacts.ALL,ZohoCRM.modules.{other}.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.ALL"


def _scope_without_related(route: Route) -> str:
    """The parent's scope in full, none for the related module."""
    return f"ZohoCRM.modules.{_scope_name(route.module)}.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.ALL"


def _scope_without_operation(route: Route) -> str:
    """A scope naming the route's module (or area) with operations that do not cover the route."""
    if route.kind == "settings":
        return f"ZohoCRM.settings.{route.area}.CREATE,ZohoCRM.modules.ALL"
    if route.kind == "users":
        return "ZohoCRM.users.CREATE,ZohoCRM.modules.ALL"
    m = f"ZohoCRM.modules.{_scope_name(route.module)}"
    wrong = f"CREATE,{m}.UPDATE" if route.op is Operation.READ else "READ"
    if route.op is Operation.UPDATE:
        wrong = f"READ,{m}.CREATE,{m}.DELETE"
    if route.op is Operation.DELETE:
        wrong = f"READ,{m}.CREATE,{m}.UPDATE"
    if route.op is Operation.CREATE:
        wrong = f"READ,{m}.UPDATE,{m}.DELETE"
    other = _scope_name(route.related) if route.kind == "related" else "campaigns"
    return f"{m}.{wrong},ZohoCRM.modules.{other}.ALL,ZohoCRM.settings.ALL"


def _revoked(org: TestOrg, client: Any) -> dict[str, str]:
    tokens = org.mint()
    response = client.post("/oauth/v2/token/revoke", params={"token": tokens.refresh_token})
    assert response.status_code == 200
    return {"Authorization": f"Zoho-oauthtoken {tokens.access_token}"}


def _profile_user(org: TestOrg, name: str, permissions: dict[str, list[str]]) -> str:
    org.add_profile(name, permissions)
    return org.add_user(profile=name)


def _lacking_permission(org: TestOrg, route: Route) -> dict[str, str]:
    missing = PERMISSION_FOR[route.op]
    email = _profile_user(
        org,
        "Lacks " + missing,
        {"*": list(ALL_PERMISSIONS), route.module: [p for p in ALL_PERMISSIONS if p != missing]},
    )
    return org.headers_for(email)


def _related_not_viewable(org: TestOrg, route: Route) -> dict[str, str]:
    email = _profile_user(org, "No " + route.related, {"*": list(ALL_PERMISSIONS), route.related: []})
    return org.headers_for(email)


def _related_lacks_operation(org: TestOrg, route: Route) -> dict[str, str]:
    """All rights on the parent; on the related module every right but the route's (view kept,
    unless the route reads)."""
    missing = PERMISSION_FOR[route.op]
    kept = [p for p in ALL_PERMISSIONS if p != missing]
    email = _profile_user(
        org, f"{route.related} without {missing}", {"*": list(ALL_PERMISSIONS), route.related: kept}
    )
    return org.headers_for(email)


@dataclass(frozen=True)
class Case:
    """A column: the headers to send, the answer expected, and which route kinds it applies to."""

    id: str
    headers: Callable[[TestOrg, Any, Route], dict[str, str]]
    expect: Callable[[Route], Expect | None]  # None: the route must succeed
    kinds: frozenset[Kind] = field(default=frozenset({"module", "settings", "users", "related"}))


CASES: list[Case] = [
    Case("no-header", lambda o, c, r: {}, lambda r: AUTH_FAILED),
    Case("malformed-scheme", lambda o, c, r: {"Authorization": f"Basic {o.token}"}, lambda r: AUTH_FAILED),
    Case("malformed-no-token", lambda o, c, r: {"Authorization": "Zoho-oauthtoken "}, lambda r: AUTH_FAILED),
    Case(
        "unknown-token",
        lambda o, c, r: {"Authorization": "Zoho-oauthtoken 1000." + "0" * 32 + "." + "1" * 32},
        lambda r: INVALID_TOKEN,
    ),
    Case("expired-token", lambda o, c, r: o.headers_for(ttl=-1), lambda r: INVALID_TOKEN),
    Case("revoked-token", lambda o, c, r: _revoked(o, c), lambda r: INVALID_TOKEN),
    Case(
        "scope-misses-module",
        lambda o, c, r: o.headers_for(scope=_scope_without_module(r)),
        lambda r: SCOPE_MISMATCH,
    ),
    Case(
        "scope-misses-operation",
        lambda o, c, r: o.headers_for(scope=_scope_without_operation(r)),
        lambda r: SCOPE_MISMATCH,
    ),
    Case(
        "profile-lacks-permission",
        lambda o, c, r: _lacking_permission(o, r),
        lambda r: Expect(403, "NO_PERMISSION", r.no_permission),
        frozenset({"module", "related"}),
    ),
    Case(
        "scope-misses-related-module",
        lambda o, c, r: o.headers_for(scope=_scope_without_related(r)),
        lambda r: SCOPE_MISMATCH,
        frozenset({"related"}),
    ),
    Case(
        "related-lacks-operation",
        lambda o, c, r: _related_lacks_operation(o, r),
        lambda r: Expect(400, "AUTHORIZATION_FAILED", RELATED_AUTHORIZATION_FAILED[r.op]),
        frozenset({"related"}),
    ),
    Case(
        "related-not-viewable",
        lambda o, c, r: _related_not_viewable(o, r),
        lambda r: Expect(400, "AUTHORIZATION_FAILED", RELATED_AUTHORIZATION_FAILED[r.op]),
        frozenset({"related"}),
    ),
    Case("right-token", lambda o, c, r: o.headers_for(scope=FULL_SCOPE), lambda r: None),
    Case("right-token-bearer", lambda o, c, r: {"Authorization": f"Bearer {o.token}"}, lambda r: None),
    Case("right-narrow-scope", lambda o, c, r: o.headers_for(scope=_narrow_scope(r)), lambda r: None),
]


def _narrow_scope(route: Route) -> str:
    """The least scope that opens the route, in the seed's grammar."""
    if route.kind == "settings":
        return f"ZohoCRM.settings.{route.area}.READ"
    if route.kind == "users":
        return "ZohoCRM.users.READ"
    parent = f"ZohoCRM.modules.{_scope_name(route.module)}.{route.op.value}"
    if route.kind == "related":
        return f"{parent},ZohoCRM.modules.{_scope_name(route.related)}.{route.op.value}"
    return parent


MATRIX = [
    pytest.param(route, case, id=f"{route.id}--{case.id}")
    for route in ROUTES
    for case in CASES
    if route.kind in case.kinds
]


def _call(client: Any, org: TestOrg, route: Route, headers: dict[str, str], version: str = V) -> Any:
    ids = {"v": version, "lead": org.create(client, "Leads")[0], "admin": str(org.admin_id), "campaign": ""}
    if route.kind == "related":
        ids["campaign"] = org.create(client, "Campaigns")[0]
        if route.method != "PUT":  # something to read or delink
            linked = client.put(
                f"/crm/{V}/Leads/{ids['lead']}/Campaigns/{ids['campaign']}",
                json={"data": [{}]},
                headers=org.headers,
            )
            assert linked.status_code == 200, linked.text
    url = route.path.format(**ids)
    body = route.body(ids) if route.body else None
    return client.request(route.method, url, headers=headers, json=body)


@pytest.mark.parametrize(("route", "case"), MATRIX)
def test_route_answers_each_caller(client: Any, org: TestOrg, route: Route, case: Case) -> None:
    response = _call(client, org, route, case.headers(org, client, route))
    expected = case.expect(route)
    if expected is None:
        assert response.status_code in route.ok, (response.status_code, response.text)
        return
    assert_zoho_error(response, expected.status, expected.code, expected.message)


@pytest.mark.parametrize("version", ["v2", "v2.1"])
def test_both_api_versions_are_guarded(client: Any, org: TestOrg, version: str) -> None:
    response = _call(client, org, ROUTES[0], {}, version)
    assert_zoho_error(response, 401, "AUTHENTICATION_FAILURE")


def test_refused_writes_store_nothing(client: Any, org: TestOrg) -> None:
    insert = next(r for r in ROUTES if r.id == "records-insert")
    refused = _call(client, org, insert, org.headers_for(scope="ZohoCRM.modules.leads.READ"))
    assert refused.status_code == 401
    listed = client.get(f"/crm/{V}/Leads", headers=org.headers).json()["data"]
    assert len(listed) == 1  # only the record _call created with the admin token
