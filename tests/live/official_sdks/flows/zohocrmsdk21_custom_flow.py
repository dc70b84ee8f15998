"""Zoho's ``zohocrmsdk2-1==3.0.0``, unmodified, on an org whose schema was imported from
``examples/schema/captured``: a Lead with every custom field (typed by the SDK from the
org's field metadata), read back; Skills (a custom module) related to a Contact through the
``Skills`` multi-select lookup's related list, listed and delinked; a Contact created with Skills
in its body (the field's linking rows) and read back; the linking module's records listed; a
Vehicle and a Skill with every custom field of the custom modules, read back.

Run with the SDK venv's python; prints one JSON document (``test_custom_schema_sdk.py``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from _flowkit import Flow, config_from_env
from zcrmsdk.src.com.zoho.crm.api import ParameterMap
from zcrmsdk.src.com.zoho.crm.api.record import BodyWrapper as RecordBody
from zcrmsdk.src.com.zoho.crm.api.record import FileDetails, ImageUpload, Record, RecordOperations
from zcrmsdk.src.com.zoho.crm.api.related_records import BodyWrapper as RelatedBody
from zcrmsdk.src.com.zoho.crm.api.related_records import DelinkRecordsParam, RelatedRecordsOperations
from zcrmsdk.src.com.zoho.crm.api.users import User
from zcrmsdk.src.com.zoho.crm.api.util import Choice
from zohocrmsdk21_flow import create, initialize


def lead_values(account: int, user: int) -> dict[str, object]:
    account_ref = Record()
    account_ref.set_id(account)
    manager = User()
    manager.set_id(user)
    files = []
    for name in ("f1", "f2"):
        f = FileDetails()
        f.set_file_id(name)
        files.append(f)
    badge = ImageUpload()
    badge.set_file_id("img1")
    badge.set_encrypted_id("enc1")
    return {
        "Region": Choice("EMEA"),
        "Lead_Score_Custom": 42,
        "Partner_Tier": Choice("Gold"),
        "Preferred_Account": account_ref,
        "Big_Number": 9007199254740993,
        "Discount_Rate": 12.5,
        "Contract_Value": 1999.99,
        "Weight": 1.125,
        "Is_Partner": True,
        "Renewal_Date": date(2027, 1, 31),
        "Last_Demo": datetime(2026, 11, 30, 10, 15, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        "Interests": [Choice("CRM"), Choice("Analytics")],
        "Long_Notes": "x" * 5000,
        "Partner_Email": "partner@example.com",
        "Partner_Phone": "+1 555 0100",
        "Partner_Site": "https://partner.example.com",
        "Account_Manager": manager,
        "Contract_Files": files,
        "Badge": [badge],
        "Partner_Code": "P-001",
    }


def main(flow: Flow) -> None:
    initialize(flow)
    account = create(flow, "Accounts", "create Account", [{"Account_Name": "Zylker"}])[0]
    # The Account's owner is the signed-in user: the Lead's user lookup names them.
    owner = flow.call("get Account", RecordOperations().get_record(account, "Accounts"))
    user = int(owner["records"][0]["Owner"]["id"])
    body = RecordBody()
    record = Record()
    record.add_key_value("Last_Name", "Custom")
    for key, value in lead_values(account, user).items():
        record.add_key_value(key, value)
    body.set_data([record])
    created = flow.call(
        "create Lead with every custom field", RecordOperations().create_records("Leads", body)
    )
    items = created.get("items") or [{}]
    if not (items[0].get("details") or {}).get("id"):
        raise RuntimeError(f"create Lead failed: {created}")
    lead = int(items[0]["details"]["id"])
    flow.ids.update(account=account, user=user, lead=lead)
    flow.call("get Lead", RecordOperations().get_record(lead, "Leads"))

    contact = create(flow, "Contacts", "create Contact", [{"Last_Name": "Skilled"}])[0]
    skills = create(flow, "Skills", "create Skills", [{"Name": "Python"}, {"Name": "SQL"}, {"Name": "Go"}])
    flow.ids.update(contact=contact, skills=skills)
    ops = RelatedRecordsOperations("Skills", "Contacts")
    related = RelatedBody()
    refs = []
    for skill in skills:
        ref = Record()
        ref.set_id(skill)
        refs.append(ref)
    related.set_data(refs)
    flow.call("relate Skills (bulk)", ops.update_related_records(contact, related))
    flow.call("list Skills of Contact", ops.get_related_records(contact))
    flow.call("delink one Skill", ops.delink_record(skills[0], contact))
    params = ParameterMap()
    params.add(DelinkRecordsParam.ids, f"{skills[1]}")
    flow.call("delink another Skill (bulk form)", ops.delink_records(contact, params))
    flow.call("list after delink", ops.get_related_records(contact))

    # The multi-select lookup in a record body: the SDK types the field as rows of the linking
    # module (ContactsXSkills), each naming a Skill.
    rows = []
    for skill in skills[:2]:
        ref = Record()
        ref.set_id(skill)
        row = Record()
        row.add_key_value("Skills", ref)
        rows.append(row)
    body = RecordBody()
    skilled = Record()
    skilled.add_key_value("Last_Name", "Skilled in body")
    skilled.add_key_value("Skills", rows)
    body.set_data([skilled])
    made = flow.call(
        "create Contact with Skills in the body", RecordOperations().create_records("Contacts", body)
    )
    second = int(((made.get("items") or [{}])[0].get("details") or {}).get("id") or 0)
    flow.ids.update(second_contact=second)
    flow.call("get Contact with Skills", RecordOperations().get_record(second, "Contacts"))
    flow.call("list Skills of the second Contact", ops.get_related_records(second))
    flow.call("list linking records", RecordOperations().get_records("ContactsXSkills"))

    # Every custom field of the custom modules.
    driver = Record()
    driver.set_id(contact)
    vehicle = create(
        flow,
        "Vehicles",
        "create Vehicle with every custom field",
        [
            {
                "Name": "Truck",
                "Plate": "KA-01-1234",
                "Model_Year": 2024,
                "Fuel": Choice("Diesel"),
                "Driver": driver,
            }
        ],
    )[0]
    flow.ids.update(vehicle=vehicle)
    flow.call("get Vehicle", RecordOperations().get_record(vehicle, "Vehicles"))
    level = create(
        flow, "Skills", "create Skill with its level", [{"Name": "Rust", "Skill_Level": Choice("Expert")}]
    )
    flow.ids.update(level_skill=level[0])
    flow.call("get Skill", RecordOperations().get_record(level[0], "Skills"))


if __name__ == "__main__":
    Flow(config_from_env()).run(main)
