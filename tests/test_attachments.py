"""Notes on a record and attachments (files and links), on both engines, local blob store.

The S3 backend runs the same flows against moto's server in tests/test_blobs.py.
"""

from __future__ import annotations

import os
from typing import Any

from crmlink.api.context import Services
from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_success, assert_zoho_error

V = "v2.1"


def _url(module: str, rid: str, *rest: str) -> str:
    return "/".join([f"/crm/{V}", module, rid, *rest])


def upload(client: Any, org: TestOrg, module: str, rid: str, content: bytes, name: str = "cv.pdf") -> Any:
    return client.post(_url(module, rid, "Attachments"), files={"file": (name, content)}, headers=org.headers)


def _blob_count(services: Services) -> int:
    return sum(1 for _ in services.blobs.list())


# --- notes on a record ---------------------------------------------------------------------


def test_post_notes_on_a_record_creates_them_and_get_lists_them(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    body = {
        "data": [{"Note_Title": "Call", "Note_Content": "Called about the CV"}, {"Note_Content": "Second"}]
    }
    response = client.post(_url("Leads", lead, "Notes"), json=body, headers=org.headers)
    assert response.status_code == 201, response.text
    items = response.json()["data"]
    for item in items:
        assert_success(item, "record added")
    listed = client.get(_url("Leads", lead, "Notes"), headers=org.headers)
    assert listed.status_code == 200
    notes = listed.json()["data"]
    assert [n["id"] for n in notes] == [i["details"]["id"] for i in items]
    assert notes[0]["Parent_Id"]["id"] == lead and notes[0]["$se_module"] == "Leads"
    assert notes[0]["Note_Content"] == "Called about the CV"


def test_post_notes_on_a_missing_record_stores_nothing(client: Any, org: TestOrg) -> None:
    body = {"data": [{"Note_Content": "orphan"}]}
    response = client.post(_url("Leads", "111111111111111111", "Notes"), json=body, headers=org.headers)
    assert_zoho_error(response, 400, "INVALID_DATA", "the related id given seems to be invalid")
    assert client.get(f"/crm/{V}/Notes", headers=org.headers).status_code == 204


def test_post_to_a_linked_list_is_not_a_method(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    response = client.post(_url("Leads", lead, "Campaigns"), json={"data": [{}]}, headers=org.headers)
    assert_zoho_error(response, 400, "INVALID_REQUEST_METHOD")


# --- attachments ---------------------------------------------------------------------------


def test_upload_list_download_delete(client: Any, org: TestOrg, services: Services) -> None:
    lead = org.create(client, "Leads")[0]
    content = os.urandom(300_000)
    response = upload(client, org, "Leads", lead, content, "Résumé 2026.pdf")
    assert response.status_code == 200, response.text
    item = response.json()["data"][0]
    assert_success(item, "attachment uploaded successfully")
    aid = item["details"]["id"]
    assert set(item["details"]) == {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}

    listed = client.get(_url("Leads", lead, "Attachments"), headers=org.headers)
    assert listed.status_code == 200
    row = listed.json()["data"][0]
    assert row["id"] == aid and row["File_Name"] == "Résumé 2026.pdf" and row["Size"] == str(len(content))
    assert row["Parent_Id"]["id"] == lead and row["$se_module"] == "Leads"
    assert row["$type"] == "File" and row["$link_url"] is None and row["$attachment_type"] == 1
    assert row["Owner"]["id"] == row["Created_By"]["id"]
    assert listed.json()["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}

    got = client.get(_url("Leads", lead, "Attachments", aid), headers=org.headers)
    assert got.status_code == 200
    assert got.content == content
    assert got.headers["content-type"] == "application/x-download"
    assert got.headers["content-length"] == str(len(content))
    assert got.headers["content-disposition"] == "attachment;filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf"

    deleted = client.delete(_url("Leads", lead, "Attachments", aid), headers=org.headers)
    assert deleted.status_code == 200
    assert deleted.json() == {
        "data": [
            {"code": "SUCCESS", "details": {"id": aid}, "message": "record deleted", "status": "success"}
        ]
    }
    assert client.get(_url("Leads", lead, "Attachments"), headers=org.headers).status_code == 204
    gone = client.get(_url("Leads", lead, "Attachments", aid), headers=org.headers)
    assert_zoho_error(gone, 400, "INVALID_DATA")


def test_plain_ascii_name_uses_the_quoted_form(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    aid = upload(client, org, "Leads", lead, b"hello", "notes.txt").json()["data"][0]["details"]["id"]
    got = client.get(_url("Leads", lead, "Attachments", aid), headers=org.headers)
    assert got.headers["content-disposition"] == 'attachment;filename="notes.txt"'
    assert got.headers["content-type"] == "application/x-download"  # not text/plain: the SDK's parser


def test_link_attachment_by_query_or_form_is_stored_not_fetched(client: Any, org: TestOrg) -> None:
    contact = org.create(client, "Contacts")[0]
    url = "http://127.0.0.1:9/never-fetched.pdf"  # port 9 (discard): fetching would fail
    response = client.post(
        _url("Contacts", contact, "Attachments"), params={"attachmentUrl": url}, headers=org.headers
    )
    assert response.status_code == 200, response.text
    aid = response.json()["data"][0]["details"]["id"]
    again = client.post(
        _url("Contacts", contact, "Attachments"), files={"attachmentUrl": (None, url)}, headers=org.headers
    )
    assert_zoho_error(again, 400, "DUPLICATE_DATA", "Attachment link already exists")
    other = client.post(
        _url("Contacts", contact, "Attachments"),
        files={"attachmentUrl": (None, "https://example.com/b")},
        headers=org.headers,
    )
    assert other.status_code == 200, other.text
    rows = client.get(_url("Contacts", contact, "Attachments"), headers=org.headers).json()["data"]
    assert [r["$link_url"] for r in rows] == [url, "https://example.com/b"]
    assert rows[0]["$type"] == "Link URL" and rows[0]["Size"] == "0"
    download = client.get(_url("Contacts", contact, "Attachments", aid), headers=org.headers)
    assert_zoho_error(download, 400, "INVALID_DATA", "As it is a linked attachment, you can not download it")


def test_delete_many_answers_each_id_in_order(client: Any, org: TestOrg, services: Services) -> None:
    lead = org.create(client, "Leads")[0]
    ids = [
        upload(client, org, "Leads", lead, b"x" * (i + 1)).json()["data"][0]["details"]["id"]
        for i in range(3)
    ]
    before = _blob_count(services)
    response = client.delete(
        _url("Leads", lead, "Attachments"),
        params={"ids": f"{ids[2]},111111111111111111,{ids[0]}"},
        headers=org.headers,
    )
    assert response.status_code == 207
    items = response.json()["data"]
    assert_success(items[0], "record deleted")
    assert_item_error(items[1], "INVALID_DATA", "record not deleted")
    assert_success(items[2], "record deleted")
    assert _blob_count(services) == before - 2
    rows = client.get(_url("Leads", lead, "Attachments"), headers=org.headers).json()["data"]
    assert [r["id"] for r in rows] == [ids[1]]
    missing = client.delete(_url("Leads", lead, "Attachments"), headers=org.headers)
    assert_zoho_error(missing, 400, "REQUIRED_PARAM_MISSING")


def test_attachments_of_another_record_or_org_are_not_reachable(client: Any, orgs: Any) -> None:
    a, b = orgs.create(), orgs.create()
    lead_a, other_a = a.create(client, "Leads", 2)
    aid = upload(client, a, "Leads", lead_a, b"secret").json()["data"][0]["details"]["id"]
    assert_zoho_error(
        client.get(_url("Leads", other_a, "Attachments", aid), headers=a.headers), 400, "INVALID_DATA"
    )
    assert_zoho_error(
        client.get(_url("Leads", lead_a, "Attachments", aid), headers=b.headers), 400, "INVALID_DATA"
    )
    assert_zoho_error(
        client.get(_url("Leads", lead_a, "Attachments"), headers=b.headers), 400, "INVALID_DATA"
    )


def test_deleting_the_record_removes_its_attachments(client: Any, org: TestOrg, services: Services) -> None:
    lead = org.create(client, "Leads")[0]
    upload(client, org, "Leads", lead, b"gone with the lead")
    assert client.delete(f"/crm/{V}/Leads/{lead}", headers=org.headers).status_code == 200
    with services.db.read() as conn:
        from crmlink.storage.attachments import list_attachments

        assert list_attachments(conn, org.org_id, int(lead)) == []


def test_related_lists_metadata_gives_attachments_a_working_href(client: Any, org: TestOrg) -> None:
    response = client.get(f"/crm/{V}/settings/related_lists", params={"module": "Leads"}, headers=org.headers)
    entry = next(rl for rl in response.json()["related_lists"] if rl["api_name"] == "Attachments")
    assert entry["href"] == "Leads/{ENTITYID}/Attachments"
    lead = org.create(client, "Leads")[0]
    upload(client, org, "Leads", lead, b"abc")
    href = entry["href"].replace("{ENTITYID}", lead)
    assert client.get(f"/crm/{V}/{href}", headers=org.headers).json()["data"][0]["File_Name"] == "cv.pdf"


def test_upload_needs_create_permission_on_the_parent(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    token = org.token_for(scope="ZohoCRM.modules.leads.READ")
    response = client.post(
        _url("Leads", lead, "Attachments"),
        files={"file": ("a.txt", b"a")},
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
    )
    assert_zoho_error(response, 401, "OAUTH_SCOPE_MISMATCH")
