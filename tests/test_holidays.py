"""Working days for deadlines: the official 放假/调休 schedule (chinese-calendar), platform overrides, and a
year without a schedule reported instead of silently counted weekends-only."""

from __future__ import annotations

import datetime as dt

from kiosk.catalog import load_catalog_file
from kiosk.rules.holidays import WorkCalendar, calendar_warning, known_years
from kiosk.rules.materials import check_materials
from kiosk.sandbox.store import DATA_DIR


def test_national_day_and_its_makeup_saturday_are_counted_as_the_state_council_set_them() -> None:
    calendar = WorkCalendar()
    # 2026: 1–7 October off (and the 8th for 中秋), Saturday 10 October worked in their place (调休).
    assert not calendar.is_workday(dt.date(2026, 10, 1)) and not calendar.is_workday(dt.date(2026, 10, 7))
    assert calendar.is_workday(dt.date(2026, 10, 10))
    assert calendar.add_working_days(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)


def test_a_rongque_deadline_set_on_30_september_does_not_fall_in_the_holiday() -> None:
    catalog = load_catalog_file(DATA_DIR / "catalog.json")
    item = catalog.item("GJJ-002")  # 住房公积金租房提取: the rental contract may follow within 5 working days
    check = check_materials(item, ["居民身份证", "本人名下银行借记卡"], today=dt.date(2026, 9, 30),
                            calendar=WorkCalendar())
    assert check.outcome == "waiver" and check.supply_by == dt.date(2026, 10, 13)
    weekends_only = check_materials(item, ["居民身份证", "本人名下银行借记卡"], today=dt.date(2026, 9, 30))
    assert weekends_only.supply_by == dt.date(2026, 10, 7)  # what the kiosk printed before: inside the holiday


def test_the_platform_can_override_a_day() -> None:
    calendar = WorkCalendar({dt.date(2026, 11, 30): False})  # a local day off announced late
    assert not calendar.is_workday(dt.date(2026, 11, 30))
    assert calendar.add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 12, 1)


def test_a_year_without_a_schedule_is_counted_weekends_only_and_reported() -> None:
    last = known_years()[1]
    calendar = WorkCalendar()
    monday = dt.date(last + 1, 1, 5)
    while monday.weekday() != 0:
        monday += dt.timedelta(days=1)
    assert calendar.is_workday(monday) and last + 1 in calendar.guessed_years
    warning = calendar_warning(dt.date(last, 11, 30))
    assert warning is not None and str(last) in warning and "chinese-calendar" in warning
    assert calendar_warning(dt.date(last, 1, 10)) is None
