"""INSERT … ON CONFLICT, which SQLite and PostgreSQL both speak but SQLAlchemy
spells per dialect."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.dialects import postgresql, sqlite

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_for(dialect: str) -> Callable:
    """The insert() of a dialect the bot runs on."""
    return _INSERTS[dialect]


def for_each_dialect(build: Callable) -> dict:
    """A statement built once for each dialect, by build(insert), for hot
    paths where building it would cost more than running it."""
    return {dialect: build(insert) for dialect, insert in _INSERTS.items()}
