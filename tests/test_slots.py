"""Slot maths: parsing days, clocks, zones, moments and durations; DST-safe recurrences; catch-up; streaks."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slots import (
    ALL_DAYS,
    COMMON_ZONES,
    Recurrence,
    Slot,
    classify_missed,
    local_to_utc,
    parse_clock,
    parse_days,
    parse_duration,
    parse_timezone,
    parse_when,
    timezone_choices,
    weekly_streak,
)

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", ALL_DAYS),
        ("Weekdays", {1, 2, 3, 4, 5}),
        ("weekends", {6, 7}),
        ("mon,wed,fri", {1, 3, 5}),
        ("Tue Thu", {2, 4}),
        ("tues, thurs", {2, 4}),
        ("mondays", {1}),
        ("sunday", {7}),
        ("mon-fri", {1, 2, 3, 4, 5}),
        ("fri-mon", {5, 6, 7, 1}),
    ],
)
def test_parse_days(text: str, days: set[int]) -> None:
    """Day words, lists, plurals and ranges become ISO weekday numbers."""
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize(
    ("text", "bad"), [("mon,xyz", "'xyz'"), ("mo", "'mo'"), ("", "no days"), ("mon-tue-wed", "'mon-tue-wed'")]
)
def test_parse_days_errors_name_the_bad_part(text: str, bad: str) -> None:
    """An unreadable day list is refused with the bad part and the accepted forms."""
    with pytest.raises(ValueError, match=bad) as info:
        parse_days(text)
    assert "weekdays" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:00", time(18)),
        ("9:30", time(9, 30)),
        ("09:05", time(9, 5)),
        ("18h", time(18)),
        ("18h30", time(18, 30)),
        ("6pm", time(18)),
        ("6:30 am", time(6, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("0:00", time(0)),
    ],
)
def test_parse_clock(text: str, expected: time) -> None:
    """24-hour, h-style and am/pm clock times parse to the same wall time."""
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["18", "25:00", "6:61", "13pm", "0am", "noonish", ""])
def test_parse_clock_refuses_nonsense(text: str) -> None:
    """Bare numbers, out-of-range and unreadable times raise ValueError."""
    with pytest.raises(ValueError, match="time"):
        parse_clock(text)


def test_parse_timezone_is_case_insensitive_and_accepts_spaces() -> None:
    """Members type zones loosely; the canonical IANA zone comes back."""
    assert parse_timezone("europe/berlin").key == "Europe/Berlin"
    assert parse_timezone(" America/New York ").key == "America/New_York"
    assert parse_timezone("utc").key == "UTC"


def test_parse_timezone_unknown_suggests() -> None:
    """An unknown zone names itself and suggests close zones."""
    with pytest.raises(ValueError, match=r"unknown time zone 'Mars/Berlin'.*Europe/Berlin"):
        parse_timezone("Mars/Berlin")
    with pytest.raises(ValueError, match=r"did you mean Europe/Berlin\b"):
        parse_timezone("Europe/Berln")
    with pytest.raises(ValueError, match=r"unknown time zone 'Nowhere'(?!.*did you mean)"):
        parse_timezone("Nowhere")


def test_timezone_choices_rank_prefix_then_city_then_common() -> None:
    """Autocomplete: empty gives common zones; a city fragment finds its zone; limit is respected."""
    assert timezone_choices("") == list(COMMON_ZONES)
    assert timezone_choices("york") == ["America/New_York"]
    assert timezone_choices("berl")[0] == "Europe/Berlin"
    assert timezone_choices("auck") == ["Pacific/Auckland"]
    # city prefix (Longyearbyen) before a mere substring (Blanc-Sablon), common (London) first
    assert timezone_choices("lon")[:3] == ["Europe/London", "Arctic/Longyearbyen", "America/Blanc-Sablon"]
    europe = timezone_choices("europe/", limit=5)
    assert europe[:3] == ["Europe/London", "Europe/Berlin", "Europe/Paris"] and len(europe) == 5
    assert len(timezone_choices("a")) == 25
    assert all("/" in z or z == "UTC" for z in timezone_choices("e", limit=500))


def test_local_to_utc_gap_moves_to_first_valid_instant() -> None:
    """02:30 on Berlin's spring-forward day does not exist: it becomes 03:00 CEST (01:00 UTC)."""
    assert local_to_utc(datetime(2026, 3, 29).date(), time(2, 30), BERLIN) == utc(2026, 3, 29, 1, 0)


