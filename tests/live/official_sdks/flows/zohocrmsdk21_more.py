"""Upsert, deleted records, record count and mass update with ``zohocrmsdk2-1==3.0.0``
(see ``_moreflow``)."""

from __future__ import annotations

from _flowkit import Flow, config_from_env
from _moreflow import main
from zohocrmsdk21_flow import initialize

if __name__ == "__main__":
    Flow(config_from_env()).run(lambda flow: main(flow, initialize, has_count=True))
