"""Trends dose chart during a micro-step table (D8): the line is the day's row, not the
prescription's first row, and the table is one dose-change marker at its first day.

Hand-worked table: a drug without occupancy parameters ("Testamine"), a 10 mg/ml liquid in
0.1 ml steps (1 mg), 20 mg once a day, daily micro-steps to 13 mg over 7 days. Without
parameters every row lowers the dose by the same mg: (20 - 13) / 7 = 1 mg a day, so the rows
from 1 Dec 2026 are 19, 18, 17, 16, 15, 14, 13 mg, all exact in 0.1 ml of 10 mg/ml.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tracker.db import Database
from tracker.domain.taper_micro import MicroRow, MicroTable
from tracker.domain.trends import (
    DoseChange,
    DoseChangeKind,
    PrescriptionPeriod,
    TrendRange,
    dose_changes,
    dose_segments,
    micro_changes,
    micro_periods,
)
from tracker.services import meds, settings
from tracker.services import taper as taper_svc
from tracker.services import taper_micro as micro
from tracker.services import trends as svc

DAY1 = date(2026, 12, 1)
ROWS = [19, 18, 17, 16, 15, 14, 13]


def _table(start: date | None = DAY1, **kw: object) -> MicroTable:
    rows = tuple(MicroRow(i, 1, mg, mg, f"{mg / 10:g} ml") for i, mg in enumerate(ROWS))
    return MicroTable("daily", 20.0, 13.0, rows, start=start, **kw)  # type: ignore[arg-type]


def _day(n: int) -> date:
    return DAY1 + timedelta(days=n)


def test_the_line_steps_down_day_by_day_and_the_last_row_holds() -> None:
    before = PrescriptionPeriod(date(2026, 11, 1), date(2026, 11, 30), 20.0)
    linked = PrescriptionPeriod(DAY1, None, 19.0)  # the prescription a start writes: the first row
    periods = [before, *micro_periods(linked, _table())]
    assert dose_segments(periods) == [
        (date(2026, 11, 1), 20.0),
        *((_day(i), mg) for i, mg in enumerate(ROWS)),
    ]


def test_a_stopped_table_sets_no_dose_from_its_stop() -> None:
    # held on day 4 (16 mg): the table ends on day 3, then the prescription's own dose holds
    stopped = _table(stopped=_day(3), stopped_mg=16.0)
    periods = micro_periods(PrescriptionPeriod(DAY1, _day(9), 19.0), stopped)
    assert dose_segments(periods) == [
        (_day(0), 19.0),
        (_day(1), 18.0),
        (_day(2), 17.0),
        (_day(3), 19.0),
        (_day(10), 0.0),
    ]


def test_one_marker_at_the_tables_start() -> None:
    periods = [PrescriptionPeriod(date(2026, 11, 1), date(2026, 11, 30), 20.0)]
    periods += micro_periods(PrescriptionPeriod(DAY1, None, 19.0), _table())
    segments = dose_segments(periods)
    raw = dose_changes(periods, date(2026, 11, 15), date(2026, 12, 14))
    assert len(raw) == 7  # a change every day without the folding
    assert micro_changes(raw, segments, [_table()], date(2026, 11, 15), date(2026, 12, 14)) == [
        DoseChange(DAY1, 20.0, 13.0, DoseChangeKind.REDUCTION)
    ]
    # a table that started before the range: its cuts are not markers, and it has none in range
    assert micro_changes(raw, segments, [_table()], _day(2), _day(20)) == []


def test_trends_data_charts_the_days_row(db: Database) -> None:
    started = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    with time_machine.travel(started, tick=False), db.write() as s:
        settings.set_setting(session=s, key="timezone", value="UTC")
        med = meds.create_medication(session=s, name="Testamine", strength_mg=10, form="liquid")
        med_id = med.id or 0
        meds.set_prescription(
            session=s, medication_id=med_id, dose_mg=20, times=[time(8)], start_date=date(2026, 11, 1)
        )
        inputs = taper_svc.draft_inputs(session=s, medication_id=med_id, today=DAY1)
        draft, table = micro.calculate_micro(inputs, cadence="daily", count=7, to_mg=13, start_date=DAY1)
        assert [r.dose_mg for r in table.rows] == ROWS  # the hand-worked table
        plan = micro.save_micro_draft(session=s, medication_id=med_id, draft=draft, table=table, now=started)
        tz = settings.user_zone(session=s)
        taper_svc.agree_plan(
            session=s, plan_id=plan.id, prescriber="Dr Rao", agreed_on=DAY1, now=started, tz=tz
        )
        taper_svc.start_plan(session=s, plan_id=plan.id, now=started, tz=tz)
    now = datetime(2026, 12, 12, 12, 0, tzinfo=UTC)
    with db.read() as s:
        data = svc.trends_data(
            session=s, range_kind=TrendRange.DAYS_30, today=now.date(), now=now, tz=ZoneInfo("UTC")
        )
    (doses,) = data.medications
    line = [(d, mg) for d, mg in doses.segments if d >= date(2026, 11, 30)]
    assert line == [(_day(i), float(mg)) for i, mg in enumerate(ROWS)]  # no 19 mg flat line
    assert doses.changes == (DoseChange(DAY1, 20.0, 13.0, DoseChangeKind.REDUCTION),)
    assert [c.change.day for c in data.changes] == [DAY1]
