"""legacy draft dates: plans typed into earlier versions after the day they were agreed

Revision ID: 0008_legacy_draft_dates
Revises: 0003_taper_step_details
Create Date: 2026-12-03

Earlier versions stamped ``taperplan.created_at`` when a plan was typed in, and let the user
record an earlier agreement day (a plan agreed in the clinic, entered weeks later). Issue 13's
rule "the agreement is not before the draft was made" (DOMAIN.md) then locked such a plan: it
could not be held, advanced or completed. The draft was in fact made no later than the
agreement, so ``created_at`` becomes midnight UTC of the agreement day
(``tracker.domain.plan_rules.legacy_draft_time``) and a ``planevent`` row with action
``upgrade`` keeps the time the plan was typed in. No other row changes; nothing is deleted.

"""
from datetime import UTC, date, datetime
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from tracker.domain.plan_rules import LEGACY_EVENT_ACTION, legacy_draft_note, legacy_draft_time

# revision identifiers, used by Alembic.
revision: str = '0008_legacy_draft_dates'
down_revision: Union[str, Sequence[str], None] = '0003_taper_step_details'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_STORED = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's DateTime stores an instant in SQLite


def _instant(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _day(text: object) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def upgrade() -> None:
    """Upgrade schema."""
    conn = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None).strftime(_STORED)
    plans = conn.execute(sa.text("SELECT id, agreed_on, created_at FROM taperplan")).all()
    for ident, agreed_on, created_at in plans:
        entered = _instant(created_at)
        fixed = legacy_draft_time(_day(agreed_on), entered)
        if fixed is None or entered is None:
            continue
        conn.execute(
            sa.text("UPDATE taperplan SET created_at = :at WHERE id = :id"),
            {"at": fixed.replace(tzinfo=None).strftime(_STORED), "id": ident},
        )
        conn.execute(
            sa.text(
                "INSERT INTO planevent (plan_id, at, action, from_status, to_status, reason) "
                "VALUES (:id, :at, :action, NULL, NULL, :reason)"
            ),
            {"id": ident, "at": now, "action": LEGACY_EVENT_ACTION, "reason": legacy_draft_note(entered)},
        )


def downgrade() -> None:
    """Downgrade schema: the corrected draft times stay (the history row names the old one)."""
