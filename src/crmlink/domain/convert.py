"""Converting a lead (``POST /Leads/{id}/actions/convert``, spec §7), in the caller's transaction.

Creates or reuses the Contact (given ``Contacts``, else the first Contact with the lead's Email,
else one named like the lead, else a new one) and, when the lead has a Company or ``Accounts``
is given, the Account (given, else the first Account named like the Company, else a new one);
optionally a Deal (``Deals``). Then the lead's related data moves as decided in
docs/api-coverage.md ("Converting a lead"): notes, attachments, campaign memberships (with
their Member_Status) and product links go to the Contact, each move writing change events;
tags named in ``carry_over_tags`` are copied. The lead is marked converted.
"""

from __future__ import annotations

from typing import Any

from crmlink.domain import change_log
from crmlink.domain import records as rec
from crmlink.domain import tags as tag_rules
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog
from crmlink.domain.clock import now_us
from crmlink.domain.ids import IdGenerator, parse_id
from crmlink.errors import CRMError, IdAlreadyConverted, InvalidData, LimitExceeded, MandatoryNotFound
from crmlink.storage import attachments as attachment_store
from crmlink.storage import convert as store
from crmlink.storage.engine import Conn

LEAD_INVALID = "the id given seems to be invalid"
# Lead field -> Contact field copied into a new Contact.
CONTACT_FIELDS = {
    "Salutation": "Salutation",
    "First_Name": "First_Name",
    "Last_Name": "Last_Name",
    "Email": "Email",
    "Secondary_Email": "Secondary_Email",
    "Phone": "Phone",
    "Mobile": "Mobile",
    "Fax": "Fax",
    "Designation": "Title",
    "Lead_Source": "Lead_Source",
    "Email_Opt_Out": "Email_Opt_Out",
    "Skype_ID": "Skype_ID",
    "Twitter": "Twitter",
    "Street": "Mailing_Street",
    "City": "Mailing_City",
    "State": "Mailing_State",
    "Zip_Code": "Mailing_Zip",
    "Country": "Mailing_Country",
    "Description": "Description",
}
ACCOUNT_FIELDS = {
    "Company": "Account_Name",
    "Phone": "Phone",
    "Fax": "Fax",
    "Website": "Website",
    "Industry": "Industry",
    "Annual_Revenue": "Annual_Revenue",
    "No_of_Employees": "Employees",
    "Rating": "Rating",
    "Street": "Billing_Street",
    "City": "Billing_City",
    "State": "Billing_State",
    "Zip_Code": "Billing_Code",
    "Country": "Billing_Country",
}
# The lead's links and where they go (both relations keep the lead/contact on the right).
MOVED_RELATIONS = (("campaigns_leads", "campaigns_contacts"), ("products_leads", "products_contacts"))


class _ItemError(CRMError):
    """A per-item error of an inner insert, raised for the whole conversion."""

    def __init__(self, item: dict[str, Any], key: str) -> None:
        details = dict(item["details"])
        if "json_path" in details:
            details["json_path"] = str(details["json_path"]).replace("$.data[0]", f"$.data[0].{key}", 1)
        super().__init__(item["message"], details)
        self.code = item["code"]  # type: ignore[misc]


def _ref_id(value: Any, key: str) -> int | None:
    """``Accounts``/``Contacts``/``assign_to``: a string id (v2.1) or ``{"id": …}`` (v5+)."""
    if value is None:
        return None
    raw = value.get("id") if isinstance(value, dict) else value
    found = parse_id(raw)
    if found is None:
        raise InvalidData(
            details={"api_name": key, "json_path": f"$.data[0].{key}", "expected_data_type": "bigint"}
        )
    return found


def _existing(conn: Conn, org_id: int, record_id: int, module: str, key: str) -> int:
    if rec.record_modules(conn, org_id, [record_id]).get(record_id) != module:
        raise InvalidData(details={"api_name": key, "json_path": f"$.data[0].{key}"})
    return record_id


def _insert(
    conn: Conn, catalog: Catalog, ids: IdGenerator, actor: Actor, module: str, item: dict[str, Any], key: str
) -> int:
    (result,) = rec.insert_records(conn, catalog, ids, actor, catalog.module_map[module], [item])
    if result["status"] != "success":
        raise _ItemError(result, key)
    return int(result["details"]["id"])


