"""Who has opened the Home tab: only their Home tab is drawn again on a change.
Revision ID: 0022_home_viewers
Revises: 0021_current_schedule
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = "0022_home_viewers"
down_revision = "0021_current_schedule"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_viewers",
        sa.Column("slack_user_id", sa.String(length=30), primary_key=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("home_viewers")
