"""All SQL lives in this package. ``Connection`` is the handle domain code passes through
without importing SQLAlchemy itself."""

from sqlalchemy import Connection

__all__ = ["Connection"]
