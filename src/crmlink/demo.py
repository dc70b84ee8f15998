"""Demo data for ``crmlink serve --demo``: a small, realistic org covering every module."""

from __future__ import annotations

import secrets
from typing import Any

import click

from crmlink.api.context import Services
from crmlink.config import Settings
from crmlink.domain import oauth, passwords
from crmlink.domain import records as rec
from crmlink.domain import relations as rel
from crmlink.domain.auth import Actor, parse_permissions, parse_scopes
from crmlink.domain.catalog import Catalog
from crmlink.domain.ids import IdGenerator
from crmlink.domain.orgs import DEFAULT_ADMIN_EMAIL, default_org_id, ensure_default_org, find_user
from crmlink.storage import records as record_store
from crmlink.storage.connection import Connection

FULL_SCOPE = (
    "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.ALL,ZohoCRM.org.ALL,ZohoCRM.notifications.ALL"
)

_ACCOUNTS: list[dict[str, Any]] = [
    {
        "Account_Name": "Zylker Inc",
        "Industry": "Large Enterprise",
        "Phone": "+1 555 0100",
        "Website": "https://zylker.example",
    },
    {"Account_Name": "Acme Corporation", "Industry": "Storage Equipment", "Phone": "+1 555 0101"},
    {"Account_Name": "Globex", "Industry": "Government/Military", "Billing_City": "Springfield"},
    {"Account_Name": "Initech", "Industry": "Service Provider", "Employees": 120},
    {"Account_Name": "Umbrella Health", "Industry": "Small/Medium Enterprise"},
]
_LEADS: list[dict[str, Any]] = [
    {"First_Name": f, "Last_Name": l, "Company": c, "Email": e, "Lead_Source": "Web Download"}
    for f, l, c, e in [
        ("Christopher", "Brown", "Benton", "christopher.brown@benton.example"),
        ("Carissa", "Kidman", "Oh My Goodknits", "carissa@goodknits.example"),
        ("James", "Merced", "Kwik Kopy Printing", "james.merced@kwikkopy.example"),
        ("Tresa", "Sweely", "Morlong Associates", "tresa@morlong.example"),
        ("Felix", "Hirpara", "Chapman", "felix@chapman.example"),
        ("Kayleigh", "Lace", "Feltz Printing", "kayleigh@feltz.example"),
    ]
]
_CONTACTS: list[dict[str, Any]] = [
    {"First_Name": f, "Last_Name": l, "Email": e, "Title": t}
    for f, l, e, t in [
        ("Kris", "Marrier", "kris@zylker.example", "CEO"),
        ("Capla", "Paprocki", "capla@acme.example", "CTO"),
        ("Simon", "Morasca", "simon@globex.example", "Buyer"),
        ("Leota", "Dilliard", "leota@initech.example", "Engineer"),
    ]
]
_PRODUCTS: list[dict[str, Any]] = [
    {"Product_Name": n, "Product_Code": c, "Unit_Price": p, "Product_Active": True}
    for n, c, p in [
        ("Laptop Pro 14", "LP-14", 1499.0),
        ("Dock Station", "DS-1", 199.0),
        ("Support Plan", "SUP-Y", 300.0),
        ("Monitor 27", "MN-27", 329.5),
    ]
]
_PRICE_BOOKS: list[dict[str, Any]] = [
    {"Price_Book_Name": "Retail 2026", "Active": True},
    {"Price_Book_Name": "Partner 2026", "Active": True},
]
_CAMPAIGNS: list[dict[str, Any]] = [
    {"Campaign_Name": "Spring Webinar", "Type": "Webinar", "Status": "Active"},
    {"Campaign_Name": "Trade Show Berlin", "Type": "Trade Show", "Status": "Planning"},
]


# List prices of the four products in the two price books.
_RETAIL = (1499.0, 199.0, 300.0, 329.5)
_PARTNER = (1299.0, 169.0, 250.0, 289.0)
# (lead index, Member_Status) of the Spring Webinar's leads.
_WEBINAR_LEADS = ((0, "Invited"), (1, "Sent"), (2, "Received"))


