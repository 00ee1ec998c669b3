"""Alembic migrations. Revision ids are listed here so that opening a database
at the current revision never has to import Alembic (it costs start-up time).
A test checks this list against Alembic's own script directory."""

REVISIONS: tuple[str, ...] = (
    "0001_initial",
    "0002_query_indexes",
    "0006_notifications",
    "0004_medication_started",
    "0007_scales",
    "0005_safety_guards",
    "0003_taper_step_details",
    "0008_legacy_draft_dates",
    "0009_medication_other_strengths",
)
HEAD = REVISIONS[-1]