def test_local_to_utc_fold_takes_first_occurrence() -> None:
    """02:30 happens twice on Berlin's autumn day: the first (CEST, 00:30 UTC) is used."""
    assert local_to_utc(datetime(2026, 10, 25).date(), time(2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)


@pytest.mark.parametrize(
    ("zone", "spring", "autumn", "spring_due", "autumn_due"),
    [
        ("Europe/Berlin", "2026-03-29", "2026-10-25", utc(2026, 3, 29, 1, 0), utc(2026, 10, 25, 0, 30)),
        # New York falls back at 02:00 EDT, so 02:30 on its autumn day is unambiguous EST.
        ("America/New_York", "2026-03-08", "2026-11-01", utc(2026, 3, 8, 7, 0), utc(2026, 11, 1, 7, 30)),
    ],
)
def test_daily_0230_gives_one_slot_on_each_dst_day(
    zone: str, spring: str, autumn: str, spring_due: datetime, autumn_due: datetime
) -> None:
    """A daily 02:30 schedule has exactly one slot on the spring and the autumn transition days."""
    daily = Recurrence(ALL_DAYS, time(2, 30), zone)
    for key, due in ((spring, spring_due), (autumn, autumn_due)):
        day = datetime.fromisoformat(key).replace(tzinfo=UTC)
        slots = daily.slots_between(day - timedelta(days=2), day + timedelta(days=2))
        assert [s.key for s in slots].count(key) == 1
        assert next(s for s in slots if s.key == key).due == due
        assert len({s.key for s in slots}) == len(slots)


def test_new_york_fold_hour_gives_one_slot_the_first() -> None:
    """01:30 repeats in New York on 2026-11-01: one slot, at the EDT occurrence (05:30 UTC)."""
    daily = Recurrence(ALL_DAYS, time(1, 30), "America/New_York")
    slots = daily.slots_between(utc(2026, 11, 1), utc(2026, 11, 2))
    assert slots == [Slot(due=utc(2026, 11, 1, 5, 30), key="2026-11-01")]


def test_daily_keeps_wall_time_across_dst() -> None:
    """18:00 Berlin is 17:00 UTC before the spring change and 16:00 UTC after: never +24 h."""
    daily = Recurrence(ALL_DAYS, time(18), "Europe/Berlin")
    slots = daily.slots_between(utc(2026, 3, 27), utc(2026, 3, 31))
    assert [s.due.hour for s in slots] == [17, 17, 16, 16]
    assert [s.key for s in slots] == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]


def test_lord_howe_half_hour_gap() -> None:
    """Lord Howe springs forward 30 minutes at 02:00: 02:15 that day becomes 02:30 (+11, 15:30 UTC)."""
    daily = Recurrence(ALL_DAYS, time(2, 15), "Australia/Lord_Howe")
    slots = daily.slots_between(utc(2026, 10, 3), utc(2026, 10, 5))
    assert [(s.key, s.due) for s in slots] == [
        ("2026-10-04", utc(2026, 10, 3, 15, 30)),
        ("2026-10-05", utc(2026, 10, 4, 15, 15)),
    ]


def test_weekly_next_after() -> None:
    """A Friday 18:00 schedule's next slot is this Friday, then the one after; strictly after the instant."""
    weekly = Recurrence(frozenset({5}), time(18), "Europe/Berlin")
    first = weekly.next_after(utc(2026, 11, 28, 12))  # a Saturday
    assert first == Slot(due=utc(2026, 12, 4, 17), key="2026-12-04")
    assert weekly.next_after(first.due).key == "2026-12-11"
    assert weekly.next_after(first.due - timedelta(seconds=1)) == first


