"""Real answers conform to the served description: every module's records, every related list
with real links, metadata and errors, each validated against its operation (both engines).

schemathesis (tests/test_fuzz.py) mostly sees ids that name nothing; this walks the paths
where real data comes back.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from crmlink.domain.catalog import ListKind
from crmlink.domain.catalog_data import CATALOG
from tests.factories import TestOrg, record_fields

V = "v2.1"


@pytest.fixture(scope="module")
def described(client: Any) -> Any:
    return schemathesis.openapi.from_dict(client.get("/openapi.json").json())


def check(described: Any, template: str, method: str, response: Any) -> Any:
    """The status is one the operation lists, and the body and headers are as described."""
    operation = described[template][method]
    documented = described.raw_schema["paths"][template][method.lower()]["responses"]
    assert str(response.status_code) in documented, (method, template, response.status_code, response.text)
    operation.validate_response(response)
    return response


def test_records_of_every_module(client: Any, org: TestOrg, described: Any) -> None:
    for module in CATALOG.modules:
        m = module.api_name
        path = f"/crm/{{version}}/{m}"
        refs = org.order_refs(client, m)
        created = client.post(
            f"/crm/{V}/{m}",
            json={"data": [record_fields(m, i, **refs) for i in range(2)]},
            headers=org.headers,
        )
        ids = [item["details"]["id"] for item in check(described, path, "POST", created).json()["data"]]
        check(described, path, "GET", client.get(f"/crm/{V}/{m}", headers=org.headers))
        fields = client.get(f"/crm/{V}/{m}", params={"fields": module.display_field}, headers=org.headers)
        check(described, path, "GET", fields)
        one = path + "/{record_id}"
        check(described, one, "GET", client.get(f"/crm/{V}/{m}/{ids[0]}", headers=org.headers))
        check(
            described,
            one,
            "PUT",
            client.put(f"/crm/{V}/{m}/{ids[0]}", json={"data": [{}]}, headers=org.headers),
        )
        mixed = client.put(f"/crm/{V}/{m}", json={"data": [{"id": ids[0]}, {"id": "1"}]}, headers=org.headers)
        assert check(described, path, "PUT", mixed).status_code == 207
        check(
            described,
            path,
            "DELETE",
            client.delete(f"/crm/{V}/{m}", params={"ids": ids[1]}, headers=org.headers),
        )
        check(described, one, "DELETE", client.delete(f"/crm/{V}/{m}/{ids[0]}", headers=org.headers))
        check(described, one, "GET", client.get(f"/crm/{V}/{m}/{ids[0]}", headers=org.headers))  # 204
        since = {"If-Modified-Since": "2999-01-01T00:00:00+00:00", **org.headers}
        check(described, path, "GET", client.get(f"/crm/{V}/{m}", headers=since))  # 304


def test_metadata_and_errors(client: Any, org: TestOrg, described: Any) -> None:
    check(
        described,
        "/crm/{version}/settings/modules",
        "GET",
        client.get(f"/crm/{V}/settings/modules", headers=org.headers),
    )
    check(
        described,
        "/crm/{version}/settings/modules/{api_name}",
        "GET",
        client.get(f"/crm/{V}/settings/modules/Leads", headers=org.headers),
    )
    for area in ("fields", "related_lists"):
        for module in CATALOG.modules:
            response = client.get(
                f"/crm/{V}/settings/{area}", params={"module": module.api_name}, headers=org.headers
            )
            check(described, f"/crm/{{version}}/settings/{area}", "GET", response)
    errors = [
        ("GET", "/crm/{version}/Leads", client.get(f"/crm/{V}/Leads")),
        (
            "GET",
            "/crm/{version}/Leads",
            client.get(f"/crm/{V}/Leads", headers={"Authorization": "Zoho-oauthtoken x"}),
        ),
        ("POST", "/crm/{version}/Leads", client.post(f"/crm/{V}/Leads", content=b"{", headers=org.headers)),
        ("DELETE", "/crm/{version}/Leads", client.delete(f"/crm/{V}/Leads", headers=org.headers)),
        ("GET", "/crm/{version}/Leads/{record_id}", client.get(f"/crm/{V}/Leads/abc", headers=org.headers)),
    ]
    for method, template, response in errors:
        assert response.status_code >= 400
        check(described, template, method, response)


def _check_attachments(client: Any, org: TestOrg, described: Any, base: str, url: str) -> None:
    up = [
        client.post(url, files={"file": (f"f{i}.pdf", b"%PDF" * (i + 1))}, headers=org.headers)
        for i in range(2)
    ]
    ids = [check(described, base, "POST", r).json()["data"][0]["details"]["id"] for r in up]
    link = client.post(url, params={"attachmentUrl": "https://example.com/x"}, headers=org.headers)
    check(described, base, "POST", link)
    assert check(described, base, "GET", client.get(url, headers=org.headers)).status_code == 200
    got = client.get(f"{url}/{ids[0]}", headers=org.headers)
    assert check(described, base + "/{related_id}", "GET", got).status_code == 200
    check(described, base + "/{related_id}", "DELETE", client.delete(f"{url}/{ids[0]}", headers=org.headers))
    gone = client.delete(url, params={"ids": f"{ids[1]},{ids[0]}"}, headers=org.headers)
    assert check(described, base, "DELETE", gone).status_code == 207


def test_every_related_list_with_real_links(client: Any, org: TestOrg, described: Any) -> None:
    for module in CATALOG.modules:
        for rl in module.related_lists:
            if rl.kind is ListKind.UNSERVED:
                continue
            (parent,) = org.create(client, module.api_name)
            base = f"/crm/{{version}}/{module.api_name}/{{record_id}}/{rl.api_name}"
            url = f"/crm/{V}/{module.api_name}/{parent}/{rl.api_name}"
            if rl.kind is ListKind.ATTACHMENTS:
                _check_attachments(client, org, described, base, url)
                continue
            if rl.kind is ListKind.LINK:
                others = org.create(client, rl.module, 2)
                related = client.put(url, json={"data": [{"id": o} for o in others]}, headers=org.headers)
                assert check(described, base, "PUT", related).status_code == 200, related.text
                one = client.put(f"{url}/{others[0]}", json={"data": [{}]}, headers=org.headers)
                check(described, base + "/{related_id}", "PUT", one)
            else:
                assert rl.lookup_field is not None
                polymorphic = rl.lookup_field in {"Parent_Id", "What_Id"}  # named by $se_module
                extra = {"$se_module": module.api_name} if polymorphic else {}
                others = org.create(client, rl.module, 2, **{rl.lookup_field: parent, **extra})
                if rl.module == "Notes":
                    added = client.post(url, json={"data": [{"Note_Content": "n"}]}, headers=org.headers)
                    assert check(described, base, "POST", added).status_code == 201
            listed = client.get(url, headers=org.headers)
            assert check(described, base, "GET", listed).status_code == 200, (url, listed.text)
            single = client.get(f"{url}/{others[0]}", headers=org.headers)
            assert check(described, base + "/{related_id}", "GET", single).status_code == 200
            if rl.kind is ListKind.LINK:
                gone = client.delete(url, params={"ids": f"{others[0]},{others[0]}"}, headers=org.headers)
                assert check(described, base, "DELETE", gone).status_code == 207
                check(
                    described,
                    base + "/{related_id}",
                    "DELETE",
                    client.delete(f"{url}/{others[1]}", headers=org.headers),
                )
                check(described, base, "GET", client.get(url, headers=org.headers))  # 204


def test_search_and_coql_answers(client: Any, org: TestOrg, described: Any) -> None:
    for module in CATALOG.modules:
        m = module.api_name
        client.post(
            f"/crm/{V}/{m}", json={"data": [record_fields(m, i) for i in range(2)]}, headers=org.headers
        )
        path = f"/crm/{{version}}/{m}/search"
        crit = {"criteria": "(Created_Time:greater_than:2001-01-01T00:00:00+00:00)", "per_page": "1"}
        check(described, path, "GET", client.get(f"/crm/{V}/{m}/search", params=crit, headers=org.headers))
        none = {"criteria": "(Created_Time:less_than:2001-01-01T00:00:00+00:00)"}
        check(described, path, "GET", client.get(f"/crm/{V}/{m}/search", params=none, headers=org.headers))
        bad = {"criteria": "((id:equals:1)"}
        check(described, path, "GET", client.get(f"/crm/{V}/{m}/search", params=bad, headers=org.headers))
        fields = ", ".join(f.api_name for f in module.fields if f.data_type != "textarea")
        for query in (
            f"select {fields} from {m} where id is not null limit 1",
            f"select id from {m} where id = 1",
            f"select id from {m} where",
        ):
            answer = client.post(f"/crm/{V}/coql", json={"select_query": query}, headers=org.headers)
            check(described, "/crm/{version}/coql", "POST", answer)


def test_record_photos(client: Any, org: TestOrg, described: Any) -> None:
    from tests.test_photos import image_bytes

    base = "/crm/{version}/Leads/{record_id}/photo"
    (lead,) = org.create(client, "Leads")
    url = f"/crm/{V}/Leads/{lead}/photo"
    check(described, base, "GET", client.get(url, headers=org.headers))  # 204
    up = client.post(url, files={"file": ("a.png", image_bytes("PNG"))}, headers=org.headers)
    assert check(described, base, "POST", up).status_code == 200
    assert check(described, base, "GET", client.get(url, headers=org.headers)).status_code == 200
    bad = client.post(url, files={"file": ("a.png", b"no")}, headers=org.headers)
    assert check(described, base, "POST", bad).status_code == 400
    assert check(described, base, "DELETE", client.delete(url, headers=org.headers)).status_code == 200


def test_metadata_of_an_org_with_its_own_schema(
    client: Any, services: Any, org: TestOrg, described: Any
) -> None:
    """Custom fields of every type, custom and linking modules, multi-select lookup lists."""
    from tests.test_custom_fields import apply, example_doc

    assert apply(services, org, example_doc()).ok
    modules = check(
        described,
        "/crm/{version}/settings/modules",
        "GET",
        client.get(f"/crm/{V}/settings/modules", headers=org.headers),
    ).json()["modules"]
    for module in modules:
        for area in ("fields", "related_lists"):
            response = client.get(
                f"/crm/{V}/settings/{area}", params={"module": module["api_name"]}, headers=org.headers
            )
            check(described, f"/crm/{{version}}/settings/{area}", "GET", response)
