"""Statements run as plain SQL on the driver connection of a session's own
transaction, for those under a meetup's lock on every sign-up: there,
SQLAlchemy's execution (compiling, binding each value, setting up the
result) cost more CPU than the statement, and every other sign-up waits
(docs/performance.md). They commit or roll back with the session's change."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session


def to_driver_time(dialect: str, moment: datetime) -> Any:
    """An aware time as a statement on a driver connection takes it: naive
    UTC, and on SQLite in the text SQLAlchemy stores (storage.models.UTCDateTime).
    A naive one is refused, as that type refuses it: its zone is unknown."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the database; use aware UTC times")
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else naive


def from_driver_time(value: Any) -> datetime:
    """A time a driver connection read, as aware UTC (to_driver_time's inverse)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def per_driver(sql: str) -> dict[str, str]:
    """SQL written with {0} for each parameter, in each driver's placeholder,
    by dialect name."""
    return {"sqlite": sql.format("?"), "postgresql": sql.format("%s")}


def first_row(driver_connection: Any, statement: str, parameters: Any) -> Any:
    """Run a statement on a driver connection and give its first row, or None."""
    cursor = driver_connection.execute(statement, parameters)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def driver_of(session: Session) -> Any:
    """The driver connection (DBAPI) the session's transaction runs on."""
    return session.connection().connection.driver_connection


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def insert_row(
    session: Session, table: Table, values: dict, *, unless_taken: str | None = None
) -> tuple[int | None, dict]:
    """INSERT one row of `values`, with the columns' Python defaults (as
    SQLAlchemy's insert would give them) for those not given. Returns the
    new row's id, or None when `unless_taken` names a unique column whose
    value is taken (ON CONFLICT DO NOTHING), and the values stored."""
    row = dict(values)
    for column in table.columns:
        default = column.default
        if column.key in row or default is None:
            continue
        if not (default.is_callable or default.is_scalar):
            raise ValueError(f"{table.name}.{column.key}'s default is made by the database: give a value")
        # A callable default is wrapped by SQLAlchemy to take a context; ours use none.
        row[column.key] = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
    dialect = dialect_of(session)
    names = tuple(row)
    statement = _INSERTS.get((table.name, dialect, names, unless_taken))
    if statement is None:
        statement = _insert_sql(table, dialect, names, unless_taken)
        _INSERTS[(table.name, dialect, names, unless_taken)] = statement
    parameters = [to_driver(dialect, table, name, row[name]) for name in names]
    # As Session.execute would: the session's pending changes go first (a
    # row this one refers to, say).
    session.flush()
    added = first_row(driver_of(session), statement, parameters)
    return (None if added is None else added[0]), row


def _insert_sql(table: Table, dialect: str, names: tuple[str, ...], unless_taken: str | None) -> str:
    unknown = set(names) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"Not {table.name} columns: {sorted(unknown)}")
    missing = [c.key for c in table.columns if c.key not in names and c.server_default is not None]
    if missing:
        # Their values would come from the database, and the caller's copy would not know them.
        raise ValueError(f"Give {table.name}'s {missing} a Python default, or a value")
    mark = "?" if dialect == "sqlite" else "%s"
    columns = ", ".join(table.columns[name].name for name in names)
    conflict = f" ON CONFLICT ({table.columns[unless_taken].name}) DO NOTHING" if unless_taken else ""
    return f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join([mark] * len(names))}){conflict} RETURNING id"


def to_driver(dialect: str, table: Table, name: str, value: Any) -> Any:
    """A value for a column as the driver takes it, as the column's type
    would give it: times as naive UTC (text on SQLite), JSON as its text
    (PostgreSQL casts it to the column's type)."""
    if isinstance(value, datetime):
        return to_driver_time(dialect, value)  # which refuses a naive one
    if value is not None and isinstance(table.columns[name].type, JSON):
        return json.dumps(value)
    return value


# Each table's inserts by the names given: a handful, made once.
_INSERTS: dict[tuple[str, str, tuple[str, ...], str | None], str] = {}
