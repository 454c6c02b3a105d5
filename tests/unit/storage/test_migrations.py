"""The migrations build exactly the schema the models describe, and go down and up again cleanly."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage.migrate import _config, is_up_to_date, upgrade
from storage.models import Base


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_migrations_downgrade_to_the_first_and_upgrade_again(db):
    config = _config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    tables = set(inspect(db.engine).get_table_names())
    assert not {"exports", "subscriptions", "approval_requests"} & tables
    assert "agenda" not in {c["name"] for c in inspect(db.engine).get_columns("meetups")}
    upgrade(db.engine)
    assert is_up_to_date(db.engine)
    assert {"exports", "subscriptions", "approval_requests"} <= set(inspect(db.engine).get_table_names())
