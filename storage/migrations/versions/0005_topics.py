"""Unconference topics, votes (reactions), processed events and the session grid.
Revision ID: 0005_topics
Revises: 0004_organisers
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_topics"
down_revision = "0004_organisers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("proposer_user_id", sa.String(length=30), nullable=False),
        sa.Column("proposer_name", sa.String(length=200), nullable=False),
        sa.Column("would_lead", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=True),
        sa.Column("ts", sa.String(length=30), nullable=True),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("carried_from_topic_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["carried_from_topic_id"], ["topics.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meetup_id"], ["meetups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("carried_from_topic_id", name="uq_topic_carried_from"),
        sa.UniqueConstraint("channel", "ts", name="uq_topic_card"),
    )
    op.create_index("ix_topics_meetup_status", "topics", ["meetup_id", "status"])

    op.create_table(
        "vote_reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=30), nullable=False),
        sa.Column("reaction", sa.String(length=100), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["topic_id"], ["topics.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("topic_id", "slack_user_id", "reaction", name="uq_vote_reaction"),
    )

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_processed_events_received_at", "processed_events", ["received_at"])

    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("rooms", sa.Text(), nullable=False),
        sa.Column("slots", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=True),
        sa.Column("ts", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(["meetup_id"], ["meetups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_schedules_meetup_id", "schedules", ["meetup_id"])

    op.create_table(
        "schedule_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("room_name", sa.String(length=100), nullable=False),
        sa.Column("room_capacity", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("lead_user_id", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["topic_id"], ["topics.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schedule_id", "topic_id", name="uq_session_topic"),
    )
    op.create_index("ix_schedule_sessions_schedule_id", "schedule_sessions", ["schedule_id"])


def downgrade() -> None:
    op.drop_index("ix_schedule_sessions_schedule_id", table_name="schedule_sessions")
    op.drop_table("schedule_sessions")
    op.drop_index("ix_schedules_meetup_id", table_name="schedules")
    op.drop_table("schedules")
    op.drop_index("ix_processed_events_received_at", table_name="processed_events")
    op.drop_table("processed_events")
    op.drop_table("vote_reactions")
    op.drop_index("ix_topics_meetup_status", table_name="topics")
    op.drop_table("topics")
