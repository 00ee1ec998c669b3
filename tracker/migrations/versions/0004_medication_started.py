"""when the user started each medication; check-ins by when they were written

Revision ID: 0004_medication_started
Revises: 0006_notifications
Create Date: 2026-12-02

``medication.started_on`` (DATE, NULL: not known) is the day the user says they started the
medication (R10 starting out; first run and `tracker med add --since` ask for it). Existing
medications get NULL: unknown, so no "you started" note. ``ix_checkin_logged_at`` lets R8 read
the check-ins written in the last 3 days, whatever their day, without reading every check-in.
A plain ADD COLUMN and an index: no table is rebuilt, no row changes.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004_medication_started'
down_revision: Union[str, Sequence[str], None] = '0006_notifications'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('medication', sa.Column('started_on', sa.Date(), nullable=True))
    op.create_index('ix_checkin_logged_at', 'checkin', ['logged_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_checkin_logged_at', table_name='checkin')
    with op.batch_alter_table('medication', schema=None) as batch_op:
        batch_op.drop_column('started_on')
