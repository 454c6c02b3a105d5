"""Self check-in at the venue: how many codes each person has tried.
Revision ID: 0018_door
Revises: 0017_venue_lists
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0018_door"
down_revision = "0017_venue_lists"
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table("registrations") as batch_op:
        # server_default fills the rows that exist already.
        batch_op.add_column(sa.Column("code_tries", sa.Integer(), nullable=False, server_default="0"))

def downgrade() -> None:
    with op.batch_alter_table("registrations") as batch_op:
        batch_op.drop_column("code_tries")
