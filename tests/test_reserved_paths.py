"""Words Zoho reserves in paths are never record ids or module names (issue 11, item 10).

``/Leads/search``, ``/Leads/upsert``, ``/Leads/deleted``, ``/Leads/actions/...`` and ``/coql``
are Zoho routes, never a record id or a module name: a path no route serves answers the
unknown-URL error (404 ``INVALID_URL_PATTERN``), a served one with another method
``INVALID_REQUEST_METHOD``, never "the id given seems to be invalid" or ``INVALID_MODULE``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg
from tests.helpers import assert_zoho_error

# Paths no route serves: the unknown-URL error.
UNKNOWN = [
    ("GET", "Leads/actions/no_such_action"),
    ("PUT", "Leads/actions/no_such_action"),
    ("GET", "Leads/search/123"),
    ("DELETE", "Leads/upsert/123"),
    ("GET", "Leads/deleted/123/x"),
    ("DELETE", "Leads/DELETED"),  # routes match case-sensitively; the word is still no record id
]
# Served paths with a method they do not take: Zoho's code for the method.
WRONG_METHOD = [
    ("PUT", "Leads/search"),
    ("DELETE", "Leads/search"),
    ("GET", "Leads/upsert"),
    ("PUT", "Leads/upsert"),
    ("DELETE", "Leads/deleted"),
    ("PUT", "Leads/actions/count"),
    ("GET", "coql"),
    ("PUT", "coql"),
    ("DELETE", "coql"),
]


@pytest.mark.parametrize("version", ["v2", "v2.1"])
@pytest.mark.parametrize(("method", "path"), UNKNOWN, ids=[f"{m} {p}" for m, p in UNKNOWN])
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


@pytest.mark.parametrize(("method", "path"), WRONG_METHOD, ids=[f"{m} {p}" for m, p in WRONG_METHOD])
def test_reserved_word_with_a_wrong_method(client: Any, org: TestOrg, method: str, path: str) -> None:
    response = client.request(method, f"/crm/v2.1/{path}", headers=org.headers)
    assert_zoho_error(
        response, 400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
    )


def test_a_record_id_that_is_no_reserved_word_still_answers_as_data(client: Any, org: TestOrg) -> None:
    response = client.get("/crm/v2.1/Leads/searching", headers=org.headers)
    assert_zoho_error(response, 400, "INVALID_DATA", "the id given seems to be invalid")
