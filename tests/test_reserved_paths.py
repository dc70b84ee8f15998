"""Words Zoho reserves in paths are never record ids or module names (issue 11, item 10).

``/Leads/search``, ``/Leads/upsert``, ``/Leads/deleted``, ``/Leads/actions/...`` and ``/coql``
are Zoho routes. Where crmlink serves no route for the path, the answer is the unknown-URL
error (404 ``INVALID_URL_PATTERN``); where a route serves the path with another method, it is
400 ``INVALID_REQUEST_METHOD``, as on every served path. Never "the id given seems to be
invalid" or ``INVALID_MODULE`` as if the word were data.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg
from tests.helpers import assert_zoho_error

ROWS = [
    ("DELETE", "Leads/DELETED"),
    ("GET", "Leads/actions/no_such_action"),
    ("GET", "Leads/search/123"),
    ("GET", "Leads/actions"),
]

# Paths a route serves with another method: INVALID_REQUEST_METHOD, as on every served path.
OTHER_METHOD_ROWS = [
    ("PUT", "Leads/search"),
    ("DELETE", "Leads/search"),
    ("GET", "Leads/upsert"),
    ("PUT", "Leads/upsert"),
    ("DELETE", "Leads/upsert"),
    ("PUT", "Leads/deleted"),
    ("PUT", "Leads/actions/count"),
    ("DELETE", "Leads/actions/count"),
    ("GET", "coql"),
    ("PUT", "coql"),
    ("DELETE", "coql"),
]


@pytest.mark.parametrize("version", ["v2", "v2.1"])
@pytest.mark.parametrize(("method", "path"), ROWS, ids=[f"{m} {p}" for m, p in ROWS])
def test_reserved_word_is_an_unknown_url(
    client: Any, org: TestOrg, version: str, method: str, path: str
) -> None:
    before = client.get(f"/crm/{version}/Leads", headers=org.headers)
    response = client.request(method, f"/crm/{version}/{path}", headers=org.headers)
    assert_zoho_error(
        response, 404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one", {}
    )
    after = client.get(f"/crm/{version}/Leads", headers=org.headers)
    assert before.status_code == after.status_code and before.content == after.content


@pytest.mark.parametrize(
    ("method", "path"), OTHER_METHOD_ROWS, ids=[f"{m} {p}" for m, p in OTHER_METHOD_ROWS]
)
def test_a_served_reserved_path_with_another_method(
    client: Any, org: TestOrg, method: str, path: str
) -> None:
    before = client.get("/crm/v2.1/Leads", headers=org.headers)
    response = client.request(method, f"/crm/v2.1/{path}", headers=org.headers)
    assert_zoho_error(response, 400, "INVALID_REQUEST_METHOD")
    after = client.get("/crm/v2.1/Leads", headers=org.headers)
    assert before.status_code == after.status_code and before.content == after.content


def test_a_record_id_that_is_no_reserved_word_still_answers_as_data(client: Any, org: TestOrg) -> None:
    response = client.get("/crm/v2.1/Leads/searching", headers=org.headers)
    assert_zoho_error(response, 400, "INVALID_DATA", "the id given seems to be invalid")
