"""``crmlink schema import / export / capture`` on both engines: a captured folder imported,
a capture from one running server imported into another with equal metadata answers, archives,
the hand-written form, and an import refused because it would lose stored values."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from crmlink.app import create_app, open_services
from crmlink.cli import main
from crmlink.config import Settings
from crmlink.domain.schema_io import read_tree
from tests.factories import OrgFactory, TestOrg
from tests.servers import crmlink_server

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "schema"
CAPTURED = EXAMPLES / "captured"


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def _new_org(url: str) -> TestOrg:
    svc = open_services(Settings(database_url=url))
    try:
        return OrgFactory(svc).create()
    finally:
        svc.db.dispose()


def _without_profiles(files: dict[str, bytes]) -> dict[str, Any]:
    """The folder's JSON, profiles (per-org ids) left out of modules.json."""
    out: dict[str, Any] = {}
    for name, raw in files.items():
        doc = json.loads(raw)
        if name == "modules.json":
            for m in doc["modules"]:
                m.pop("profiles", None)
        out[name] = doc
    return out


def _export(url: str, org: TestOrg, path: Path) -> dict[str, Any]:
    result = _cli("schema", "export", str(path), "--database-url", url, "--org", str(org.org_id))
    assert result.exit_code == 0, result.output
    return _without_profiles(read_tree(path))


def test_import_captured_folder_then_records_and_related(live_database_url: str, tmp_path: Path) -> None:
    url = live_database_url
    org = _new_org(url)
    result = _cli(
        "schema", "import", str(CAPTURED), "--database-url", url, "--org", str(org.org_id), "--json"
    )
    assert result.exit_code == 0, result.output
    said = json.loads(result.output)
    assert said["version"] == 1 and "added module ContactsXSkills (linking)" in said["changes"]
    assert sum(c.startswith("added field Leads.") for c in said["changes"]) == 22
    # The metadata answers are the folder's own.
    assert _export(url, org, tmp_path / "again") == _without_profiles(read_tree(CAPTURED))
    # The seed's related-records calls, on the custom linking module's list.
    svc = open_services(Settings(database_url=url))
    try:
        with TestClient(create_app(svc.settings, svc)) as client:
            h = org.headers
            contact = client.post("/crm/v2.1/Contacts", json={"data": [{"Last_Name": "A"}]}, headers=h)
            cid = contact.json()["data"][0]["details"]["id"]
            skills = client.post(
                "/crm/v2.1/Skills", json={"data": [{"Name": "Go"}, {"Name": "Rust"}]}, headers=h
            )
            go, rust = (i["details"]["id"] for i in skills.json()["data"])
            bulk = client.put(f"/crm/v2.1/Contacts/{cid}/Skills", json={"data": [{"id": go}]}, headers=h)
            assert bulk.json()["data"][0]["message"] == "relation added"
            single = client.put(f"/crm/v2.1/Contacts/{cid}/Skills/{rust}", json={"data": [{}]}, headers=h)
            assert single.json()["data"][0]["message"] == "relation added", single.text
            listed = client.get(f"/crm/v2.1/Contacts/{cid}/Skills", headers=h).json()["data"]
            assert {r["id"] for r in listed} == {go, rust}
            gone = client.delete(f"/crm/v2.1/Contacts/{cid}/Skills/{go}", headers=h)
            assert gone.json()["data"][0]["message"] == "relation removed"
            reverse = client.get(f"/crm/v2.1/Skills/{rust}/ContactsXSkills", headers=h).json()["data"]
            assert [r["id"] for r in reverse] == [cid]
    finally:
        svc.db.dispose()


