"""A pseudonymous person key on each registration, kept after the purge for the series figures.
Revision ID: 0011_person_keys
Revises: 0010_erasure
Create Date: 2027-01-04
"""
from alembic import op
import sqlalchemy as sa


revision = "0011_person_keys"
down_revision = "0010_erasure"
branch_labels = None
depends_on = None

def upgrade() -> None:
    # Existing sign-ups get no key: the key needs the secret, which only the
    # running app has. The figures fall back to the Slack user ID for them,
    # and the purge keys them before it removes that (bot/privacy/privacy.py).
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("person_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_registrations_person_key", ["person_key"])

def downgrade() -> None:
    with op.batch_alter_table("registrations") as batch:
        batch.drop_index("ix_registrations_person_key")
        batch.drop_column("person_key")