def test_next_after_same_local_day_later_time() -> None:
    """Before today's time, the next slot is today (local date in the schedule's zone, not UTC's)."""
    daily = Recurrence(ALL_DAYS, time(1, 0), "Asia/Tokyo")  # 01:00 JST is 16:00 UTC the day before
    assert daily.next_after(utc(2026, 6, 1, 15, 0)) == Slot(due=utc(2026, 6, 1, 16), key="2026-06-02")


def test_slots_between_bounds_and_weekdays() -> None:
    """slots_between is start < due <= end and keeps only scheduled weekdays."""
    mwf = Recurrence(frozenset({1, 3, 5}), time(9), "UTC")
    slots = mwf.slots_between(utc(2026, 11, 30, 9), utc(2026, 12, 4, 9))  # Mon 09:00 .. Fri 09:00
    assert [s.key for s in slots] == ["2026-12-02", "2026-12-04"]


def test_recurrence_validates() -> None:
    """Empty or out-of-range days, an aware time and unknown zones are refused at construction."""
    for bad in (
        lambda: Recurrence(frozenset(), time(9), "UTC"),
        lambda: Recurrence(frozenset({8}), time(9), "UTC"),
        lambda: Recurrence(ALL_DAYS, time(9, tzinfo=UTC), "UTC"),
        lambda: Recurrence(ALL_DAYS, time(9), "Nowhere/Town"),
    ):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(ValueError, match="aware"):
        Recurrence(ALL_DAYS, time(9), "UTC").next_after(datetime(2026, 1, 1))


def test_classify_missed_grace_edge() -> None:
    """Exactly `grace` old is caught up; one second older is skipped; future slots are in neither."""
    now, grace = utc(2026, 5, 1, 12), timedelta(hours=6)
    edge = Slot(now - grace, "a")
    older = Slot(now - grace - timedelta(seconds=1), "b")
    fresh = Slot(now - timedelta(minutes=1), "c")
    future = Slot(now + timedelta(minutes=1), "d")
    catch_up, skip = classify_missed([older, edge, fresh, future], now, grace)
    assert catch_up == [edge, fresh]
    assert skip == [older]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 18:00", utc(2026, 12, 1, 17)),
        ("2026-12-01T18:00", utc(2026, 12, 1, 17)),
        ("2026-12-01", utc(2026, 11, 30, 23)),
        ("tomorrow 18:00", utc(2026, 11, 29, 17)),
        ("Tomorrow at 6pm", utc(2026, 11, 29, 17)),
        ("today 9:30", utc(2026, 11, 28, 8, 30)),
        ("in 3 days", utc(2026, 12, 1, 16)),
        ("in 2 hours", utc(2026, 11, 28, 18)),
        ("in 90 minutes", utc(2026, 11, 28, 17, 30)),
        ("in 1 week", utc(2026, 12, 5, 16)),
        ("next friday 18:00", utc(2026, 12, 4, 17)),
        ("saturday 10:00", utc(2026, 12, 5, 9)),  # today is Saturday: the next one, not today
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    """Member moments in Berlin, read on Saturday 2026-11-28 17:00 local, become UTC instants."""
    assert parse_when(text, now=utc(2026, 11, 28, 16), tz=BERLIN) == expected


def test_parse_when_days_keep_wall_time_across_dst() -> None:
    """'in 1 day' across Berlin's spring change keeps 12:00 local (23 elapsed hours)."""
    assert parse_when("in 1 day", now=utc(2026, 3, 28, 11), tz=BERLIN) == utc(2026, 3, 29, 10)


