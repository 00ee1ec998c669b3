"""plan rules as SQLite triggers (a second line for writes outside the program); drops by label

Revision ID: 0005_safety_guards
Revises: 0007_scales
Create Date: 2026-12-02

The plan rules of DOMAIN.md ("Safety rules no setting, import or key can relax") are kept
by ``tracker.guards`` on every write the program makes. These triggers repeat them inside
the file, for writes that bypass the program (plain SQL, another tool):

- a taper plan's status is one of draft, agreed, active, held, completed, abandoned;
- an agreed, active, held or completed plan has a prescriber and an agreement date that is
  not before 1988, not after tomorrow (UTC) and not more than a day before the draft was made;
- a taper step's status is one of planned, current, held, done, stepped_back, and a step
  other than planned belongs to a plan that has started (not a draft or an agreed one).

Their messages begin with "taper-tracker rule:" (``tracker.guards.rule_error``). No table is
rebuilt and no row changes; rows stored before keep their values, and ``tracker check``
reports any that break a rule.

Also ``medication.drops_per_ml`` (REAL, NULL): for drops entered by their label strength
(for example 40 mg/ml at 20 drops per ml), so the label can be shown as such. A plain ADD
COLUMN; existing medications get NULL (their strength per drop stays as it was).

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005_safety_guards'
down_revision: Union[str, Sequence[str], None] = '0007_scales'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_PLAN_STATUSES = "'draft', 'agreed', 'active', 'held', 'completed', 'abandoned'"
_AGREED = "'agreed', 'active', 'held', 'completed'"
_STEP_STATUSES = "'planned', 'current', 'held', 'done', 'stepped_back'"

_PLAN_BODY = f"""
    SELECT RAISE(ABORT, 'taper-tracker rule: a taper plan''s status is not one of draft, agreed, active, held, completed, abandoned')
    WHERE NEW.status IS NULL OR NEW.status NOT IN ({_PLAN_STATUSES});
    SELECT RAISE(ABORT, 'taper-tracker rule: a taper plan is agreed, active, held or completed only with the prescriber who agreed it recorded')
    WHERE NEW.status IN ({_AGREED}) AND (NEW.prescriber IS NULL OR trim(NEW.prescriber) = '');
    SELECT RAISE(ABORT, 'taper-tracker rule: a taper plan is agreed, active, held or completed only with a plausible agreement date (recorded, from 1988, not in the future, not before the draft was made)')
    WHERE NEW.status IN ({_AGREED}) AND (
        NEW.agreed_on IS NULL
        OR NEW.agreed_on < '1988-01-01'
        OR NEW.agreed_on > date('now', '+1 day')
        OR NEW.agreed_on < date(NEW.created_at, '-1 day')
    );
"""

_STEP_BODY = f"""
    SELECT RAISE(ABORT, 'taper-tracker rule: a taper step''s status is not one of planned, current, held, done, stepped_back')
    WHERE NEW.status IS NULL OR NEW.status NOT IN ({_STEP_STATUSES});
    SELECT RAISE(ABORT, 'taper-tracker rule: a taper step has started only in a plan that has started (recorded as agreed with a prescriber, then started)')
    WHERE NEW.status != 'planned'
    AND (SELECT status FROM taperplan WHERE id = NEW.plan_id) IN ('draft', 'agreed');
"""

TRIGGERS = {
    "tg_taperplan_rules_insert": f"BEFORE INSERT ON taperplan BEGIN {_PLAN_BODY} END",
    "tg_taperplan_rules_update": f"BEFORE UPDATE ON taperplan BEGIN {_PLAN_BODY} END",
    "tg_taperstep_rules_insert": f"BEFORE INSERT ON taperstep BEGIN {_STEP_BODY} END",
    "tg_taperstep_rules_update": f"BEFORE UPDATE ON taperstep BEGIN {_STEP_BODY} END",
}


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('medication', sa.Column('drops_per_ml', sa.Float(), nullable=True))
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    """Downgrade schema."""
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('medication', schema=None) as batch_op:
        batch_op.drop_column('drops_per_ml')
