"""Attendance on the day: who was checked in, when, by whom, and walk-ins.
Revision ID: 0015_check_in
Revises: 0014_timers
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0015_check_in"
down_revision = "0014_timers"
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table("registrations") as batch_op:
        batch_op.add_column(sa.Column("checked_in_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("checked_in_by", sa.String(length=30), nullable=True))
        # server_default fills the rows that exist already.
        batch_op.add_column(sa.Column("walk_in", sa.Boolean(), nullable=False, server_default=sa.false()))

def downgrade() -> None:
    with op.batch_alter_table("registrations") as batch_op:
        batch_op.drop_column("walk_in")
        batch_op.drop_column("checked_in_by")
        batch_op.drop_column("checked_in_at")
