"""PHQ-9 and GAD-7 answers, one row per scale and local day

Revision ID: 0007_scales
Revises: 0004_medication_started
Create Date: 2026-12-02

A new table ``scaleresponse`` (issue 15): the answers 0-3 of each item, comma separated, their
total, an optional note and when it was written. Unique per (scale, day); ``ix_scaleresponse_logged_at``
lets R8 read PHQ-9 item 9 answers written in the last 3 days. A plain CREATE TABLE: no existing row changes.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0007_scales'
down_revision: Union[str, Sequence[str], None] = '0004_medication_started'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('scaleresponse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scale', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('answers', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('logged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scale', 'day', name='uq_scaleresponse_scale_day')
    )
    op.create_index('ix_scaleresponse_logged_at', 'scaleresponse', ['logged_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_scaleresponse_logged_at', table_name='scaleresponse')
    op.drop_table('scaleresponse')