class _DemoLinks:
    """Relates demo records through the same domain function the API uses."""

    def __init__(self, conn: Connection, catalog: Catalog, actor: Actor) -> None:
        self.conn, self.catalog, self.actor = conn, catalog, actor

    def relate(self, module: str, record_id: int, related_list: str, items: list[dict[str, Any]]) -> None:
        parent = self.catalog.module_map[module]
        target = rel.target_for(
            self.catalog, parent, rel.find_related_list(self.catalog, parent, related_list)
        )
        results = rel.relate(self.conn, self.actor, target, record_id, items)
        assert all(r["status"] == "success" for r in results), results


def _admin_actor(conn: Connection, org_id: int) -> Actor:
    user = find_user(conn, org_id, DEFAULT_ADMIN_EMAIL)
    assert user is not None, "the default org has its administrator"
    return Actor(
        org_id=org_id,
        user_id=user.id,
        name=user.name,
        email=user.email,
        profile_name="Administrator",
        permissions=parse_permissions('{"*":["view","create","edit","delete"]}'),
        scopes=parse_scopes(FULL_SCOPE),
    )


def _insert(
    conn: Connection,
    catalog: Catalog,
    ids: IdGenerator,
    actor: Actor,
    module: str,
    items: list[dict[str, Any]],
) -> list[int]:
    results = rec.insert_records(conn, catalog, ids, actor, catalog.module_map[module], items)
    out = []
    for r in results:
        assert r["status"] == "success", r
        out.append(int(r["details"]["id"]))
    return out


def load_demo(conn: Connection, catalog: Catalog, ids: IdGenerator) -> bool:
    """Load the demo data once; returns False when the org already has records."""
    org_id = ensure_default_org(conn, ids)
    if record_store.org_has_records(conn, org_id):
        return False
    actor = _admin_actor(conn, org_id)
    accounts = _insert(conn, catalog, ids, actor, "Accounts", _ACCOUNTS)
    contacts = _insert(
        conn,
        catalog,
        ids,
        actor,
        "Contacts",
        [{**c, "Account_Name": {"id": str(accounts[i % len(accounts)])}} for i, c in enumerate(_CONTACTS)],
    )
    leads = _insert(conn, catalog, ids, actor, "Leads", _LEADS)
    campaigns = _insert(conn, catalog, ids, actor, "Campaigns", _CAMPAIGNS)
    deals = _insert(
        conn,
        catalog,
        ids,
        actor,
        "Deals",
        [
            {
                "Deal_Name": "Zylker laptops",
                "Stage": "Qualification",
                "Amount": 14990.0,
                "Account_Name": {"id": str(accounts[0])},
                "Contact_Name": {"id": str(contacts[0])},
                "Closing_Date": "2026-12-31",
                "Campaign_Source": {"id": str(campaigns[0])},
            },
            {
                "Deal_Name": "Acme docks",
                "Stage": "Negotiation/Review",
                "Amount": 3980.0,
                "Account_Name": {"id": str(accounts[1])},
                "Closing_Date": "2027-01-15",
            },
        ],
    )
    products = _insert(conn, catalog, ids, actor, "Products", _PRODUCTS)
    price_books = _insert(conn, catalog, ids, actor, "Price_Books", _PRICE_BOOKS)
    links = _DemoLinks(conn, catalog, actor)
    retail, partner = price_books
    links.relate(
        "Price_Books",
        retail,
        "Products",
        [{"id": p, "list_price": v} for p, v in zip(products, _RETAIL, strict=True)],
    )
    links.relate(
        "Price_Books",
        partner,
        "Products",
        [{"id": p, "list_price": v} for p, v in zip(products, _PARTNER, strict=True)],
    )
    links.relate(
        "Campaigns", campaigns[0], "Leads", [{"id": leads[i], "Member_Status": s} for i, s in _WEBINAR_LEADS]
    )
    links.relate("Campaigns", campaigns[0], "Contacts", [{"id": contacts[0], "Member_Status": "Responded"}])
    links.relate("Campaigns", campaigns[1], "Leads", [{"id": leads[3], "Member_Status": "Planning"}])
    links.relate("Products", products[0], "Leads", [{"id": leads[0]}, {"id": leads[1]}])
    links.relate("Products", products[0], "Accounts", [{"id": accounts[0]}])
    links.relate("Products", products[1], "Accounts", [{"id": accounts[1]}])
    links.relate("Products", products[0], "Contacts", [{"id": contacts[0]}])
    links.relate("Products", products[0], "Deals", [{"id": deals[0]}])
    links.relate("Products", products[1], "Deals", [{"id": deals[1]}])
    links.relate("Deals", deals[0], "Contact_Roles", [{"id": contacts[0], "Contact_Role": "Decision Maker"}])
    _insert(
        conn,
        catalog,
        ids,
        actor,
        "Notes",
        [
            {
                "Note_Title": "First call",
                "Note_Content": "Interested in 10 laptops.",
                "Parent_Id": {"id": str(leads[0])},
                "$se_module": "Leads",
            },
            {
                "Note_Title": "Follow-up",
                "Note_Content": "Send the partner price book.",
                "Parent_Id": {"id": str(accounts[0])},
                "$se_module": "Accounts",
            },
        ],
    )
    return True


