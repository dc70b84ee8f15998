"""Record photos: upload, download, delete; checked by content (magic bytes), not file name."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from crmlink.api.context import Services
from tests.factories import TestOrg
from tests.helpers import JSON_TYPE, assert_zoho_error

V = "v2.1"


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def _url(module: str, rid: str) -> str:
    return f"/crm/{V}/{module}/{rid}/photo"


def post_photo(client: Any, org: TestOrg, module: str, rid: str, content: bytes, name: str = "me.png") -> Any:
    return client.post(_url(module, rid), files={"file": (name, content)}, headers=org.headers)


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("BMP", "image/bmp")],
)
def test_upload_then_download_each_format(client: Any, org: TestOrg, fmt: str, media_type: str) -> None:
    lead = org.create(client, "Leads")[0]
    content = image_bytes(fmt)
    # The name says .txt: the type comes from the bytes.
    response = post_photo(client, org, "Leads", lead, content, "portrait.txt")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "code": "SUCCESS",
        "details": {},
        "message": "photo uploaded successfully",
        "status": "success",
    }
    got = client.get(_url("Leads", lead), headers=org.headers)
    assert got.status_code == 200 and got.content == content
    assert got.headers["content-type"] == media_type
    assert got.headers["content-disposition"] == 'attachment;filename="portrait.txt"'


def test_replace_and_delete(client: Any, org: TestOrg, services: Services) -> None:
    contact = org.create(client, "Contacts")[0]
    before = sum(1 for _ in services.blobs.list())
    assert post_photo(client, org, "Contacts", contact, image_bytes("PNG")).status_code == 200
    second = image_bytes("GIF", (10, 10))
    assert post_photo(client, org, "Contacts", contact, second).status_code == 200
    assert client.get(_url("Contacts", contact), headers=org.headers).content == second
    assert sum(1 for _ in services.blobs.list()) == before + 1  # the replaced photo's blob went
    gone = client.delete(_url("Contacts", contact), headers=org.headers)
    assert gone.status_code == 200
    assert gone.json() == {"code": "SUCCESS", "details": {}, "message": "Photo deleted", "status": "success"}
    empty = client.get(_url("Contacts", contact), headers=org.headers)
    assert empty.status_code == 204 and empty.headers["content-type"] == JSON_TYPE
    assert sum(1 for _ in services.blobs.list()) == before


@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param(b"", "empty.png", id="zero-bytes"),
        pytest.param(b"not an image at all", "fake.png", id="text-named-png"),
        pytest.param(b"\x89PNG\r\n\x1a\n", "truncated.png", id="truncated-png"),
        pytest.param(b"%PDF-1.4 ...", "doc.jpg", id="pdf-named-jpg"),
    ],
)
def test_what_is_not_an_image_is_refused_and_nothing_stored(
    client: Any, org: TestOrg, services: Services, content: bytes, name: str
) -> None:
    lead = org.create(client, "Leads")[0]
    before = sum(1 for _ in services.blobs.list())
    response = post_photo(client, org, "Leads", lead, content, name)
    assert_zoho_error(response, 400, "INVALID_DATA", "The image format is invalid.")
    assert client.get(_url("Leads", lead), headers=org.headers).status_code == 204
    assert sum(1 for _ in services.blobs.list()) == before


def test_over_ten_megapixels_is_refused(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    big = image_bytes("PNG", (4000, 2600))  # 10.4 megapixels, a small file
    response = post_photo(client, org, "Leads", lead, big)
    assert_zoho_error(response, 415, "FILE_SIZE_MORE_THAN_ALLOWED_SIZE")


def test_over_ten_megabytes_is_refused(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    huge = image_bytes("BMP", (10, 10)) + b"\0" * (10 * 1024 * 1024 + 100_000)
    assert_zoho_error(post_photo(client, org, "Leads", lead, huge), 415, "FILE_SIZE_MORE_THAN_ALLOWED_SIZE")


def test_modules_without_photos_and_missing_records(client: Any, org: TestOrg) -> None:
    campaign = org.create(client, "Campaigns")[0]
    response = post_photo(client, org, "Campaigns", campaign, image_bytes("PNG"))
    assert_zoho_error(response, 400, "INVALID_MODULE")
    deal = org.create(client, "Deals")[0]
    assert post_photo(client, org, "Deals", deal, image_bytes("PNG")).status_code == 200  # upload only
    assert_zoho_error(client.get(_url("Deals", deal), headers=org.headers), 400, "INVALID_MODULE")
    missing = post_photo(client, org, "Leads", "111111111111111111", image_bytes("PNG"))
    assert_zoho_error(missing, 400, "INVALID_DATA", "the related id given seems to be invalid")
    missing_del = client.delete(_url("Leads", "111111111111111111"), headers=org.headers)
    assert_zoho_error(missing_del, 400, "INVALID_DATA", "the id given seems to be invalid")
    no_file = client.post(
        _url("Leads", org.create(client, "Leads")[0]), files={"other": ("a", b"a")}, headers=org.headers
    )
    assert_zoho_error(no_file, 400, "REQUIRED_PARAM_MISSING")


def test_deleting_the_record_removes_its_photo(client: Any, org: TestOrg, services: Services) -> None:
    lead = org.create(client, "Leads")[0]
    post_photo(client, org, "Leads", lead, image_bytes("PNG"))
    assert client.delete(f"/crm/{V}/Leads/{lead}", headers=org.headers).status_code == 200
    with services.db.read() as conn:
        from crmlink.storage.attachments import get_photo

        assert get_photo(conn, org.org_id, int(lead)) is None
