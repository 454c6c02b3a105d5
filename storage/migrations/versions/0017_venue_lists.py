"""The final visitor list, sent once a meetup, and who was on the list last sent.
Revision ID: 0017_venue_lists
Revises: 0016_feedback
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0017_venue_lists"
down_revision = "0016_feedback"
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table("meetups") as batch_op:
        batch_op.add_column(sa.Column("final_list_sent_at", sa.DateTime(), nullable=True))
    op.create_table(
        "venue_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meetup_id"], ["meetups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meetup_id", "registration_id", name="uq_venue_list_entry"),
    )
    op.create_index("ix_venue_list_entries_registration_id", "venue_list_entries", ["registration_id"])

def downgrade() -> None:
    op.drop_index("ix_venue_list_entries_registration_id", table_name="venue_list_entries")
    op.drop_table("venue_list_entries")
    with op.batch_alter_table("meetups") as batch_op:
        batch_op.drop_column("final_list_sent_at")
