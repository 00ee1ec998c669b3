"""SQLModel tables: the one schema of the SQLite file.

Instants are aware UTC datetimes (SQLModel's UTCDateTime refuses naive ones);
symptoms, check-ins and doses also carry the local calendar day they belong to,
so that days group in SQL without time-zone arithmetic. A dose keeps the time it
was scheduled for, the time it was taken and the time it was logged apart.

The schema changes only through Alembic migrations (tracker/migrations).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from tracker.domain.timeutil import utc_now


class DrugClass(StrEnum):
    SSRI = "SSRI"
    SNRI = "SNRI"
    OTHER = "other"


class Form(StrEnum):
    TABLET = "tablet"
    CAPSULE = "capsule"
    LIQUID = "liquid"
    DROPS = "drops"


class DoseStatus(StrEnum):
    TAKEN = "taken"
    SKIPPED = "skipped"
    EXTRA = "extra"


class Comparison(StrEnum):
    """A symptom compared with how it was before the taper (after the DESS idea)."""

    NEW = "new"
    WORSE = "worse"
    SAME = "same"
    BETTER = "better"


class Medication(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    brand: str | None = None
    drug_class: str = Field(default=DrugClass.OTHER.value)
    form: str = Field(default=Form.TABLET.value)
    # mg per tablet or capsule, mg per ml for a liquid, mg per drop for drops
    strength_mg: float
    # an optional liquid of the same drug (mg/ml) that tops up tablet doses during a taper
    liquid_mg_per_ml: float | None = None
    # tablet fractions the user can split to, e.g. "1,0.5,0.25"
    tablet_fractions: str = Field(default="1,0.5")
    half_life_hours: float | None = None
    notes: str | None = None
    archived: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utc_now)
    # the day the user says they started it (R10); None: not known
    started_on: date | None = None
    # drops: how many drops make one ml on the label (strength_mg is then mg/ml / drops_per_ml)
    drops_per_ml: float | None = None
    # what the user's oral syringe measures reliably (0.05 ml for a 1 ml syringe)
    liquid_step_ml: float = Field(default=0.1, sa_column_kwargs={"server_default": "0.1"})
    # other tablet or capsule strengths the user has, mg each, e.g. "25,100" (issue 12); None: none
    other_strengths: str | None = None


class Prescription(SQLModel, table=True):
    """One period of a medication's dose; the sequence of them is its dose history."""

    __table_args__ = (Index("ix_prescription_med_start", "medication_id", "start_date"),)

    id: int | None = Field(default=None, primary_key=True)
    medication_id: int = Field(foreign_key="medication.id", ondelete="RESTRICT")
    dose_mg: float  # per intake
    times: str = Field(default="08:00")  # local wall-clock times, comma separated
    start_date: date
    end_date: date | None = None  # inclusive last day; None while current
    prescriber: str | None = None
    note: str | None = None
    taper_step_id: int | None = Field(default=None, foreign_key="taperstep.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utc_now)


class DoseEvent(SQLModel, table=True):
    __table_args__ = (
        Index("ix_doseevent_med_day", "medication_id", "day"),
        Index("ix_doseevent_day", "day"),
        # each medication's latest dose taken (R4's stop case), read from the newest end
        Index("ix_doseevent_med_taken", "medication_id", "taken_at"),
        Index(
            "ux_doseevent_slot",
            "medication_id",
            "scheduled_for",
            unique=True,
            sqlite_where=text("scheduled_for IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    medication_id: int = Field(foreign_key="medication.id", ondelete="RESTRICT")
    day: date  # the local day the dose belongs to
    scheduled_for: datetime | None = None  # the slot it fills; None for an extra dose
    taken_at: datetime | None = None  # None when skipped
    amount_mg: float
    status: str = Field(default=DoseStatus.TAKEN.value)
    logged_at: datetime = Field(default_factory=utc_now)
    note: str | None = None


class TaperPlan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    medication_id: int = Field(foreign_key="medication.id", ondelete="RESTRICT", index=True)
    status: str = Field(default="draft")
    method: str = Field(default="manual")
    prescriber: str | None = None
    agreed_on: date | None = None
    notes: str | None = None
    created_at: datetime = Field(default_factory=utc_now)
    revision_of: int | None = None  # D6: the plan this draft revises after a step back
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class TaperStep(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "order", name="uq_taperstep_plan_order"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="taperplan.id", ondelete="CASCADE", index=True)
    order: int
    dose_mg: float  # target daily dose
    planned_start: date
    min_days: int = Field(default=28)
    how_to_take: str | None = None
    needs_liquid: bool = Field(default=False)
    status: str = Field(default="planned")
    actual_start: date | None = None
    note: str | None = None
    # what the draft said about the step (issue 12): JSON [{kind, message, source}], NULL = none
    flags: str | None = None
    occupancy_pct: float | None = None  # estimated SERT occupancy, D7
    fit: str | None = None  # D7: drug, brain region, formulation; approximate
    target_mg: float | None = None  # the calculated dose before rounding to the forms
    needs_form: bool = Field(default=False, sa_column_kwargs={"server_default": text("0")})
    micro: str | None = None  # D8: "daily" or "weekly" small reductions into this step


class PlanEvent(SQLModel, table=True):
    """A status transition of a plan or a step, with its time and reason."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="taperplan.id", ondelete="CASCADE", index=True)
    at: datetime = Field(default_factory=utc_now)
    action: str
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None


class Symptom(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # stable slug, e.g. "brain-zaps"
    name: str
    group: str
    aliases: str = Field(default="")  # comma separated
    is_custom: bool = Field(default=False)
    is_crisis: bool = Field(default=False)
    hidden: bool = Field(default=False)
    sort_order: int = Field(default=0)


class SymptomEntry(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("symptom_id", "day", name="uq_symptomentry_symptom_day"),
        Index("ix_symptomentry_day", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    symptom_id: int = Field(foreign_key="symptom.id", ondelete="RESTRICT")
    symptom_name: str  # the name used at the time, kept when the symptom is renamed
    day: date
    severity: int
    comparison: str | None = None
    note: str | None = None
    logged_at: datetime = Field(default_factory=utc_now)


class CheckIn(SQLModel, table=True):
    # the baseline days (reminders, trends, exports) as one index range, whether a query says
    # "is_baseline = 1" or "is_baseline IS 1" (a partial index would serve only one spelling)
    # R8 reads the check-ins written in the last 3 days, whatever day they are for
    __table_args__ = (
        Index("ix_checkin_baseline", "is_baseline", "day"),
        Index("ix_checkin_logged_at", "logged_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    mood: int | None = None  # 0-10
    sleep_hours: float | None = None
    note: str | None = None
    is_baseline: bool = Field(default=False)
    logged_at: datetime = Field(default_factory=utc_now)


class Appointment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    clinician: str | None = None
    kind: str = Field(default="review")
    notes: str | None = None


class ClinicianQuestion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    text: str
    created_at: datetime = Field(default_factory=utc_now)
    answered_at: datetime | None = None
    answer: str | None = None


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str  # JSON


class ReminderState(SQLModel, table=True):
    """Dismissed or snoozed reminders; a dismissal holds while the fingerprint is unchanged."""

    key: str = Field(primary_key=True)
    fingerprint: str
    dismissed: bool = Field(default=False)
    snoozed_until: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Every insert, update and delete with the values before and after (JSON)."""

    __table_args__ = (Index("ix_auditentry_table_row", "table_name", "row_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    table_name: str
    row_id: str
    action: str  # insert, update, delete
    before: str | None = None
    after: str | None = None
    undone: bool = Field(default=False)


class ScaleResponse(SQLModel, table=True):
    """A PHQ-9 or GAD-7 filled in for a local day (``tracker.domain.scales``); one per scale and day.

    ``answers`` keeps every item's answer 0-3 in order, comma separated; ``total`` is their sum,
    kept for reads in SQL. Written again for the same day, the row is updated (backfill corrects).
    ``logged_at`` is when it was written: R8 reads PHQ-9 item 9 by it (ix_scaleresponse_logged_at).
    """

    __table_args__ = (
        UniqueConstraint("scale", "day", name="uq_scaleresponse_scale_day"),
        Index("ix_scaleresponse_logged_at", "logged_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scale: str  # "phq9" or "gad7"
    day: date
    answers: str
    total: int
    note: str | None = None
    logged_at: datetime = Field(default_factory=utc_now)


AUDITED_TABLES = frozenset(
    {
        "scaleresponse",
        "medication",
        "prescription",
        "doseevent",
        "taperplan",
        "taperstep",
        "planevent",
        "symptom",
        "symptomentry",
        "checkin",
        "appointment",
        "clinicianquestion",
        "setting",
    }
)


class NotificationRecord(SQLModel, table=True):
    """One desktop notification ``tracker remind --notify`` decided to send (issue 14).

    Written as an intent (``status`` "pending") and committed *before* the platform is
    asked to show it, then confirmed ("sent") after: a crash in between leaves a pending
    row, which the next run sends once more (at most one duplicate) and then counts as
    sent. Not audited: it is the program's own bookkeeping, nothing the user could undo.
    """

    __table_args__ = (Index("ix_notificationrecord_key_created", "key", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str  # the reminder's key (``ActiveReminder.key``)
    rule: str
    severity: str
    fingerprint: str
    occasion: str  # new, changed, repeat, due, again, after-snooze, retry
    status: str = Field(default="pending")  # pending, sent
    attempts: int = Field(default=1)
    created_at: datetime = Field(default_factory=utc_now)
    sent_at: datetime | None = None


class DoseSnooze(SQLModel, table=True):
    """A dose reminder put off until ``until``; the dose keeps its scheduled time (issue 14)."""

    medication_id: int = Field(primary_key=True)
    scheduled_for: datetime = Field(primary_key=True)
    until: datetime
    created_at: datetime = Field(default_factory=utc_now)


class NotifyRun(SQLModel, table=True):
    """The last ``tracker remind --notify`` run (one row, id 1), for ``tracker remind status``."""

    id: int = Field(default=1, primary_key=True)
    last_run_at: datetime
    sent: int = Field(default=0)
    problem: str | None = None
