"""desktop notifications: what was sent, dose snoozes, the last run

Revision ID: 0006_notifications
Revises: 0002_query_indexes
Create Date: 2026-12-02

Three new tables for `tracker remind --notify` (issue 14): notificationrecord (each
notification decided, written as an intent before it is sent and confirmed after),
dosesnooze (a dose reminder put off; the dose keeps its scheduled time) and notifyrun
(the last run, for `tracker remind status`). New tables only: no existing row changes.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0006_notifications'
down_revision: Union[str, Sequence[str], None] = '0002_query_indexes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('notificationrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('occasion', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notificationrecord', schema=None) as batch_op:
        batch_op.create_index('ix_notificationrecord_key_created', ['key', 'created_at'], unique=False)

    op.create_table('dosesnooze',
    sa.Column('medication_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_for', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('medication_id', 'scheduled_for')
    )
    op.create_table('notifyrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_run_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('notifyrun')
    op.drop_table('dosesnooze')
    with op.batch_alter_table('notificationrecord', schema=None) as batch_op:
        batch_op.drop_index('ix_notificationrecord_key_created')
    op.drop_table('notificationrecord')
