"""Search and COQL with ``zohocrmsdk2-1==3.0.0`` (see ``_queryflow``)."""

from __future__ import annotations

from _flowkit import Flow, config_from_env
from _queryflow import main
from zohocrmsdk21_flow import create, initialize

if __name__ == "__main__":
    Flow(config_from_env()).run(lambda flow: main(flow, initialize, create))