@pytest.mark.parametrize(
    "text", ["yesterday", "2026-02-30", "in 3 parsecs", "soon", "next blursday", "tomorrow 25:00"]
)
def test_parse_when_errors_list_the_formats(text: str) -> None:
    """Unreadable moments raise ValueError listing the formats that work."""
    with pytest.raises(ValueError, match=r"tomorrow 18:00.*in 90 minutes"):
        parse_when(text, now=utc(2026, 11, 28, 16), tz=BERLIN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("2d", timedelta(days=2)),
        ("90m", timedelta(minutes=90)),
        ("1d 12h", timedelta(days=1, hours=12)),
        ("1h30m", timedelta(minutes=90)),
        ("2 days", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("3 hrs", timedelta(hours=3)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    """Compact and spelled-out lengths parse and add up."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "0h", "abc", "12", "3 fortnights", "2d x", "x 2d"])
def test_parse_duration_errors(text: str) -> None:
    """Empty, zero, unit-less, unknown-unit and trailing-garbage durations are refused."""
    with pytest.raises(ValueError, match="90m, 24h, 2d"):
        parse_duration(text)


def test_streak_counts_consecutive_iso_weeks_across_new_year() -> None:
    """ISO weeks 2026-W52, 2026-W53, 2027-W01 (2026 has 53 weeks) are three in a row."""
    done = [utc(2026, 12, 22, 10), utc(2026, 12, 29, 10), utc(2026, 12, 30, 10), utc(2027, 1, 5, 10)]
    assert weekly_streak(done, BERLIN, now=utc(2027, 1, 6)) == 3


def test_streak_stays_alive_until_the_week_ends_and_breaks_on_a_gap() -> None:
    """No completion yet this week keeps last week's streak; a missed week ends it."""
    done = [utc(2026, 11, 10), utc(2026, 11, 17)]  # weeks of Nov 9 and Nov 16
    assert weekly_streak(done, BERLIN, now=utc(2026, 11, 25)) == 2  # week of Nov 23, nothing yet
    assert weekly_streak(done, BERLIN, now=utc(2026, 12, 2)) == 0  # week of Nov 23 missed
    assert weekly_streak([], BERLIN, now=utc(2026, 12, 2)) == 0


def test_streak_uses_the_members_zone() -> None:
    """Sunday 23:30 in Berlin is Sunday locally even though it is Sunday 22:30 UTC; Monday 00:30 is next week."""
    sunday_late = utc(2026, 11, 29, 22, 30)  # Sun 23:30 Berlin
    monday_early = utc(2026, 11, 29, 23, 30)  # Mon 00:30 Berlin
    assert weekly_streak([sunday_late, monday_early], BERLIN, now=utc(2026, 11, 30, 12)) == 2
    assert weekly_streak([sunday_late, monday_early], ZoneInfo("UTC"), now=utc(2026, 11, 30, 12)) == 1


ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Santiago",
    "UTC",
)


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    days=st.frozensets(st.integers(1, 7), min_size=1),
    at=st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    start=st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31)),
)
def test_recurrence_properties(zone: str, days: frozenset[int], at: time, start: datetime) -> None:
    """Over 60 days: one slot per scheduled local date, at the wall time (or just after a gap), in order."""
    rule = Recurrence(days, at, zone)
    tz = ZoneInfo(zone)
    begin = start.replace(tzinfo=UTC)
    slots = rule.slots_between(begin, begin + timedelta(days=60))
    keys = [s.key for s in slots]
    assert keys == sorted(set(keys))
    assert all(a.due < b.due for a, b in itertools.pairwise(slots))
    for slot in slots:
        local = slot.due.astimezone(tz)
        assert local.date().isoformat() == slot.key and local.isoweekday() in days
        if local.time() != at:  # only when the wall time does not exist that day: moved past the gap
            naive = datetime.combine(local.date(), at)
            assert naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive
            assert timedelta(0) < local.replace(tzinfo=None) - naive <= timedelta(hours=1)
        assert rule.next_after(slot.due - timedelta(seconds=1)) == slot
    for a, b in itertools.pairwise(slots):
        assert rule.next_after(a.due) == b
    scheduled_dates = {(begin.astimezone(tz).date() + timedelta(days=i)) for i in range(1, 59)}
    assert {d.isoformat() for d in scheduled_dates if d.isoweekday() in days} <= set(keys)
