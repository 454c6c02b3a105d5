"""Introductions: consent to be introduced, the rounds planned, the introductions made.
Revision ID: 0020_introductions
Revises: 0019_online_agenda
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0020_introductions"
down_revision = "0019_online_agenda"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "introduction_consents",
        sa.Column("slack_user_id", sa.String(length=30), primary_key=True),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("working_on", sa.Text(), nullable=False, server_default=""),
    )
    op.create_table(
        "introduction_rounds",
        sa.Column("meetup_id", sa.Integer(), sa.ForeignKey("meetups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.Column("groups", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "introductions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meetup_id", sa.Integer(), sa.ForeignKey("meetups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("first_key", sa.String(length=64), nullable=True),
        sa.Column("second_key", sa.String(length=64), nullable=True),
        sa.Column("third_key", sa.String(length=64), nullable=True),
        sa.Column("cross_organisation", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("shared_topics", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_introductions_meetup", "introductions", ["meetup_id"])

def downgrade() -> None:
    op.drop_index("ix_introductions_meetup", table_name="introductions")
    op.drop_table("introductions")
    op.drop_table("introduction_rounds")
    op.drop_table("introduction_consents")
