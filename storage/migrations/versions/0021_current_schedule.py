"""The meetup's current session grid, kept on its row for the calendar file.
Revision ID: 0021_current_schedule
Revises: 0020_introductions
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = "0021_current_schedule"
down_revision = "0020_introductions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetups") as batch:
        batch.add_column(sa.Column("current_schedule_id", sa.Integer(), nullable=True))
    # The newest grid of each meetup, as storage/schedules.py latest_schedule orders them.
    op.execute(
        "UPDATE meetups SET current_schedule_id = (SELECT s.id FROM schedules s WHERE s.meetup_id = meetups.id "
        "ORDER BY s.created_at DESC, s.id DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table("meetups") as batch:
        batch.drop_column("current_schedule_id")
