"""crmlink_client: a typed client for crmlink and Zoho CRM's REST API (records and related
records, v2 and v2.1).

    from crmlink_client import Client

    with Client("http://127.0.0.1:8000", access_token="...") as crm:
        product = crm.records("Products").create_one(Product_Name="Widget")
        price_books = crm.related("Products", product.id, "Price_Books")
        results = price_books.relate([{"id": pb_id, "list_price": 10.5}])
        for record in price_books.list():
            ...

Zoho-SDK-shaped classes live in :mod:`crmlink_client.compat`, Deluge's
``zoho.crm.updateRelatedRecord`` in :mod:`crmlink_client.deluge`.
"""

from . import compat, deluge
from ._client import ApiVersion, Client
from ._errors import (
    AuthError,
    CRMError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TokenError,
    ValidationError,
)
from ._records import Records
from ._related import RelatedList
from ._results import ItemResult, Page, PageInfo, Results
from ._types import RecordId

__version__ = "0.1.0"

__all__ = [
    "ApiVersion",
    "AuthError",
    "CRMError",
    "Client",
    "ItemResult",
    "NotFound",
    "Page",
    "PageInfo",
    "PermissionDenied",
    "RateLimited",
    "RecordId",
    "Records",
    "RelatedList",
    "Results",
    "ServerError",
    "TokenError",
    "ValidationError",
    "__version__",
    "compat",
    "deluge",
]
