"""The connection type the layers above storage pass around.

``domain/`` holds the rules and never imports SQLAlchemy: its functions receive the open
connection of the caller's transaction and hand it, untouched, to the storage functions that run
the SQL. They name its type through this module.
"""

from __future__ import annotations

from sqlalchemy import Connection

__all__ = ["Connection"]
