"""An online joining link on meetups (the agenda's talk times live in the agenda's JSON).
Revision ID: 0019_online_agenda
Revises: 0018_door
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0019_online_agenda"
down_revision = "0018_door"
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table("meetups") as batch_op:
        # server_default fills the rows that exist already.
        batch_op.add_column(sa.Column("online_link", sa.String(length=500), nullable=False, server_default=""))

def downgrade() -> None:
    with op.batch_alter_table("meetups") as batch_op:
        batch_op.drop_column("online_link")