DEMO_CLIENT = "crmlink demo"


# Said once, above the credentials: a terminal's scrollback or a CI log keeps them.
SECRETS_NOTICE = (
    "WARNING: the lines below hold secrets (a client secret, tokens, perhaps a password);"
    " keep this output out of shared logs, or revoke them with `crmlink tokens revoke --user`."
)


def print_credentials(svc: Services, settings: Settings) -> None:
    """Print working credentials for the demo administrator, all stored hashed, shown once:
    the demo client's id and a fresh secret, a refresh token and an access token (full scope),
    and, the first time, a generated sign-in password for the browser flow."""
    base = f"http://{settings.host}:{settings.port}"
    with svc.db.write() as conn:
        org_id = default_org_id(conn)
        assert org_id is not None
        user = find_user(conn, org_id, DEFAULT_ADMIN_EMAIL)
        assert user is not None
        existing = oauth.find_client_by_name(conn, org_id, DEMO_CLIENT)
        if existing is None:
            client_id = oauth.create_client(
                conn, org_id, DEMO_CLIENT, [f"{base}/oauth/v2/demo-callback"]
            ).client_id
        else:
            client_id = existing.client_id
        # The secret is stored hashed only, so each demo start shows a new one (the old one stops).
        secret = oauth.rotate_secret(conn, client_id)
        tokens = oauth.mint_tokens(
            conn,
            org_id=org_id,
            user_id=user.id,
            scope=FULL_SCOPE,
            client_id=client_id,
            access_ttl=settings.access_token_ttl,
        )
        password = None
        if not passwords.has_password(conn, org_id, user.id):
            password = secrets.token_urlsafe(12)
            passwords.set_password(conn, org_id, user.id, password)
    sign_in = f"password {password}" if password else "password unchanged (crmlink users set-password)"
    click.echo(
        "\n".join(
            [
                "crmlink demo credentials (shown once; stored hashed):",
                f"  {SECRETS_NOTICE}",
                f"  user           {user.email} (Administrator); browser sign-in {sign_in}",
                f"  client id      {client_id}",
                f"  client secret  {secret}",
                f"  refresh token  {tokens.refresh_token}",
                f"  access token   {tokens.access_token}   (expires in {tokens.expires_in} s)",
                f"  token URL      {base}/oauth/v2/token",
                f"  try:           curl -H 'Authorization: Zoho-oauthtoken {tokens.access_token}' "
                f"{base}/crm/v2.1/Leads",
                *(
                    [f"  web console:   {base}/  (sign in as {user.email} with the password above)"]
                    if settings.console
                    else []
                ),
                f"  browser flow:  {base}/oauth/v2/auth?scope=ZohoCRM.modules.ALL&client_id={client_id}"
                f"&response_type=code&access_type=offline&redirect_uri={base}/oauth/v2/demo-callback",
                "",
            ]
        )
    )
