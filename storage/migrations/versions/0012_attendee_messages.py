"""Messages from organisers to attendees, and the closing time the card has shown.
Revision ID: 0012_attendee_messages
Revises: 0011_person_keys
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0012_attendee_messages"
down_revision = "0011_person_keys"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "attendee_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("sent_by", sa.String(length=30), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meetup_id"], ["meetups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_key", name="uq_attendee_message_key"),
    )
    op.create_index("ix_attendee_messages_meetup_id", "attendee_messages", ["meetup_id"])
    with op.batch_alter_table("meetups") as batch:
        batch.add_column(sa.Column("closed_card_for", sa.DateTime(), nullable=True))

def downgrade() -> None:
    with op.batch_alter_table("meetups") as batch:
        batch.drop_column("closed_card_for")
    op.drop_index("ix_attendee_messages_meetup_id", table_name="attendee_messages")
    op.drop_table("attendee_messages")
