"""Organisers: the agenda on meetups, exports, subscriptions, approval messages.
Revision ID: 0004_organisers
Revises: 0003_privacy
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_organisers'
down_revision = '0003_privacy'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        # server_default fills the rows that exist already.
        batch_op.add_column(sa.Column('agenda', sa.Text(), nullable=False, server_default=''))

    op.create_table('exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meetup_id', sa.Integer(), nullable=False),
    sa.Column('exported_by', sa.String(length=30), nullable=True),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('exported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meetup_id'], ['meetups.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.create_index('ix_exports_meetup_id', ['meetup_id'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slack_user_id', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slack_user_id')
    )

    op.create_table('approval_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('pending_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('ts', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approval_requests', schema=None) as batch_op:
        batch_op.create_index('ix_approval_requests_registration_id', ['registration_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('approval_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_approval_requests_registration_id')
    op.drop_table('approval_requests')
    op.drop_table('subscriptions')
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index('ix_exports_meetup_id')
    op.drop_table('exports')
    with op.batch_alter_table('meetups', schema=None) as batch_op:
        batch_op.drop_column('agenda')
