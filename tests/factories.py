"""Factories in one place: orgs, users, tokens and records, with overrides as keyword args."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from crmlink.api.context import Services
from crmlink.domain import oauth
from crmlink.domain.auth import store_access_token
from crmlink.domain.catalog_data import CATALOG
from crmlink.domain.clock import now_us
from crmlink.domain.orgs import add_user, create_org, create_profile, find_user
from crmlink.domain.passwords import set_password
from crmlink.storage import links

FULL_SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.ALL"


@dataclass
class TestOrg:
    """An org created for one test, with helpers bound to it."""

    __test__ = False  # not a test class

    services: Services
    org_id: int
    admin_email: str
    admin_id: int
    token: str
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {self.token}"}

    def token_for(self, email: str | None = None, scope: str = FULL_SCOPE, ttl: int = 3600) -> str:
        with self.services.db.write() as conn:
            user = find_user(conn, self.org_id, email or self.admin_email)
            assert user is not None
            return store_access_token(conn, org_id=self.org_id, user_id=user.id, scope=scope, ttl_seconds=ttl)

    def headers_for(
        self, email: str | None = None, scope: str = FULL_SCOPE, ttl: int = 3600
    ) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {self.token_for(email, scope, ttl)}"}

    def add_user(self, profile: str = "Standard", email: str | None = None, name: str = "Test User") -> str:
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        with self.services.db.write() as conn:
            add_user(conn, self.services.ids, self.org_id, email, name, profile)
        return email

    def add_profile(self, name: str, permissions: dict[str, list[str]]) -> None:
        with self.services.db.write() as conn:
            create_profile(conn, self.services.ids, self.org_id, name, permissions)

    def user_id(self, email: str) -> int:
        with self.services.db.read() as conn:
            user = find_user(conn, self.org_id, email)
            assert user is not None
            return user.id

    def set_password(self, email: str, password: str) -> None:
        with self.services.db.write() as conn:
            set_password(conn, self.org_id, self.user_id(email), password)

    def add_client(
        self, name: str = "Test Client", redirect_uris: list[str] | None = None
    ) -> oauth.NewClient:
        with self.services.db.write() as conn:
            return oauth.create_client(conn, self.org_id, name, redirect_uris or [])

    def grant(
        self,
        client_id: str,
        email: str | None = None,
        scope: str = FULL_SCOPE,
        ttl: int = 180,
        redirect_uri: str | None = None,
        issued_ago: int = 0,
    ) -> str:
        """A grant token, as ``crmlink grant`` prints it; ``issued_ago`` seconds in the past."""
        with self.services.db.write() as conn:
            return oauth.issue_grant(
                conn,
                org_id=self.org_id,
                client_id=client_id,
                user_id=self.user_id(email or self.admin_email),
                scope=scope,
                ttl_seconds=ttl,
                redirect_uri=redirect_uri,
                now=now_us() - issued_ago * 1_000_000,
            )

    def mint(
        self, email: str | None = None, scope: str = FULL_SCOPE, client_id: str | None = None
    ) -> oauth.Tokens:
        """A refresh token and an access token, as ``crmlink token`` mints them."""
        with self.services.db.write() as conn:
            return oauth.mint_tokens(
                conn,
                org_id=self.org_id,
                user_id=self.user_id(email or self.admin_email),
                scope=scope,
                client_id=client_id,
                access_ttl=3600,
            )

    def link_events(self) -> list[links.LinkEvent]:
        """The org's link change events, oldest first."""
        with self.services.db.read() as conn:
            return links.events(conn, self.org_id)

    def stored_links(self, relation: str) -> dict[tuple[int, int], dict[str, Any]]:
        """``{(left_id, right_id): relation data}`` of every stored link of ``relation``."""
        with self.services.db.read() as conn:
            return links.link_pairs(conn, self.org_id, CATALOG.relation_map[relation].name)

    def all_links(self) -> dict[str, dict[tuple[int, int], dict[str, Any]]]:
        """Every stored link of the org, by relation name (relations without links left out)."""
        found = {r.name: self.stored_links(r.name) for r in CATALOG.relations}
        return {name: pairs for name, pairs in found.items() if pairs}

    def order_refs(self, client: Any, module: str) -> dict[str, Any]:
        """What an inventory record needs beyond ``record_fields``: one line item of a new
        product (and a new vendor for a purchase order); nothing for other modules."""
        if module not in LINE_ITEMS:
            return {}
        (product,) = self.create(client, "Products")
        refs: dict[str, Any] = {LINE_ITEMS[module]: [{"Product_Name": {"id": product}, "Quantity": 1}]}
        if module == "Purchase_Orders":
            refs["Vendor_Name"] = {"id": self.create(client, "Vendors")[0]}
        return refs

    def create(
        self, client: Any, module: str, count: int = 1, version: str = "v2.1", **fields: Any
    ) -> list[str]:
        """Insert ``count`` records of ``module`` over HTTP; returns their ids."""
        fields = {**self.order_refs(client, module), **fields}
        items = [record_fields(module, i, **fields) for i in range(count)]
        ids: list[str] = []
        for start in range(0, len(items), 100):
            response = client.post(
                f"/crm/{version}/{module}", json={"data": items[start : start + 100]}, headers=self.headers
            )
            assert response.status_code == 201, response.text
            ids += [item["details"]["id"] for item in response.json()["data"]]
        return ids


