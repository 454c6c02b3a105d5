"""Consent for dietary and access needs; when a meetup's personal data was purged.

Revision ID: 0003_privacy
Revises: 0002_replay_guard
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_privacy"
down_revision = "0002_replay_guard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetups") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("needs_consent_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("needs_consent_at")
    with op.batch_alter_table("meetups") as batch:
        batch.drop_column("purged_at")
