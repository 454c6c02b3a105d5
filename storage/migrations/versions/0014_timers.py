"""People whose Home tab the worker should publish again.
Revision ID: 0014_timers
Revises: 0013_co_organisers
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0014_timers"
down_revision = "0013_co_organisers"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "stale_homes",
        sa.Column("slack_user_id", sa.String(length=30), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slack_user_id"),
    )
    op.create_index("ix_stale_homes_changed_at", "stale_homes", ["changed_at"])

def downgrade() -> None:
    op.drop_index("ix_stale_homes_changed_at", table_name="stale_homes")
    op.drop_table("stale_homes")
