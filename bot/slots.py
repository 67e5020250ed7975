"""Time maths for scheduled prompts and challenges: days, clock times, zones, slots, catch-up, streaks.

Pure functions over aware datetimes: nothing here reads the wall clock (`now` is always a parameter), so the
scheduler, the cogs and the tests all get the same answers. Recurring schedules are stored as the member's
wall-clock time and IANA zone, and every slot is computed from them for its own local date; adding 24 h to a
UTC instant would drift by an hour across each DST change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

ALL_DAYS = frozenset(range(1, 8))  # ISO weekdays: Monday is 1, Sunday is 7
_DAY_SETS = {
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
    "every day": ALL_DAYS,
    "weekdays": frozenset(range(1, 6)),
    "weekends": frozenset({6, 7}),
}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES = {"tues": 2, "weds": 3, "thur": 4, "thurs": 4}
DAYS_HELP = "use daily, weekdays, weekends, or day names such as mon,wed,fri (or a range: mon-fri)"
CLOCK_HELP = "use a 24-hour time such as 18:00 or 9:30 (18h, 18h30 and 6pm also work)"
WHEN_HELP = (
    "use a date and time such as 2026-12-01 18:00, a date (2026-12-01, midnight), today 9:30, "
    "tomorrow 18:00, next friday 18:00, or in 3 days / in 2 hours / in 90 minutes"
)
DURATION_HELP = "use a length such as 90m, 24h, 2d or 1d 12h (w, d, h and m units)"

# Shown first in timezone autocomplete: the zones most members will pick, roughly by population online.
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Asia/Manila",
    "Australia/Sydney",
    "Africa/Lagos",
    "Africa/Johannesburg",
)
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def _day_number(word: str) -> int | None:
    """Return the ISO weekday of a day name or its abbreviation (3+ letters), or None."""
    if word in _DAY_ALIASES:
        return _DAY_ALIASES[word]
    if len(word) >= 3:
        for number, name in enumerate(_DAY_NAMES, start=1):
            if name.startswith(word):
                return number
    return None


def _plain_day(word: str) -> int | None:
    """Return the ISO weekday of a day word, plural allowed (`mondays`)."""
    return _day_number(word) or (_day_number(word[:-1]) if word.endswith("s") else None)


def parse_days(text: str) -> frozenset[int]:
    """Parse `daily`, `weekdays`, `weekends` or a list like `mon,wed,fri` into ISO weekday numbers."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _DAY_SETS:
        return _DAY_SETS[cleaned]
    parts = [p for p in re.split(r"[,\s]+", cleaned) if p]
    if not parts:
        raise ValueError(f"no days given: {DAYS_HELP}")
    days: set[int] = set()
    for part in parts:
        ends = part.split("-")
        numbers = [n for n in map(_plain_day, ends) if n is not None]
        if len(ends) > 2 or len(numbers) != len(ends):
            raise ValueError(f"unknown day '{part}' in '{text.strip()}': {DAYS_HELP}")
        first, last = numbers[0], numbers[-1]
        days.update((first - 1 + i) % 7 + 1 for i in range((last - first) % 7 + 1))  # mon-fri, fri-mon
    return frozenset(days)


_CLOCK_RE = re.compile(r"^(\d{1,2})(?:[:h.](\d{2}))?\s*(h|am|pm)?$")


