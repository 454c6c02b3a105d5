"""Feedback after the meetup: anonymous answers, who answered, who was asked.
Revision ID: 0016_feedback
Revises: 0015_check_in
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0016_feedback"
down_revision = "0015_check_in"
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table("meetups") as batch_op:
        batch_op.add_column(sa.Column("feedback_asked_at", sa.DateTime(), nullable=True))
        # server_default fills the rows that exist already.
        batch_op.add_column(sa.Column("feedback_asked", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("registrations") as batch_op:
        batch_op.add_column(sa.Column("feedback_given", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "feedback_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("usefulness", sa.Integer(), nullable=False),
        sa.Column("worked", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("sessions", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["meetup_id"], ["meetups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feedback_responses_meetup_id", "feedback_responses", ["meetup_id"])

def downgrade() -> None:
    op.drop_index("ix_feedback_responses_meetup_id", table_name="feedback_responses")
    op.drop_table("feedback_responses")
    with op.batch_alter_table("registrations") as batch_op:
        batch_op.drop_column("feedback_given")
    with op.batch_alter_table("meetups") as batch_op:
        batch_op.drop_column("feedback_asked")
        batch_op.drop_column("feedback_asked_at")
