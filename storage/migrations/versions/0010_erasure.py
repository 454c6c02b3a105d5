"""Erasure that reaches Slack: where each exported file is, and who asked to be forgotten.
Revision ID: 0010_erasure
Revises: 0009_signup_guards
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0010_erasure"
down_revision = "0009_signup_guards"
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table("exports") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("file_id", sa.String(length=30), nullable=True))
    op.create_table(
        "forgotten_people",
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("forgotten_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person"),
    )

def downgrade() -> None:
    op.drop_table("forgotten_people")
    with op.batch_alter_table("exports") as batch:
        batch.drop_column("file_id")
        batch.drop_column("channel")
