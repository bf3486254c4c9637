"""How numbers, amounts and units read in a report. Used by the report stage and offered to
templates as filters, so a number never reads two ways."""

from __future__ import annotations

from sitrep.errors import describe_value, excerpt
from sitrep.language import active, format_decimal, gettext, ngettext
from sitrep.source import vocabulary as vocab
from sitrep.source.schema import Amount


def format_number(number: float | int) -> str:
    """30000 -> '30,000'; 2.5 -> '2.5'; in the edition's language: '30 000' (fr)."""
    return format_decimal(number)


def format_range(low: float, high: float) -> str:
    """'30,000–40,000' (an en dash, as style guides ask for ranges)."""
    if low == high:
        return format_number(low)
    return f"{format_number(low)}–{format_number(high)}"


def amount_number(amount: Amount) -> str:
    """The bare number or range of an amount: '30', '30,000–40,000'."""
    if amount.value is not None:
        return format_number(amount.value)
    return format_range(amount.low, amount.high)


def unit_word(unit: str, amount: Amount | None = None) -> str:
    """The unit as the amount reads: 'person' for exactly 1, 'people' for a range or an
    unknown number; in Arabic, the form its number takes (of six)."""
    singular, plural = vocab.UNITS.get(unit, (unit, unit))
    if amount is None:
        return ngettext(singular, plural, PLURAL)  # a unit in general: 'people'
    return ngettext(singular, plural, _count_of(amount.value if amount.value is not None else amount.high))


# A count that takes the plain plural in every language sitrep speaks: 'people', 'personnes',
# 'أشخاص' (2 would take Arabic's dual, 11 its singular accusative).
PLURAL = 3


def _count_of(number: float | int) -> int:
    """The count a unit agrees with; a fraction takes the plain plural ('2.5 days')."""
    return int(number) if float(number).is_integer() else PLURAL


def format_amount(amount: Amount, unit: str | None = None) -> str:
    """'about 30,000–40,000 people', 'at least 30', 'less than 2 meals'."""
    words = [gettext(vocab.QUALIFIERS[amount.qualifier]), amount_number(amount)]
    if unit:
        words.append(unit_word(unit, amount))
    return " ".join(w for w in words if w)


def amount_bounds(amount: Amount) -> tuple[float, float]:
    if amount.value is not None:
        return amount.value, amount.value
    return amount.low, amount.high


def format_count(number: float | int, unit: str) -> str:
    """A number with its unit, singular or plural: (30000, 'people') -> '30,000 people',
    (1, 'families') -> '1 family'."""
    if unit not in vocab.UNITS:
        raise ValueError(f"unknown unit '{unit}' (expected one of: {', '.join(vocab.UNITS)})")
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise ValueError(f"the unit filter needs a number, not {describe_value(number, from_yaml=False)}")
    singular, plural = vocab.UNITS[unit]
    return f"{format_number(number)} {ngettext(singular, plural, _count_of(number))}"


DATE_FORMATS = ("short", "medium", "long", "full")


def format_date(value: object, format: str = "long") -> str:
    """A date in the edition's language: date(2016, 7, 3) -> '3 July 2016' (en), '3 juillet 2016'
    (fr), '3 تموز 2016' (ar, region IQ). `format` is short, medium, long, full, or a CLDR pattern such as
    'd MMM y' or 'EEEE d MMMM'. Also takes 'YYYY-MM-DD', and 'YYYY-MM' for a month ('July 2016')."""
    import datetime as dt

    from babel.dates import format_date as babel_format_date
    from babel.dates import format_skeleton

    language = active()
    locale = language.locale
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 7:  # a month, printed as a month
                month = dt.date.fromisoformat(text + "-01")
                return language.with_digits(format_skeleton("yMMMM", month, locale=locale))
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"the date filter needs a date, not '{excerpt(value)}' (expected a date such as "
                             "report.as_of_date, or text like 2016-07-03 or 2016-07)") from None
    if not isinstance(value, dt.date):
        raise ValueError(f"the date filter needs a date, not {describe_value(value, from_yaml=False)}")
    return language.with_digits(babel_format_date(value, format, locale=locale))


# --- Several reports of one figure ---------------------------------------------------------

def span_of(reports: list[Amount]) -> tuple[float, float]:
    """The range several reports of one figure span."""
    bounds = [amount_bounds(f) for f in reports]
    return min(b[0] for b in bounds), max(b[1] for b in bounds)


def span_text(reports: list[Amount]) -> str:
    """The range several reports span, '30,000–40,000'; when they qualify their numbers
    differently, each end keeps its own words: 'less than 8,000 to about 30,000' (a source's
    'less than 8,000' is not a low bound of 8,000)."""
    low, high = span_of(reports)
    if len({f.qualifier for f in reports}) <= 1:
        return format_range(low, high)
    lowest = min(reports, key=lambda f: amount_bounds(f)[0])
    highest = max(reports, key=lambda f: amount_bounds(f)[1])
    if lowest is highest:
        return format_amount(lowest)
    return gettext("%(low)s to %(high)s") % {"low": format_amount(lowest), "high": format_amount(highest)}


def common_qualifier(reports: list[Amount]) -> str:
    """'about' when every report says so; '' when they qualify their numbers differently."""
    qualifiers = {f.qualifier for f in reports}
    return gettext(vocab.QUALIFIERS[qualifiers.pop()]) if len(qualifiers) == 1 else ""


def clean_text(text: str | None) -> str | None:
    """Text as one paragraph: YAML's folded line breaks and runs of spaces made single spaces."""
    return " ".join(text.split()) if text else text


def format_list(items: list[str]) -> str:
    """Several items as one phrase in the edition's language: 'a, b and c', 'a, b et c'."""
    from babel.lists import format_list as babel_format_list

    return babel_format_list(items, locale=active().locale) if len(items) > 1 else "".join(items)


def dated(value: str, date: str) -> str:
    """A value with the date of its report: 'about 3,000 (as of 20 February 2016)'."""
    return gettext("%(value)s (as of %(date)s)") % {"value": value, "date": date}