_MANDATORY: dict[str, dict[str, Any]] = {
    "Leads": {"Last_Name": "Lead {i}", "Company": "Co {i}"},
    "Contacts": {"Last_Name": "Contact {i}"},
    "Accounts": {"Account_Name": "Account {i}"},
    "Deals": {"Deal_Name": "Deal {i}", "Stage": "Qualification"},
    "Products": {"Product_Name": "Product {i}"},
    "Campaigns": {"Campaign_Name": "Campaign {i}"},
    "Price_Books": {"Price_Book_Name": "Price Book {i}"},
    "Notes": {"Note_Content": "Note {i}"},
    "Tasks": {"Subject": "Task {i}"},
    "Events": {
        "Event_Title": "Meeting {i}",
        "Start_DateTime": "2030-01-01T10:00:00+00:00",
        "End_DateTime": "2030-01-01T11:00:00+00:00",
    },
    "Calls": {"Subject": "Call {i}", "Call_Type": "Outbound", "Call_Start_Time": "2030-01-01T10:00:00+00:00"},
    "Vendors": {"Vendor_Name": "Vendor {i}"},
    "Cases": {"Subject": "Case {i}", "Status": "New", "Case_Origin": "Email"},
    "Solutions": {"Solution_Title": "Solution {i}"},
    # Inventory records also need line items (and Purchase_Orders a vendor): TestOrg.order_refs.
    "Quotes": {"Subject": "Quote {i}"},
    "Sales_Orders": {"Subject": "Sales Order {i}"},
    "Purchase_Orders": {"Subject": "Purchase Order {i}"},
    "Invoices": {"Subject": "Invoice {i}"},
}

LINE_ITEMS = {
    "Quotes": "Quoted_Items",
    "Sales_Orders": "Ordered_Items",
    "Purchase_Orders": "Purchase_Items",
    "Invoices": "Invoiced_Items",
}


def record_fields(module: str, i: int = 0, **overrides: Any) -> dict[str, Any]:
    """The least a record of ``module`` needs, numbered; overrides win."""
    base = {k: (v.format(i=i) if isinstance(v, str) else v) for k, v in _MANDATORY[module].items()}
    base.update(overrides)
    return base


class OrgFactory:
    def __init__(self, services: Services) -> None:
        self.services = services

    def create(self, name: str | None = None) -> TestOrg:
        suffix = uuid.uuid4().hex[:10]
        email = f"admin-{suffix}@example.com"
        with self.services.db.write() as conn:
            org_id = create_org(conn, self.services.ids, name or f"org-{suffix}", email, "Org Admin")
            admin = find_user(conn, org_id, email)
            assert admin is not None
            token = store_access_token(
                conn, org_id=org_id, user_id=admin.id, scope=FULL_SCOPE, ttl_seconds=3600
            )
        return TestOrg(self.services, org_id, email, admin.id, token)