def parse_clock(text: str) -> time:
    """Parse a wall-clock time: `18:00`, `9:30`, `18h`, `18h30`, `6pm`, `6:30am`."""
    cleaned = text.strip().lower().replace(" ", "")
    match = _CLOCK_RE.match(cleaned)
    # A bare number ("18") is refused: it is too easily a typo for a day or a duration.
    if not match or (match.group(2) is None and match.group(3) is None and "h" not in cleaned):
        raise ValueError(f"can't read '{text.strip()}' as a time: {CLOCK_HELP}")
    hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise ValueError(f"'{text.strip()}' is not a time: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"'{text.strip()}' is not a time of day: {CLOCK_HELP}")
    return time(hour, minute)


@cache
def _zone_names() -> tuple[str, ...]:
    """Return the selectable zone names: UTC and the region/city zones, without legacy aliases."""
    names = sorted(n for n in available_timezones() if n.startswith(_REGIONS))
    return ("UTC", *names)


@cache
def _zone_lookup() -> dict[str, str]:
    """Map a lower-cased zone name to its canonical spelling (all zones, legacy aliases included)."""
    return {n.lower(): n for n in available_timezones()}


def parse_timezone(name: str) -> ZoneInfo:
    """Return the IANA zone named (case-insensitive, spaces for underscores); ValueError if unknown."""
    cleaned = name.strip().replace(" ", "_")
    canonical = _zone_lookup().get(cleaned.lower())
    if canonical:
        try:
            return ZoneInfo(canonical)
        except ZoneInfoNotFoundError:  # listed but unreadable: treat like unknown
            pass
    hints = timezone_choices(cleaned.split("/")[-1], limit=3) if cleaned else []
    if not hints and cleaned:  # a typo ("Europe/Berln"): closest spellings
        lowered = {n.lower(): n for n in _zone_names()}
        hints = [lowered[n] for n in difflib.get_close_matches(cleaned.lower(), lowered, n=3, cutoff=0.8)]
    hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
    raise ValueError(f"unknown time zone '{name.strip()}'{hint}: use an IANA name such as Europe/Berlin")


def timezone_choices(prefix: str, limit: int = 25) -> list[str]:
    """Suggest zone names for autocomplete: prefix matches, then city matches, then contains; common first."""
    query = prefix.strip().lower().replace(" ", "_")
    if not query:
        return list(COMMON_ZONES[:limit])
    common = {n: i for i, n in enumerate(COMMON_ZONES)}
    ranked: list[tuple[int, int, str]] = []
    for name in _zone_names():
        lower = name.lower()
        city = lower.rsplit("/", 1)[-1]
        if lower.startswith(query):
            rank = 0
        elif city.startswith(query):
            rank = 1
        elif query in lower:
            rank = 2
        else:
            continue
        ranked.append((rank, common.get(name, len(common)), name))
    ranked.sort()
    return [name for _, _, name in ranked[:limit]]


def _require_aware(value: datetime, what: str) -> None:
    """Refuse naive datetimes: a naive instant silently means the host's zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC)")


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of a wall-clock time on a local date.

    A time skipped by a spring-forward gap moves to the first valid instant after the gap (02:30 on the
    Berlin spring day is 03:00 CEST); a time repeated by an autumn fold is its first occurrence.
    """
    naive = datetime.combine(day, at.replace(tzinfo=None))
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first  # exists (fold=0 picks the earlier of two repeats)
    # In a gap: fold=1 reads it with the later offset, landing before the transition; fold=0 after it.
    # Binary search the transition instant between them (offsets are whole minutes; a few steps).
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high, after = first, first.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(zone).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high.replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Slot:
    """One occurrence of a schedule: when it is due (UTC) and its unique delivery key (the local date)."""

    due: datetime
    key: str


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A recurring wall-clock time on some weekdays in one IANA zone (weekly is a single weekday)."""

    days: frozenset[int]
    at: time
    tz: str

    def __post_init__(self) -> None:
        if not self.days or not self.days <= ALL_DAYS:
            raise ValueError(f"days must be ISO weekdays 1-7, got {sorted(self.days)}")
        if self.at.tzinfo is not None:
            raise ValueError("at is a wall-clock time: give it without a timezone")
        parse_timezone(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        """Return the schedule's zone."""
        return parse_timezone(self.tz)

    def slot_on(self, day: date) -> Slot | None:
        """Return the slot on a local date, or None if the schedule skips that weekday."""
        if day.isoweekday() not in self.days:
            return None
        return Slot(due=local_to_utc(day, self.at, self.zone), key=day.isoformat())

    def next_after(self, instant: datetime) -> Slot:
        """Return the first slot due strictly after an aware instant."""
        _require_aware(instant, "instant")
        start = instant.astimezone(self.zone).date()
        for offset in range(9):  # a weekly schedule's next slot is at most 8 local dates away
            slot = self.slot_on(start + timedelta(days=offset))
            if slot and slot.due > instant:
                return slot
        raise AssertionError("unreachable: every week has a scheduled day")

    def slots_between(self, start: datetime, end: datetime) -> list[Slot]:
        """Return the slots with start < due <= end, in order (the ones a restart may have missed)."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        day, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        slots: list[Slot] = []
        while day <= last:
            slot = self.slot_on(day)
            if slot and start < slot.due <= end:
                slots.append(slot)
            day += timedelta(days=1)
        return slots


def classify_missed(slots: Iterable[Slot], now: datetime, grace: timedelta) -> tuple[list[Slot], list[Slot]]:
    """Split past slots into (catch up, skip): due within `grace` before now is caught up, older skipped.

    Slots not yet due are in neither list. A slot exactly `grace` old is still caught up.
    """
    _require_aware(now, "now")
    catch_up: list[Slot] = []
    skip: list[Slot] = []
    for slot in slots:
        if slot.due > now:
            continue
        (catch_up if now - slot.due <= grace else skip).append(slot)
    return catch_up, skip


_UNITS = {
    "w": 7 * 86400,
    "week": 7 * 86400,
    "d": 86400,
    "day": 86400,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "m": 60,
    "min": 60,
    "minute": 60,
}
_DURATION_PART = re.compile(r"(\d+)\s*([a-z]+)")


def parse_duration(text: str) -> timedelta:
    """Parse a positive length: `90m`, `24h`, `2d`, `1d 12h`, `1h30m`, `2 days`."""
    cleaned = text.strip().lower()
    total, pos = 0, 0
    for match in _DURATION_PART.finditer(cleaned):
        unit = match.group(2)
        seconds = _UNITS.get(unit) or _UNITS.get(unit.removesuffix("s"))
        if cleaned[pos : match.start()].strip(" ,") or seconds is None:
            raise ValueError(f"can't read '{text.strip()}' as a duration: {DURATION_HELP}")
        total += int(match.group(1)) * seconds
        pos = match.end()
    if pos == 0 or cleaned[pos:].strip() or total <= 0:
        raise ValueError(f"can't read '{text.strip()}' as a duration: {DURATION_HELP}")
    return timedelta(seconds=total)


_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ t](.+))?$")
_IN_RE = re.compile(r"^in\s+(\d+)\s*([a-z]+)$")
_DAY_WORD_RE = re.compile(r"^(today|tomorrow|(?:next\s+)?[a-z]+)(?:\s+(?:at\s+)?(.+))?$")


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """Parse a member's moment in their zone into an aware UTC datetime; ValueError names the formats.

    `in N days/weeks` moves the local calendar (same wall time across DST); `in N hours/minutes` is elapsed
    time. A date without a time means its midnight. A weekday means the first such day after today.
    """
    _require_aware(now, "now")
    cleaned = " ".join(text.strip().lower().split())
    local_now = now.astimezone(tz)
    try:
        if match := _IN_RE.match(cleaned):
            amount, unit = int(match.group(1)), match.group(2)
            seconds = _UNITS.get(unit) or _UNITS.get(unit.removesuffix("s"))
            if seconds is None:
                raise ValueError(unit)
            if seconds >= 86400:
                day = local_now.date() + timedelta(days=amount * seconds // 86400)
                return local_to_utc(day, local_now.time().replace(tzinfo=None), tz)
            return now.astimezone(UTC) + timedelta(seconds=amount * seconds)
        if match := _DATE_RE.match(cleaned):
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            at = parse_clock(match.group(4)) if match.group(4) else time(0, 0)
            return local_to_utc(day, at, tz)
        if match := _DAY_WORD_RE.match(cleaned):
            word, clock = match.group(1), match.group(2)
            at = parse_clock(clock) if clock else time(0, 0)
            today = local_now.date()
            if word == "today":
                return local_to_utc(today, at, tz)
            if word == "tomorrow":
                return local_to_utc(today + timedelta(days=1), at, tz)
            number = _day_number(word.removeprefix("next").strip())
            if number is not None:
                ahead = (number - today.isoweekday() - 1) % 7 + 1  # 1..7: never today
                return local_to_utc(today + timedelta(days=ahead), at, tz)
    except ValueError:
        pass
    raise ValueError(f"can't read '{text.strip()}' as a time: {WHEN_HELP}")


def week_start(instant: datetime, tz: ZoneInfo) -> date:
    """Return the local Monday of the ISO week an aware instant falls in."""
    local = instant.astimezone(tz).date()
    return local - timedelta(days=local.isoweekday() - 1)


def weekly_streak(completions: Iterable[datetime], tz: ZoneInfo, now: datetime) -> int:
    """Count consecutive ISO weeks, ending this week, with at least one completion.

    The current week still counts as open: a streak through last week stays alive until this week ends.
    """
    _require_aware(now, "now")
    weeks = {week_start(c, tz) for c in completions}
    current = week_start(now, tz)
    if current not in weeks:
        current -= timedelta(days=7)
    streak = 0
    while current in weeks:
        streak += 1
        current -= timedelta(days=7)
    return streak
