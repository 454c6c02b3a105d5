"""Indexes for the reads every sign-up makes: a person's registrations, and the meetups still to come.
Revision ID: 0008_request_indexes
Revises: 0007_reminders
Create Date: 2026-12-02
"""
from alembic import op


revision = "0008_request_indexes"
down_revision = "0007_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index("ix_registrations_slack_user_id", ["slack_user_id"], unique=False)
    with op.batch_alter_table("meetups", schema=None) as batch_op:
        batch_op.create_index("ix_meetups_ends_at", ["ends_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meetups", schema=None) as batch_op:
        batch_op.drop_index("ix_meetups_ends_at")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_slack_user_id")
