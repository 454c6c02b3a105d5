"""Imported domain lists (`meetup-bot domains import`).
Revision ID: 0006_domains
Revises: 0005_topics
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_domains"
down_revision = "0005_topics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "domain_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("built", sa.String(length=10), nullable=False),
        sa.Column("based_on", sa.String(length=10), nullable=False),
        sa.Column("domain_count", sa.Integer(), nullable=False),
        sa.Column("domains", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )


def downgrade() -> None:
    op.drop_table("domain_lists")
