"""Search and COQL with ``zcrmsdk==3.1.0`` (see ``_queryflow``)."""

from __future__ import annotations

from _flowkit import Flow, config_from_env
from _queryflow import main
from zcrmsdk31_flow import create, initialize

if __name__ == "__main__":
    Flow(config_from_env()).run(lambda flow: main(flow, initialize, create))
