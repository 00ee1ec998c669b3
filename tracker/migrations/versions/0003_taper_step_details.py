"""taper step details: flags, occupancy and its fit, the calculated target; plan revisions; liquid step

Revision ID: 0003_taper_step_details
Revises: 0007_scales
Create Date: 2026-12-02

Issue 12 (DOMAIN.md D1-D8). Every saved step keeps what its draft said about it:
``taperstep.flags`` (JSON list of {kind, message, source}; NULL for steps saved before, read as
none), ``taperstep.occupancy_pct`` and ``taperstep.fit`` (D7: the estimate and the fit it rests
on, NULL where the drug has no parameters), ``taperstep.target_mg`` (the calculated dose before
rounding), ``taperstep.needs_form`` (D2: the recorded forms cannot give the dose) and
``taperstep.micro`` (D8: "daily" or "weekly" when the step is reached in small reductions).
``taperplan.revision_of`` and ``taperplan.revision`` (D6: a revised draft after a step back
names the plan it revises; 1 for every existing plan). ``medication.liquid_step_ml`` is what
the user's oral syringe measures (0.1 ml for existing medications).
Plain ADD COLUMNs: no table is rebuilt, no row changes.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003_taper_step_details'
down_revision: Union[str, Sequence[str], None] = '0007_scales'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('taperstep', sa.Column('flags', sa.String(), nullable=True))
    op.add_column('taperstep', sa.Column('occupancy_pct', sa.Float(), nullable=True))
    op.add_column('taperstep', sa.Column('fit', sa.String(), nullable=True))
    op.add_column('taperstep', sa.Column('target_mg', sa.Float(), nullable=True))
    op.add_column(
        'taperstep', sa.Column('needs_form', sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column('taperstep', sa.Column('micro', sa.String(), nullable=True))
    op.add_column('taperplan', sa.Column('revision_of', sa.Integer(), nullable=True))
    op.add_column('taperplan', sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))
    op.add_column(
        'medication', sa.Column('liquid_step_ml', sa.Float(), nullable=False, server_default='0.1')
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('medication', schema=None) as batch_op:
        batch_op.drop_column('liquid_step_ml')
    with op.batch_alter_table('taperplan', schema=None) as batch_op:
        batch_op.drop_column('revision')
        batch_op.drop_column('revision_of')
    with op.batch_alter_table('taperstep', schema=None) as batch_op:
        for name in ('micro', 'needs_form', 'target_mg', 'fit', 'occupancy_pct', 'flags'):
            batch_op.drop_column(name)
