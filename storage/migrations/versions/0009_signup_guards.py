"""Sign-up guards: a decline that survives /meetup forget, and a daily limit on repeat sign-ups.
Revision ID: 0009_signup_guards
Revises: 0008_request_indexes
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0009_signup_guards"
down_revision = "0008_request_indexes"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "signup_guards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.Column("signups", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meetup_id"], ["meetups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meetup_id", "person", name="uq_signup_guard_person"),
    )

def downgrade() -> None:
    op.drop_table("signup_guards")
