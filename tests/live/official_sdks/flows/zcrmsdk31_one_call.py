"""One ``create_records`` call with ``zcrmsdk==3.1.0``, reusing whatever token store and
metadata cache the work directory already holds (token-store and grant-token tests)."""

from __future__ import annotations

from _flowkit import Flow, config_from_env
from zcrmsdk.src.com.zoho.crm.api.record import BodyWrapper, Record, RecordOperations
from zcrmsdk31_flow import initialize


def main(flow: Flow) -> None:
    initialize(flow)
    record = Record()
    record.add_key_value("Last_Name", "Token store")
    record.add_key_value("Company", "Pitfalls")
    body = BodyWrapper()
    body.set_data([record])
    flow.call("create Lead", RecordOperations().create_records("Leads", body))


if __name__ == "__main__":
    Flow(config_from_env()).run(main)
