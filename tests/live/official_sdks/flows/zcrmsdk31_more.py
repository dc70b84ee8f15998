"""Upsert, deleted records and mass update with ``zcrmsdk==3.1.0`` (v2 paths; this SDK has no
record count). See ``_moreflow``."""

from __future__ import annotations

from _flowkit import Flow, config_from_env
from _moreflow import main
from zcrmsdk31_flow import initialize

if __name__ == "__main__":
    Flow(config_from_env()).run(lambda flow: main(flow, initialize, has_count=False))