def convert_lead(
    conn: Conn, catalog: Catalog, ids: IdGenerator, actor: Actor, lead_id: int, item: Any
) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InvalidData(details={"expected_data_type": "jsonobject", "json_path": "$.data[0]"})
    org = actor.org_id
    lead = rec.get_record(conn, catalog, org, catalog.module_map["Leads"], lead_id)
    if lead is None:
        raise InvalidData(LEAD_INVALID, {"resource_path_index": 1})
    if store.is_converted(conn, org, lead_id):
        raise IdAlreadyConverted(details={"resource_path_index": 1})
    owner = _ref_id(item.get("assign_to"), "assign_to")
    owner_ref = {"Owner": {"id": str(owner)}} if owner is not None else {}
    deal_in = item.get("Deals")
    if deal_in is not None and not isinstance(deal_in, dict):
        raise InvalidData(
            details={"api_name": "Deals", "json_path": "$.data[0].Deals", "expected_data_type": "jsonobject"}
        )
    now = now_us()

    # The Account: given, matched by the Company, or new (only when the lead has a Company).
    account_id = _ref_id(item.get("Accounts"), "Accounts")
    company = lead.get("Company")
    if account_id is not None:
        _existing(conn, org, account_id, "Accounts", "Accounts")
        if item.get("overwrite") is True and company:
            rec.update_records(
                conn,
                catalog,
                actor,
                catalog.module_map["Accounts"],
                [{"Account_Name": company}],
                path_id=account_id,
            )
    elif isinstance(company, str) and company.strip():
        account_id = store.find_by_text(conn, org, "Accounts", "Account_Name", company.strip())
        if account_id is None:
            fields = {to: lead[frm] for frm, to in ACCOUNT_FIELDS.items() if lead.get(frm) is not None}
            account_id = _insert(conn, catalog, ids, actor, "Accounts", {**fields, **owner_ref}, "Accounts")

    # The Contact: given, matched by Email, then by name, or new.
    contact_id = _ref_id(item.get("Contacts"), "Contacts")
    if contact_id is not None:
        _existing(conn, org, contact_id, "Contacts", "Contacts")
    else:
        email = lead.get("Email")
        if isinstance(email, str) and email:
            contact_id = store.find_by_text(conn, org, "Contacts", "Email", email)
        if contact_id is None and isinstance(lead.get("Full_Name"), str):
            contact_id = store.find_by_text(conn, org, "Contacts", "Full_Name", lead["Full_Name"])
        if contact_id is None:
            fields = {to: lead[frm] for frm, to in CONTACT_FIELDS.items() if lead.get(frm) is not None}
            if account_id is not None:
                fields["Account_Name"] = {"id": str(account_id)}
            contact_id = _insert(conn, catalog, ids, actor, "Contacts", {**fields, **owner_ref}, "Contacts")

    deal_id: int | None = None
    if deal_in is not None:
        for name in ("Deal_Name", "Closing_Date", "Stage"):
            if deal_in.get(name) in (None, ""):
                raise MandatoryNotFound(details={"api_name": name, "json_path": f"$.data[0].Deals.{name}"})
        links: dict[str, Any] = {"Contact_Name": {"id": str(contact_id)}}
        if account_id is not None:
            links["Account_Name"] = {"id": str(account_id)}
        deal_id = _insert(conn, catalog, ids, actor, "Deals", {**owner_ref, **deal_in, **links}, "Deals")

    # The lead's related data moves to the Contact, with a change event per moved link; the
    # many-to-many links' events go to the change log too (the feed and notifications read it).
    user = actor.user_id
    notes = store.reparent_notes(conn, org, lead_id, contact_id, user, now)
    for note_id in notes:
        store.event(conn, org, "Notes.Parent_Id", "removed", lead_id, note_id, None, user, now)
        store.event(conn, org, "Notes.Parent_Id", "added", contact_id, note_id, None, user, now)
    if notes:  # each note's Parent_Id changed: a record update in the change log
        before = {"Parent_Id": {"id": str(lead_id)}, "$se_module": "Leads"}
        after = {"Parent_Id": {"id": str(contact_id)}, "$se_module": "Contacts"}
        change_log.records_updated(conn, org, user, "Notes", [(n, before, after) for n in notes], now)
    for attachment_id in attachment_store.move_attachments(conn, org, lead_id, contact_id, "Contacts", now):
        for action, parent in (("removed", lead_id), ("added", contact_id)):
            store.event(conn, org, "Attachments.Parent_Id", action, parent, attachment_id, None, user, now)
    moved: list[store.EventTuple] = []
    for from_relation, to_relation in MOVED_RELATIONS:
        moved += store.move_links(conn, org, from_relation, to_relation, lead_id, contact_id, user, now)
    if moved:
        change_log.links_changed(conn, org, moved)
    _carry_over_tags(
        conn, ids, actor, catalog, lead, item.get("carry_over_tags"), contact_id, account_id, deal_id
    )

    store.mark_converted(conn, org, lead_id, contact_id, account_id, deal_id, actor.user_id, now)
    return {
        "Contacts": str(contact_id),
        "Accounts": str(account_id) if account_id is not None else None,
        "Deals": str(deal_id) if deal_id is not None else None,
    }


def _carry_over_tags(
    conn: Conn,
    ids: IdGenerator,
    actor: Actor,
    catalog: Catalog,
    lead: dict[str, Any],
    carry: Any,
    contact_id: int,
    account_id: int | None,
    deal_id: int | None,
) -> None:
    """``carry_over_tags: {"Contacts": [names], "Accounts": [...], "Deals": [...]}``: the lead's
    tags so named are put on the new records (tags of those modules, created where missing)."""
    if carry is None:
        return
    if not isinstance(carry, dict):
        raise InvalidData(details={"api_name": "carry_over_tags", "json_path": "$.data[0].carry_over_tags"})
    lead_tags = {t["name"].lower(): t["name"] for t in lead.get("Tag", [])}
    targets = {"Contacts": contact_id, "Accounts": account_id, "Deals": deal_id}
    for module, target in targets.items():
        names = carry.get(module)
        if target is None or not names:
            continue
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InvalidData(
                details={"api_name": "carry_over_tags", "json_path": f"$.data[0].carry_over_tags.{module}"}
            )
        wanted = [lead_tags[n.lower()] for n in names if n.lower() in lead_tags]
        if wanted:
            result = tag_rules.tag_records(
                conn, ids, actor, catalog.module_map[module], [target], wanted, adding=True
            )
            if result["data"][0]["status"] != "success":
                raise LimitExceeded(tag_rules.RECORD_LIMIT, {"api_name": "carry_over_tags"})
