"""The migrations build exactly the schema the models describe, and go down and up again cleanly."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

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


def test_the_current_grid_is_filled_in_for_meetups_that_already_had_one(db):
    """0021 keeps each meetup's newest grid on its row, for grids built before it."""
    config = _config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0020_introductions")
    with db.engine.begin() as connection:
        for meetup_id in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO meetups (id, title, description, venue, host_organisation, starts_at, ends_at,"
                    " capacity, audience, extra_sectors, status, agenda, online_link, created_at, updated_at,"
                    " ics_sequence, feedback_asked) VALUES (:id, 'M', '', 'V', '', '2027-02-26 13:00:00',"
                    " '2027-02-26 17:00:00', 10, 'government', '', 'open', '', '', '2026-12-01 00:00:00',"
                    " '2026-12-01 00:00:00', 0, 0)"
                ),
                {"id": meetup_id},
            )
        for schedule_id, created_at in ((5, "2026-12-01 10:00:00"), (4, "2026-12-02 10:00:00")):
            connection.execute(
                text(
                    "INSERT INTO schedules (id, meetup_id, rooms, slots, created_by, created_at)"
                    " VALUES (:id, 1, '[]', '[]', 'U0ORGANISER', :at)"
                ),
                {"id": schedule_id, "at": created_at},
            )
    upgrade(db.engine)
    with db.engine.connect() as connection:
        current = dict(connection.execute(text("SELECT id, current_schedule_id FROM meetups ORDER BY id")).all())
    assert current == {1: 4, 2: None}