def test_capture_from_a_server_import_into_another(live_database_url: str, tmp_path: Path) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    source = _new_org(source_url)
    hand = str(EXAMPLES / "hand-written.json")
    assert (
        _cli("schema", "import", hand, "--database-url", source_url, "--org", str(source.org_id)).exit_code
        == 0
    )
    with crmlink_server(tmp_path, database_url=source_url) as server:
        result = _cli(
            "schema",
            "capture",
            str(tmp_path / "cap"),
            "--api-domain",
            server.base_url,
            "--token",
            source.token,
        )
        assert result.exit_code == 0, result.output
    captured = read_tree(tmp_path / "cap")
    assert "fields/Vehicles.json" in captured and "related_lists/Contacts.json" in captured
    target = _new_org(live_database_url)
    imported = _cli(
        "schema",
        "import",
        str(tmp_path / "cap"),
        "--database-url",
        live_database_url,
        "--org",
        str(target.org_id),
    )
    assert imported.exit_code == 0, imported.output
    assert _export(live_database_url, target, tmp_path / "out") == _without_profiles(captured)


def test_archives_and_the_hand_written_form(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    first, second, third = _new_org(url), _new_org(url), _new_org(url)
    base = ["--database-url", url]
    assert _cli("schema", "import", str(CAPTURED), *base, "--org", str(first.org_id)).exit_code == 0
    archive = tmp_path / "schema.tar.gz"
    assert _cli("schema", "export", str(archive), *base, "--org", str(first.org_id)).exit_code == 0
    assert tarfile.is_tarfile(archive)
    assert _cli("schema", "import", str(archive), *base, "--org", str(second.org_id)).exit_code == 0
    hand = tmp_path / "hand.json"
    assert (
        _cli("schema", "export", str(hand), "--hand-written", *base, "--org", str(first.org_id)).exit_code
        == 0
    )
    assert msgspec.json.decode(hand.read_bytes())["modules"][0]["api_name"] == "Vehicles"
    assert _cli("schema", "import", str(hand), *base, "--org", str(third.org_id)).exit_code == 0
    zipped = tmp_path / "x.zip"
    expected = _export(url, first, tmp_path / "first")
    assert _export(url, second, tmp_path / "second") == expected
    assert _export(url, third, zipped) == expected
    again = _cli("schema", "import", str(zipped), *base, "--org", str(third.org_id))
    assert again.exit_code == 0 and "no change" in again.output


def test_import_refuses_to_lose_values(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    org = _new_org(url)
    base = ["--database-url", url, "--org", str(org.org_id)]
    assert _cli("schema", "import", str(CAPTURED), *base).exit_code == 0
    svc = open_services(Settings(database_url=url))
    try:
        with TestClient(create_app(svc.settings, svc)) as client:
            made = client.post(
                "/crm/v2.1/Leads",
                json={"data": [{"Last_Name": "V", "Partner_Code": "LONG-CODE-1"}]},
                headers=org.headers,
            )
            assert made.status_code == 201
    finally:
        svc.db.dispose()
    doc = json.loads((EXAMPLES / "hand-written.json").read_text())
    for f in doc["fields"]["Leads"]:
        if f["api_name"] == "Partner_Code":
            f["length"] = 5
    narrowed = tmp_path / "narrow.json"
    narrowed.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["schema", "import", str(narrowed), *base])
    assert result.exit_code != 0
    assert "refused: Leads.Partner_Code text(20) -> text(5) would lose 1 stored value(s)" in result.output
    assert "nothing changed" in result.output
    dry = _cli("schema", "import", str(EXAMPLES / "hand-written.json"), *base, "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing changed" in dry.output


@pytest.mark.parametrize("bad", ["nope.txt", "empty-dir"])
def test_import_of_a_bad_path(tmp_path: Path, bad: str) -> None:
    path = tmp_path / bad
    if bad == "empty-dir":
        path.mkdir()
    else:
        path.write_text("x")
    result = CliRunner().invoke(
        main, ["schema", "import", str(path), "--database-url", f"sqlite:///{tmp_path / 'b.db'}"]
    )
    assert result.exit_code != 0 and "Error:" in result.output
