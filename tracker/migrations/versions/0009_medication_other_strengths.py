"""medication.other_strengths: the other tablet or capsule strengths the user has

Revision ID: 0009_medication_other_strengths
Revises: 0008_legacy_draft_dates
Create Date: 2026-12-03

Issue 12: combinations of the strengths the user has (for example 50 mg and 25 mg sertraline
tablets) are used before a taper step is marked as needing another form. ``other_strengths`` is
text, mg values separated by commas ("25,100"); NULL (every existing medication) means none.
A plain ADD COLUMN: no table is rebuilt, no row changes.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009_medication_other_strengths'
down_revision: Union[str, Sequence[str], None] = '0008_legacy_draft_dates'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('medication', sa.Column('other_strengths', sa.String(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('medication', schema=None) as batch_op:
        batch_op.drop_column('other_strengths')
