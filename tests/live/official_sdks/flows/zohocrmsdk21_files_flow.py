"""Attachments, photo, tags and lead conversion with Zoho's ``zohocrmsdk2-1==3.0.0``, unmodified.

Run with the SDK venv's python (see ``_flowkit``); prints one JSON document that
``test_official_sdk_files.py`` asserts on.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

from _flowkit import Flow, _plain, _value, config_from_env, describe_item
from zcrmsdk.src.com.zoho.crm.api import ParameterMap
from zcrmsdk.src.com.zoho.crm.api.attachments import (
    AttachmentsOperations,
    UploadLinkAttachmentParam,
)
from zcrmsdk.src.com.zoho.crm.api.attachments import FileBodyWrapper as AttachmentFile
from zcrmsdk.src.com.zoho.crm.api.record import ConvertBodyWrapper, LeadConverter, Record, RecordOperations
from zcrmsdk.src.com.zoho.crm.api.record import FileBodyWrapper as PhotoFile
from zcrmsdk.src.com.zoho.crm.api.tags import (
    AddTagsToRecordParam,
    CreateTagsParam,
    GetTagsParam,
    Tag,
    TagsOperations,
)
from zcrmsdk.src.com.zoho.crm.api.tags import BodyWrapper as TagsBody
from zcrmsdk.src.com.zoho.crm.api.util import Choice, StreamWrapper
from zohocrmsdk21_flow import create, initialize

# A 1x1 PNG (the photo), made here so the flow needs no image library.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f6d3b30000000049454e44ae426082"
)


def record_call(flow: Flow, name: str, response: Any) -> dict[str, Any]:
    """Like ``Flow.call`` but also for wrappers ``describe`` does not know (tags, convert, files)."""
    described = flow.call(name, response)
    obj = response.get_object() if response is not None else None
    if obj is None:
        return described
    for getter in ("get_tags", "get_data"):
        if hasattr(obj, getter) and not described.get("items") and "records" not in described:
            found = getattr(obj, getter)() or []
            items = [
                describe_item(i)
                if hasattr(i, "get_code")
                else {"class": type(i).__name__, "value": _plain(i)}
                for i in found
            ]
            described["items"] = items
    if hasattr(obj, "get_code") and "error" not in described:
        described["result"] = describe_item(obj)
    return described


def attachments(flow: Flow, lead: int) -> None:
    content = os.urandom(200_000) + b"crmlink"
    path = Path(flow.config.workdir) / "cv 2026.pdf"
    path.write_bytes(content)
    flow.facts["uploaded_sha256"] = hashlib.sha256(content).hexdigest()
    ops = AttachmentsOperations("Leads", lead)
    body = AttachmentFile()
    body.set_file(StreamWrapper(file_path=str(path)))
    uploaded = record_call(flow, "upload attachment", ops.upload_attachment(body))
    attachment = int(uploaded["items"][0]["details"]["id"])
    params = ParameterMap()
    params.add(UploadLinkAttachmentParam.attachmenturl, "https://example.com/portfolio")
    record_call(flow, "upload link attachment", ops.upload_link_attachment(params))
    listed = ops.get_attachments()
    flow.call("list attachments", listed)
    rows = listed.get_object().get_data()
    flow.facts["attachments"] = [
        {"id": a.get_id(), "File_Name": a.get_file_name(), "Size": a.get_size(), "link": a.get_link_url()}
        for a in rows
    ]
    downloaded = ops.download_attachment(attachment)
    flow.call("download attachment", downloaded)
    stream = downloaded.get_object().get_file()
    data = stream.get_stream().content
    flow.facts["downloaded"] = {
        "name": stream.get_name(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    link_id = int(next(a.get_id() for a in rows if a.get_link_url()))
    record_call(flow, "delete attachment", ops.delete_attachment(link_id))
    flow.ids["attachment"] = attachment


def photo(flow: Flow, lead: int) -> None:
    path = Path(flow.config.workdir) / "me.png"
    path.write_bytes(PNG)
    body = PhotoFile()
    body.set_file(StreamWrapper(file_path=str(path)))
    record_call(flow, "upload photo", RecordOperations().upload_photo(lead, "Leads", body))
    got = RecordOperations().get_photo(lead, "Leads")
    flow.call("get photo", got)
    data = got.get_object().get_file().get_stream().content
    flow.facts["photo_equal"] = data == PNG
    record_call(flow, "delete photo", RecordOperations().delete_photo(lead, "Leads"))


def tags(flow: Flow, lead: int) -> None:
    ops = TagsOperations()
    tag = Tag()
    tag.set_name("webinar-2026")
    tag.set_color_code("#F48435")
    body = TagsBody()
    body.set_tags([tag])
    params = ParameterMap()
    params.add(CreateTagsParam.module, "Leads")
    record_call(flow, "create tag", ops.create_tags(body, params))
    params = ParameterMap()
    params.add(AddTagsToRecordParam.tag_names, "webinar-2026,cv")
    added = record_call(flow, "add tags to record", ops.add_tags_to_record(lead, "Leads", params))
    flow.facts["tags_after_add"] = added
    params = ParameterMap()
    params.add(GetTagsParam.module, "Leads")
    listed = ops.get_tags(params)
    obj = listed.get_object()  # tags' Info has count/allowed_count, not a page: described here
    info = obj.get_info()
    flow.calls.append(
        {
            "name": "list tags",
            "status": listed.get_status_code(),
            "object": type(obj).__name__,
            "info": {"count": info.get_count(), "allowed_count": info.get_allowed_count()},
        }
    )
    flow.facts["tag_names"] = sorted(t.get_name() for t in obj.get_tags())
    lead_record = RecordOperations().get_record(lead, "Leads")
    flow.call("get tagged lead", lead_record)


def convert(flow: Flow, lead: int) -> None:
    converter = LeadConverter()
    converter.set_overwrite(True)
    deal = Record()
    deal.add_key_value("Deal_Name", "SDK 2.1 deal")
    deal.add_key_value("Closing_Date", date(2026, 12, 31))
    deal.add_key_value("Stage", Choice("Qualification"))
    converter.set_deals(deal)
    body = ConvertBodyWrapper()
    body.set_data([converter])
    response = RecordOperations().convert_lead(lead, body)
    flow.call("convert lead", response)
    obj = response.get_object()
    done = obj.get_data()[0]
    flow.facts["converted"] = {
        "class": type(done).__name__,
        "Contacts": done.get_contacts(),
        "Accounts": done.get_accounts(),
        "Deals": done.get_deals(),
    }
    contact = int(done.get_contacts())
    listed = AttachmentsOperations("Contacts", contact).get_attachments()
    flow.call("list contact attachments", listed)
    flow.facts["contact_attachments"] = [a.get_id() for a in listed.get_object().get_data()]
    again = RecordOperations().convert_lead(lead, body)
    described = flow.call("convert again", again)
    flow.facts["convert_again"] = described.get("error") or _value(None)


def main(flow: Flow) -> None:
    initialize(flow)
    lead = create(
        flow,
        "Leads",
        "create Lead",
        [{"Last_Name": "Files", "Company": "Zylker Files", "Email": "files@zylker.test"}],
    )[0]
    flow.ids["lead"] = lead
    attachments(flow, lead)
    photo(flow, lead)
    tags(flow, lead)
    convert(flow, lead)


if __name__ == "__main__":
    Flow(config_from_env()).run(main)
