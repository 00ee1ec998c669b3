"""indexes for the start-up queries

Revision ID: 0002_query_indexes
Revises: 0001_initial
Create Date: 2026-11-28

Two indexes so that Today, `tracker status` and `tracker log dose` read no big
table from end to end: the baseline check-in days (ix_checkin_baseline, on
is_baseline then day, so both spellings of the test, "= 1" and "IS 1", are one
index range) and each medication's latest dose taken (ix_doseevent_med_taken,
read from its newest end). Indexes only: no row changes.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0002_query_indexes'
down_revision: Union[str, Sequence[str], None] = '0001_initial'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_baseline', ['is_baseline', 'day'], unique=False)

    with op.batch_alter_table('doseevent', schema=None) as batch_op:
        batch_op.create_index('ix_doseevent_med_taken', ['medication_id', 'taken_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('doseevent', schema=None) as batch_op:
        batch_op.drop_index('ix_doseevent_med_taken')

    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_baseline')
