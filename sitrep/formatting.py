"""How numbers, amounts and units read in a report. Used by the report stage and offered to
templates as filters, so a number never reads two ways."""

from __future__ import annotations

from . import vocabulary as vocab
from .schema import Amount


def format_number(number: float | int) -> str:
    """30000 -> '30,000'; 2.5 -> '2.5'."""
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if isinstance(number, int):
        return f"{number:,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


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
    singular, plural = vocab.UNITS.get(unit, (unit, unit))
    if amount is not None and amount.value == 1 and amount.qualifier in ("exact", "about"):
        return singular
    return plural


def format_amount(amount: Amount, unit: str | None = None) -> str:
    """'about 30,000–40,000 people', 'at least 30', 'less than 2 meals'."""
    words = [vocab.QUALIFIERS[amount.qualifier], amount_number(amount)]
    if unit:
        words.append(unit_word(unit, amount))
    return " ".join(w for w in words if w)


def amount_bounds(amount: Amount) -> tuple[float, float]:
    if amount.value is not None:
        return amount.value, amount.value
    return amount.low, amount.high
