"""Imprecise dates and ISO weeks.

Facts are often known only to the week or the month ("in June 2016"), so a store date says its
own precision by how it is written (ISO 8601, as in EDTF level 0):

    2016-06-03             a day
    2016-W23               an ISO week (Monday to Sunday)
    2016-06                a month
    2016                   a year
    2016-06-01/2016-06-15  a span; either end may itself be a week, month or year

A `FuzzyDate` is the span of days it may fall on; a report's week shows every fact whose span
overlaps it, and prints the date with the precision it was recorded with.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

from sitrep.errors import describe_value, excerpt
from sitrep.language import date_interval, date_pattern, format_integer, gettext, month_name

YEARS = range(1800, 2200)  # the store documents events, not the far past or future
DATE_FORMS = "YYYY-MM-DD, YYYY-Www (ISO week), YYYY-MM, YYYY, or START/END"
FUZZY_DATE_PATTERN = r"^\d{4}(-(W\d{2}|\d{2}(-\d{2})?))?(/\d{4}(-(W\d{2}|\d{2}(-\d{2})?))?)?$"

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> "IsoWeek":
        match = _WEEK.match(str(text).strip())
        if not match:
            raise ValueError(f"'{excerpt(text)}' is not an ISO week (expected YYYY-Www, such as 2016-W23)")
        year, week = int(match[1]), int(match[2])
        try:
            dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"'{text}' is not an ISO week: {year} has no week {week}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, day: dt.date) -> "IsoWeek":
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @property
    def start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)

    def shifted(self, weeks: int) -> "IsoWeek":
        return IsoWeek.containing(self.start + dt.timedelta(weeks=weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class FuzzyDate:
    """A date known to a day, week, month or year, or a span between two such dates."""

    start: dt.date
    end: dt.date
    precision: str  # day | week | month | year | span
    text: str  # as written in the store

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and self.end >= first

    def __str__(self) -> str:
        return self.text


def parse_fuzzy_date(value: object) -> FuzzyDate:
    """Accept a YAML date or one of the text forms above; raise ValueError otherwise."""
    if isinstance(value, FuzzyDate):
        return value
    if isinstance(value, dt.datetime):
        raise ValueError(f"'{value}' has a time of day; expected a date ({DATE_FORMS})")
    if isinstance(value, dt.date):
        if value.year not in YEARS:
            raise ValueError(f"'{value}' is outside the years {YEARS.start}-{YEARS.stop - 1}; expected a real date")
        return FuzzyDate(value, value, "day", value.isoformat())
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"found {describe_value(value)}; expected a date ({DATE_FORMS})")
    text = str(value).strip()
    if "/" in text:
        left, _, right = text.partition("/")
        first, last = _parse_single(left, text), _parse_single(right, text)
        if last.end < first.start:
            raise ValueError(f"'{excerpt(text)}' ends before it starts; expected START/END with START first")
        return FuzzyDate(first.start, last.end, "span", text)
    return _parse_single(text, text)


def _parse_single(text: str, whole: str) -> FuzzyDate:
    if text[:4].isdigit() and int(text[:4]) not in YEARS:
        raise ValueError(f"'{excerpt(whole)}' is outside the years {YEARS.start}-{YEARS.stop - 1}; "
                         "expected a real date")
    # Each impossible date is explained in our words, not the datetime module's ("day is out
    # of range for month").
    if m := _DAY.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        last = _days_in_month(year, month, whole)
        if not 1 <= day <= last:
            why = "there is no day 0" if day == 0 else f"{dt.date(year, month, 1):%B %Y} has {last} days"
            raise _not_real(whole, why)
        return FuzzyDate(dt.date(year, month, day), dt.date(year, month, day), "day", text)
    if m := _WEEK.match(text):
        try:
            week = IsoWeek.parse(text)
        except ValueError:
            raise _not_real(whole, f"{m[1]} has no week {int(m[2])}") from None
        return FuzzyDate(week.start, week.end, "week", text)
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        last = _days_in_month(year, month, whole)
        return FuzzyDate(dt.date(year, month, 1), dt.date(year, month, last), "month", text)
    if m := _YEAR.match(text):
        year = int(m[1])
        return FuzzyDate(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", text)
    raise ValueError(f"'{excerpt(whole)}' is not a date; expected {DATE_FORMS}")


def _days_in_month(year: int, month: int, whole: str) -> int:
    if not 1 <= month <= 12:
        raise _not_real(whole, f"there is no month {month}")
    return calendar.monthrange(year, month)[1]


def _not_real(whole: str, why: str) -> ValueError:
    return ValueError(f"'{excerpt(whole)}' is not a real date ({why})")


def known_on(date: FuzzyDate, reported: Iterable[FuzzyDate | None] = ()) -> tuple[dt.date, str]:
    """The day a dated fact became known, and why (docs/report.md, "When a fact enters the
    series"): the earliest day a citation reported it (one dated to a week or month counts from
    that period's last day, the latest it can have been reported), even when that is after the
    fact's own date, for nothing is known before a source reported it. Without a dated
    citation, the last day its date can mean (a fact dated to June 2016 is known on 30 June)."""
    first = first_report(reported)
    return known_day(date, first), why_known(date, first)


def first_report(reported: Iterable[FuzzyDate | None]) -> FuzzyDate | None:
    """The citation date that sets the day a fact became known: the one that ends first."""
    dated = [when for when in reported if when is not None]
    return min(dated, key=lambda when: when.end) if dated else None


def known_day(date: FuzzyDate, first: FuzzyDate | None) -> dt.date:
    """known_on's day, from the fact's date and its first_report."""
    return date.end if first is None else first.end


def why_known(date: FuzzyDate, first: FuzzyDate | None) -> str:
    """known_on's reason, in words. Apart from known_day because it formats dates in the
    edition's language, which loads Babel: a command that never shows it need not pay for it."""
    if first is None:
        if date.precision == "day":
            return f"its date, {format_fuzzy(date)}"
        return f"the last day of its date, {format_fuzzy(date)}"
    return f"a citation reported it {'on' if first.precision == 'day' else 'in'} {format_fuzzy(first)}"


def format_day(day: dt.date) -> str:
    """'3 July 2016' in the active edition's language: '3 juillet 2016', '3 تموز 2016'."""
    return date_pattern(day, "yMMMMd")


def format_fuzzy(date: FuzzyDate) -> str:
    """A date as a reader should see it, no more precise than it was recorded."""
    if date.precision == "day":
        return format_day(date.start)
    if date.precision == "week":
        week = IsoWeek.containing(date.start)
        return gettext("week %(week)s of %(year)s (%(days)s)") % {
            "week": format_integer(week.week), "year": format_integer(week.year),
            "days": format_span(date.start, date.end)}
    if date.precision == "month":
        return date_pattern(date.start, "yMMMM")
    if date.precision == "year":
        return format_integer(date.start.year)
    left, _, right = date.text.partition("/")
    first, last = _parse_single(left.strip(), date.text), _parse_single(right.strip(), date.text)
    if first.precision == last.precision == "day":
        return format_span(first.start, last.end)
    if (first.start, first.end) == (last.start, last.end):
        return format_fuzzy(first)  # '2016-06/2016-06': one month
    # Each end as precise as it was written: '15 January – February 2025', 'week 23 – June 2016';
    # the first end without the year when both ends share it (and the first is not a year).
    same_year = first.start.year == last.end.year and first.precision != "year"
    return f"{_end(first, with_year=not same_year)} – {_end(last, with_year=True)}"


def _end(date: FuzzyDate, with_year: bool) -> str:
    """One end of a span, as precise as it was written."""
    if date.precision == "day":
        return format_day(date.start) if with_year else date_pattern(date.start, "MMMMd")
    if date.precision == "month":
        return date_pattern(date.start, "yMMMM") if with_year else month_name(date.start)
    if date.precision == "week":
        week = IsoWeek.containing(date.start)
        if with_year:
            return gettext("week %(week)s of %(year)s") % {"week": format_integer(week.week),
                                                            "year": format_integer(week.year)}
        return gettext("week %(week)s") % {"week": format_integer(week.week)}
    return format_integer(date.start.year)


def format_span(first: dt.date, last: dt.date) -> str:
    """'6–12 June 2016', '30 May – 5 June 2016', '28 December 2015 – 3 January 2016', with the
    month names and digits of the active language."""
    if first == last:
        return format_day(first)
    if not format_day(last)[:1].isdigit():
        return date_interval(first, last)  # a month-first locale (en-US): 'Jun 6 – 12, 2016', as CLDR writes it
    if (first.year, first.month) == (last.year, last.month):
        return f"{format_integer(first.day)}–{format_day(last)}"
    if first.year == last.year:
        return f"{date_pattern(first, 'MMMMd')} – {format_day(last)}"
    return f"{format_day(first)} – {format_day(last)}"
