# ruff: noqa
"""The seed page's Python SDK snippet (Update Related Records), run with Zoho's ``zcrmsdk==3.1.0``.

Only the SET-UP block is ours: imports, ``Initializer.initialize`` pointed at crmlink, and the
variables the snippet expects (``related_list_api_name``, ``record_id``, ``module_api_name``,
``related_list_id``, and the related ids). The two snippet bodies below are the page's text.

The page's text lost some lines in extraction; they are restored minimally, each marked
``# restored``: the triple quotes around the "Call add_key_value ..." notes, the ``set_id`` /
``add_key_value("id", ...)`` lines that name each related record (Zoho's sample has them; the v2
SDK refuses a bulk item without an id), ``records_list.append(...)`` and ``request.set_data(...)``.
After each body, ``report(response)`` (ours) prints what came back as one JSON line.
"""

# ---------------------------------------------------------------- SET-UP (ours)
import json
import os
import sys

from zcrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken, TokenType
from zcrmsdk.src.com.zoho.api.authenticator.store import FileStore
from zcrmsdk.src.com.zoho.api.logger import Logger
from zcrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zcrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zcrmsdk.src.com.zoho.crm.api.record import Record
from zcrmsdk.src.com.zoho.crm.api.related_records import BodyWrapper, RelatedRecordsOperations
from zcrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
from zcrmsdk.src.com.zoho.crm.api.user_signature import UserSignature

env = os.environ
workdir = env["CRMLINK_FLOW_WORKDIR"]
Initializer.initialize(
    UserSignature(env["CRMLINK_USER_EMAIL"]),
    DataCenter.Environment(env["CRMLINK_URL"], env["CRMLINK_TOKEN_URL"], env["CRMLINK_URL"]),
    OAuthToken(env["CRMLINK_CLIENT_ID"], env["CRMLINK_CLIENT_SECRET"], env["CRMLINK_REFRESH_TOKEN"], TokenType.REFRESH),
    FileStore(os.path.join(workdir, "sdk_tokens.csv")),
    SDKConfig(auto_refresh_fields=False, pick_list_validation=True),
    workdir,
    Logger.get_instance(Logger.Levels.INFO, os.path.join(workdir, "sdk.log")),
)

module_api_name = "Products"
record_id = int(sys.argv[1])  # a demo Product
related_list_api_name = "Price_Books"
price_book_1, price_book_2 = int(sys.argv[2]), int(sys.argv[3])  # two demo Price Books
related_list_id = price_book_1


def report(response):
    obj = response.get_object() if response is not None else None
    items = obj.get_data() if obj is not None and hasattr(obj, "get_data") else []
    print(
        json.dumps(
            {
                "status": None if response is None else response.get_status_code(),
                "object": type(obj).__name__ if obj is not None else None,
                "items": [
                    {
                        "class": type(i).__name__,
                        "code": i.get_code().get_value(),
                        "message": i.get_message().get_value(),
                        "id": i.get_details().get("id"),
                    }
                    for i in items
                ],
            }
        )
    )


# ---------------------------------------------------------------- the page's first snippet
# Get instance of RelatedRecordsOperations Class that takes moduleAPIName, recordId and relatedListAPIName as parameter
related_records_operations = RelatedRecordsOperations(related_list_api_name, record_id, module_api_name)
# Get instance of BodyWrapper Class that will contain the request body
request = BodyWrapper()
# List to hold Record instances
records_list = []
# Get instance of Record Class
record_1 = Record()
record_1.set_id(price_book_1)  # restored
"""
Call add_key_value method that takes two arguments
1 -> A string that is the Field's API Name
2 -> Value
"""
record_1.add_key_value('list_price', 50.56)
# Add Record instance to the list
records_list.append(record_1)  # restored
# Get instance of Record Class
record_2 = Record()
record_2.add_key_value('id', price_book_2)  # restored
"""
Call add_key_value method that takes two arguments
1 -> A string that is the Field's API Name
2 -> Value
"""
record_2.add_key_value('list_price', 100.56)
# Add Record instance to the list
records_list.append(record_2)  # restored
# Set the list to Records in BodyWrapper instance
request.set_data(records_list)  # restored
# Call update_related_records method that takes BodyWrapper instance
response = related_records_operations.update_related_records(request)

report(response)

# ---------------------------------------------------------------- the page's second snippet
# Get instance of RelatedRecordsOperations Class that takes moduleAPIName, recordId and relatedListAPIName as parameter
related_records_operations = RelatedRecordsOperations(related_list_api_name, record_id, module_api_name)
# Get instance of BodyWrapper Class that will contain the request body
request = BodyWrapper()
# List to hold Record instances
records_list = []
# Get instance of Record Class
record = Record()
"""
Call add_key_value method that takes two arguments
1 -> A string that is the Field's API Name
2 -> Value
"""
record.add_key_value('list_price', 90.90)
# Add Record instance to the list
records_list.append(record)  # restored
# Set the list to Records in BodyWrapper instance
request.set_data(records_list)  # restored
# Call updateRelatedRecord method that takes BodyWrapper instance, related_list_id as parameter.
response = related_records_operations.update_related_record(related_list_id, request)

report(response)
