"""Co-organisers: the people who help run one meetup.
Revision ID: 0013_co_organisers
Revises: 0012_attendee_messages
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = "0013_co_organisers"
down_revision = "0012_attendee_messages"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "meetup_co_organisers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=30), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meetup_id"], ["meetups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meetup_id", "slack_user_id", name="uq_meetup_co_organiser"),
    )
    op.create_index("ix_meetup_co_organisers_slack_user_id", "meetup_co_organisers", ["slack_user_id"])

def downgrade() -> None:
    op.drop_index("ix_meetup_co_organisers_slack_user_id", table_name="meetup_co_organisers")
    op.drop_table("meetup_co_organisers")
