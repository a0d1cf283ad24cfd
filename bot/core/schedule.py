"""When a channel's daily tip is due: parse subscription settings and apply them to a clock.

A schedule is a wall-clock time (`HH:MM`, 24 h), an IANA time zone and a set of days.
Everything here is pure: values in, values out, `ScheduleError` with a message a person
can act on when the input is wrong.

DST: the time is local wall-clock time, so 09:00 stays 09:00 across a change. On a
spring-forward day a time inside the gap posts at the first valid moment after it (the
end of the gap); on a fall-back day a repeated time posts at its first occurrence.
Catch-up: a post missed earlier the same local day is still due; one missed on an
earlier day is not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS = "weekdays"
DAILY = "daily"
DEFAULT_AT = "09:00"
DEFAULT_DAYS = WEEKDAYS
ACCEPTED_DAYS = "`weekdays`, `daily`, or days like `mon,wed,fri` (or a range like `mon-thu`)"
USAGE = "[HH:MM] [time zone] [days], e.g. `09:00 Europe/Berlin weekdays`"

_TIME = re.compile(r"(\d{1,2})(?:[:.h](\d{2})|h)")
_TIME_12H = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?([ap])m")
_TIME_DIGITS = re.compile(r"(\d{1,2})(\d{2})")
_AM_PM_APART = re.compile(r"(\d)\s+([ap]\.?m\.?)(?=\s|$)", re.IGNORECASE)
# Abbreviations and legacy zones with a fixed offset (or US rules only): a team that picks
# EST gets its tip an hour late all summer. Each maps to the city zone people mean.
_ABBREVIATIONS = {
    "America/New_York": ("EST", "EDT", "ET", "EST5EDT"),
    "America/Chicago": ("CST", "CDT", "CT", "CST6CDT"),
    "America/Denver": ("MST", "MDT", "MT", "MST7MDT"),
    "America/Los_Angeles": ("PST", "PDT", "PT", "PST8PDT"),
    "America/Anchorage": ("AKST", "AKDT"),
    "Pacific/Honolulu": ("HST",),
    "Europe/London": ("BST",),
    "Europe/Berlin": ("CET", "CEST", "MET", "MEST"),
    "Europe/Athens": ("EET", "EEST"),
    "Europe/Lisbon": ("WET", "WEST"),
    "Asia/Kolkata": ("IST",),
    "Asia/Tokyo": ("JST",),
    "Asia/Seoul": ("KST",),
    "Australia/Sydney": ("AEST", "AEDT"),
    "Pacific/Auckland": ("NZST", "NZDT"),
}
_ABBREVIATION_CITY = {abbr: city for city, names in _ABBREVIATIONS.items() for abbr in names}
_OFFSET = re.compile(r"(etc/)?(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_OFFSET_CITY = {
    -10 * 60: "Pacific/Honolulu",
    -9 * 60: "America/Anchorage",
    -8 * 60: "America/Los_Angeles",
    -7 * 60: "America/Denver",
    -6 * 60: "America/Chicago",
    -5 * 60: "America/New_York",
    -4 * 60: "America/Halifax",
    -3 * 60: "America/Sao_Paulo",
    1 * 60: "Europe/Berlin",
    2 * 60: "Europe/Athens",
    3 * 60: "Europe/Moscow",
    4 * 60: "Asia/Dubai",
    5 * 60: "Asia/Karachi",
    5 * 60 + 30: "Asia/Kolkata",
    7 * 60: "Asia/Bangkok",
    8 * 60: "Asia/Singapore",
    9 * 60: "Asia/Tokyo",
    10 * 60: "Australia/Sydney",
    12 * 60: "Pacific/Auckland",
}
_DAY_ALIASES = {
    "weekdays": WEEKDAYS,
    "weekday": WEEKDAYS,
    "workdays": WEEKDAYS,
    "daily": DAILY,
    "everyday": DAILY,
    "every-day": DAILY,
    "all": DAILY,
}
_UTC = dt.UTC


class ScheduleError(ValueError):
    """The schedule text is invalid; the message says what is accepted."""


class FixedZoneError(ScheduleError):
    """A zone abbreviation or fixed offset (EST, UTC-5) was given; the message names a city zone."""


@dataclass(frozen=True)
class Schedule:
    """A validated schedule in canonical form: at '09:00', tz 'Europe/Berlin', days 'weekdays'."""

    at: str
    tz: str
    days: str

    @property
    def zone(self) -> ZoneInfo:
        """The time zone object."""
        return _zone(self.tz)

    @property
    def weekdays(self) -> frozenset[int]:
        """The scheduled days as `date.weekday()` numbers (Monday = 0)."""
        return day_numbers(self.days)


# -- parsing ---------------------------------------------------------------------------


def parse_time(text: str) -> str:
    """A time as people type it -> 'HH:MM' (24 h). Raises ScheduleError when it is no time.

    Accepts '9:00', '09:00', '9.30', '9h30', '0900', '930', and 12-hour forms such as
    '9am', '9 a.m.', '9:30pm', '12am' (midnight) and '12pm' (noon). A bare '9' is refused:
    it could mean 09:00 or 21:00.
    """
    raw = text.strip()
    squeezed = re.sub(r"([ap])\.?m\.?$", r"\1m", raw.lower().replace(" ", ""))
    hour = minute = None
    if match := _TIME_12H.fullmatch(squeezed):
        h, m = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= h <= 12:
            hour, minute = h % 12 + (12 if match.group(3) == "p" else 0), m
    elif match := _TIME.fullmatch(squeezed):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
    elif match := _TIME_DIGITS.fullmatch(squeezed):
        hour, minute = int(match.group(1)), int(match.group(2))
    if hour is not None and minute is not None and hour < 24 and minute < 60:
        return f"{hour:02d}:{minute:02d}"
    raise ScheduleError(
        f"'{raw}' is not a valid time: use 24-hour HH:MM, e.g. 09:00 or 17:30 (or 9am, 5:30pm)."
    )


@cache
def _zone_names() -> dict[str, str]:
    # Case-insensitive lookup, so 'europe/berlin' finds 'Europe/Berlin'.
    return {name.lower(): name for name in available_timezones()}


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_tz(text: str) -> str:
    """An IANA time zone name in its canonical spelling. Raises ScheduleError when unknown."""
    raw = text.strip()
    _refuse_fixed_zone(raw)
    name = _zone_names().get(raw.lower())
    if name is not None:
        try:
            _zone(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    hint = ""
    city = raw.split("/")[-1].lower()
    if city:
        matches = sorted(n for n in _zone_names().values() if n.lower().endswith("/" + city))
        if matches:
            hint = f" (did you mean {' or '.join(matches[:3])}?)"
    raise ScheduleError(
        f"Unknown time zone '{raw}'{hint}: use an IANA name like Europe/Berlin or America/New_York."
    )


def _refuse_fixed_zone(raw: str) -> None:
    """Raise FixedZoneError for EST-like abbreviations and UTC/GMT offsets (not UTC itself)."""
    city = _ABBREVIATION_CITY.get(raw.upper())
    if city is None and (match := _OFFSET.fullmatch(raw)):
        minutes = int(match.group(3)) * 60 + int(match.group(4) or 0)
        # POSIX-style Etc/GMT+5 means five hours *behind* UTC.
        sign = -1 if (match.group(2) == "-") != bool(match.group(1)) else 1
        if minutes == 0:
            return
        city = _OFFSET_CITY.get(sign * minutes, "Europe/Berlin or America/New_York")
    if city is None:
        return
    raise FixedZoneError(
        f"'{raw}' is a fixed offset with no daylight saving, so the tip would move by an hour "
        f"for half the year: use a city zone such as {city}."
    )


def _day_token(token: str) -> frozenset[int] | None:
    """The days one token names ('mon', 'monday', 'mon-fri', 'weekdays'), or None."""
    token = token.strip().lower()
    if token in _DAY_ALIASES:
        return day_numbers(_DAY_ALIASES[token])
    if "-" in token:
        start, _, end = token.partition("-")
        first, last = _day_index(start), _day_index(end)
        if first is None or last is None:
            return None
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        return frozenset(span)
    index = _day_index(token)
    return None if index is None else frozenset({index})


def _day_index(word: str) -> int | None:
    # 'mon', 'monday', 'mondays' all name Monday; three letters are the least we accept.
    word = word.strip().lower().rstrip("s") if len(word) > 3 else word.strip().lower()
    for index, full in enumerate(_FULL_NAMES):
        if len(word) >= 3 and full.startswith(word):
            return index
    return None


def canonical_days(numbers: Iterable[int]) -> str:
    """Day numbers -> stored form: 'weekdays', 'daily', or 'mon,wed,fri' in week order."""
    numbers = frozenset(numbers)
    if numbers == frozenset(range(5)):
        return WEEKDAYS
    if numbers == frozenset(range(7)):
        return DAILY
    return ",".join(DAY_NAMES[i] for i in sorted(numbers))


def parse_days(text: str) -> str:
    """'weekdays', 'daily' or a comma list of days -> canonical form. Raises ScheduleError."""
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    numbers: set[int] = set()
    for part in parts:
        days = _day_token(part)
        if days is None:
            raise ScheduleError(f"'{part}' is not a day: use {ACCEPTED_DAYS}.")
        numbers |= days
    if not numbers:
        raise ScheduleError(f"No days given: use {ACCEPTED_DAYS}.")
    return canonical_days(numbers)


def day_numbers(days: str) -> frozenset[int]:
    """Canonical days -> `date.weekday()` numbers; an unknown stored value means weekdays."""
    if days == WEEKDAYS:
        return frozenset(range(5))
    if days == DAILY:
        return frozenset(range(7))
    numbers = frozenset(DAY_NAMES.index(d) for d in days.split(",") if d in DAY_NAMES)
    return numbers or frozenset(range(5))


def _is_days(token: str) -> bool:
    parts = [p for p in token.split(",") if p]
    return bool(parts) and all(_day_token(p) is not None for p in parts)


def parse_args(
    args: str | Sequence[str],
    *,
    default_tz: str | Callable[[], str] = "UTC",
    default_at: str = DEFAULT_AT,
    default_days: str = DEFAULT_DAYS,
) -> Schedule:
    """Parse `[HH:MM] [TZ] [days]` in any order into a Schedule; missing parts take the defaults.

    `default_tz` may be a function, called only when no zone is given (a Slack look-up
    is then skipped when the user names one).

    Raises ScheduleError naming the first part it cannot read and what is accepted.
    """
    text = args if isinstance(args, str) else " ".join(args)
    # 'mon, wed' is one list of days, not two words.
    text = re.sub(r"\s*,\s*", ",", text.strip())
    text = _AM_PM_APART.sub(r"\1\2", text)  # '9 am' is one time
    tokens = text.split()
    at = tz = None
    day_tokens: list[str] = []
    for token in tokens:
        if token[0].isdigit():
            if at is not None:
                raise ScheduleError(f"Two times given ({at} and {token}): give one time, {USAGE}.")
            at = parse_time(token)
        elif _is_days(token):
            day_tokens.append(token)
        elif "/" in token or token.lower() in _zone_names():
            if tz is not None:
                raise ScheduleError(f"Two time zones given ({tz} and {token}): give one, {USAGE}.")
            tz = parse_tz(token)
        else:
            try:
                parse_tz(token)
            except ScheduleError as exc:
                if isinstance(exc, FixedZoneError) or "did you mean" in str(exc):
                    raise
            raise ScheduleError(f"I could not read '{token}': use {USAGE}.")
    days = parse_days(",".join(day_tokens)) if day_tokens else parse_days(default_days)
    return Schedule(
        at=at or parse_time(default_at),
        tz=tz or parse_tz(default_tz() if callable(default_tz) else default_tz),
        days=days,
    )


def as_schedule(sub: Schedule | Mapping) -> Schedule:
    """A Schedule from a subscription row (a mapping with at, tz, days) or a Schedule."""
    if isinstance(sub, Schedule):
        return sub
    return Schedule(at=sub["at"], tz=sub["tz"], days=sub["days"])


def describe_days(days: str) -> str:
    """'weekdays' -> 'weekdays', 'daily' -> 'every day', 'mon,wed' -> 'Mon, Wed'."""
    if days == WEEKDAYS:
        return "weekdays"
    if days == DAILY:
        return "every day"
    return ", ".join(DAY_LABELS[i] for i in sorted(day_numbers(days)))


# -- the clock -------------------------------------------------------------------------


def local_date(tz: str, now: dt.datetime) -> dt.date:
    """The date in time zone `tz` at the aware instant `now`."""
    return now.astimezone(_zone(tz)).date()


def post_moment(sub: Schedule | Mapping, day: dt.date) -> dt.datetime:
    """The aware UTC instant of the post on local date `day` (DST handled, see module doc)."""
    sched = as_schedule(sub)
    zone = sched.zone
    hour, minute = (int(x) for x in sched.at.split(":"))
    wall = dt.datetime.combine(day, dt.time(hour, minute))
    for step in range(24 * 60):
        candidate = wall + dt.timedelta(minutes=step)
        aware = candidate.replace(tzinfo=zone)  # fold=0: the first of a repeated time
        if aware.astimezone(_UTC).astimezone(zone).replace(tzinfo=None) == candidate:
            return aware.astimezone(_UTC)
    return wall.replace(tzinfo=zone).astimezone(_UTC)  # pragma: no cover - no 24 h gaps today


def is_scheduled_day(sub: Schedule | Mapping, day: dt.date) -> bool:
    """Whether the subscription posts on local date `day`."""
    return day.weekday() in as_schedule(sub).weekdays


def due_date(sub: Schedule | Mapping, now: dt.datetime) -> str | None:
    """The local date (YYYY-MM-DD) whose post is due at aware instant `now`, or None.

    Due means: today (in the subscription's zone) is a scheduled day, not before the
    subscription's `starts_on` day, and its post time has passed. Earlier days are never
    due, so a long downtime makes at most today's post.
    """
    if now.tzinfo is None:
        raise ValueError("due_date needs an aware datetime (UTC)")
    sched = as_schedule(sub)
    today = local_date(sched.tz, now)
    if not is_scheduled_day(sched, today) or today.isoformat() < _starts_on(sub):
        return None
    if now < post_moment(sched, today):
        return None
    return today.isoformat()


def _starts_on(sub: Schedule | Mapping) -> str:
    """A subscription row's first day to post (YYYY-MM-DD), '' for none (or a bare Schedule)."""
    value = sub.get("starts_on") if isinstance(sub, Mapping) else None
    return value if isinstance(value, str) else ""


def next_post(sub: Schedule | Mapping, now: dt.datetime) -> dt.datetime:
    """The aware UTC instant of the next scheduled post strictly after `now`.

    Never before a subscription row's `starts_on` day (which is at most a week ahead,
    hence the two weeks looked at).
    """
    sched = as_schedule(sub)
    today, starts_on = local_date(sched.tz, now), _starts_on(sub)
    for offset in range(15):
        day = today + dt.timedelta(days=offset)
        if is_scheduled_day(sched, day) and day.isoformat() >= starts_on:
            moment = post_moment(sched, day)
            if moment > now:
                return moment
    raise ValueError(f"no scheduled day in {sched.days!r}")  # pragma: no cover


def time_in_zone(sub: Schedule | Mapping, tz: str, now: dt.datetime) -> str:
    """The subscription's next post time as seen in zone `tz`: '03:00', or '23:00 (day before)'.

    DST-correct for the next post after `now` (offsets differ by date). Raises
    ScheduleError when `tz` is no usable zone.
    """
    sched = as_schedule(sub)
    viewer = _zone(parse_tz(tz))
    moment = next_post(sched, now)
    there = moment.astimezone(sched.zone)
    here = moment.astimezone(viewer)
    shift = (here.date() - there.date()).days
    note = {-1: " (day before)", 1: " (next day)"}.get(shift, "")
    return f"{here:%H:%M}{note}"
