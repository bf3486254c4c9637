"""The sandbox templates run in: Jinja's immutable sandbox, with what no report needs taken away.

A template reaches the documented context, filters and globals and nothing of Python beneath
them (Jinja's sandbox). On top of it, sitrep refuses, with a message naming what was asked:

- a value bigger than any report needs, *before* it is built: `'x' * n`, `'x'|center(n)`,
  `'%*d' % (n, 1)`, `'{:>n}'.format(x)`, `replace`, `expandtabs`, `join`, `batch`, `slice`
  and the like, so that the common ways of filling the memory stop at once with a clear error.
  What cannot be foreseen here (a string doubled in a loop, loops within loops) is stopped by
  the render's time and memory budget (render/budget.py), which is the real guarantee;
- the building machine's clock and time zone (`report.period_start.today()`, `now`): a report
  says what its store says, and the same store gives the same report on any day and machine.
"""

from __future__ import annotations

import datetime
import functools
import re
import string
import types

import jinja2.sandbox
from jinja2.sandbox import SecurityError

# The longest string or list a template may build in one step, and the largest power: a
# report is some hundred kilobytes, and a template must not fill the memory.
MAX_BUILT_LENGTH = 10_000_000
MAX_POWER_BITS = 100_000
# What reads the machine's clock or its time zone, on a date, a datetime or a time.
CLOCK_ATTRIBUTES = frozenset({"today", "now", "utcnow", "fromtimestamp", "utcfromtimestamp", "timestamp",
                              "astimezone"})
CLOCK_MESSAGE = "reads the building machine's clock or time zone, which no report may depend on"


class TooLarge(SecurityError):
    """A value a template asked for that is bigger than any report needs."""

    expected = f"text and lists of at most {MAX_BUILT_LENGTH:,} characters or items"


class ReadsTheClock(SecurityError):
    expected = "a date the report gives, such as report.as_of_date or report.period_end"


class SandboxedEnvironment(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, bounded (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "%"})  # intercepted, these are never computed at compile time

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                    _check_length(len(sequence) * times, "the expression would build")
        elif (operator == "**" and isinstance(left, int) and isinstance(right, int)
              and abs(left) > 1 and right * max(abs(left).bit_length(), 1) > MAX_POWER_BITS):
            raise TooLarge("the power is too large to compute")
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left, right)
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj, attr, value):
        clock_types = (datetime.date, datetime.time)  # a datetime is a date
        if attr in CLOCK_ATTRIBUTES and (isinstance(obj, clock_types)
                                         or isinstance(obj, type) and issubclass(obj, clock_types)):
            raise ReadsTheClock(f"'{attr}' of a {type(obj).__name__} {CLOCK_MESSAGE}")
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value):
        """Every attribute a template looks up passes here (Jinja wraps `str.format` in it):
        the str methods that can build a big string come back bounded."""
        wrapped = super().wrap_str_format(value)
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)):
            return wrapped
        text = getattr(value, "__self__", None)
        if not isinstance(text, str):
            return wrapped
        if wrapped is not None:  # format, format_map
            return _checked(wrapped, _str_format_check(text, value.__name__))
        check = _STR_METHOD_CHECKS.get(value.__name__)
        return _checked(value, functools.partial(check, text)) if check else None


def bounded_filters(filters: dict) -> dict:
    """Jinja's filters that can build a big value, each checking its arguments first."""
    return {name: _checked_filter(filters[name], check) for name, check in _FILTER_CHECKS.items()}


# --- The checks ------------------------------------------------------------------------------

def _check_length(length: int, what: str = "the template would build") -> None:
    if length > MAX_BUILT_LENGTH:
        raise TooLarge(f"{what} {length:,} characters or items")


def _check_width(width: object, what: str = "a width") -> None:
    if isinstance(width, int) and width > MAX_BUILT_LENGTH:
        raise TooLarge(f"{what} of {width:,}")


def _checked(function, check):
    """`function`, calling `check(*args, **kwargs)` first."""

    def bounded(*args, **kwargs):
        check(*args, **kwargs)
        return function(*args, **kwargs)

    return bounded


def _checked_filter(function, check):
    """A filter that checks its arguments first; Jinja's eval-context or environment argument,
    when the filter takes one, is passed through unchecked."""
    passes_context = getattr(function, "jinja_pass_arg", None) is not None

    @functools.wraps(function)  # keeps jinja_pass_arg
    def bounded(*args, **kwargs):
        check(*(args[1:] if passes_context else args), **kwargs)
        return function(*args, **kwargs)

    return bounded


_PERCENT_SPEC = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent_format(text: str, values: object) -> None:
    """`text % values`: no width or precision, written or taken from `values` (`*`), past the bound."""
    stars = False
    for spec in _PERCENT_SPEC.finditer(text):
        for number in spec.groups():
            if number == "*":
                stars = True
            elif number:
                _check_width(int(number), "a width or precision")
    if stars:
        for value in values if isinstance(values, tuple) else (values,):
            _check_width(value, "a width or precision")


def _str_format_check(text: str, method: str):
    def check(*args, **kwargs):
        values = [*args, *kwargs.values()]
        if method == "format_map" and args and isinstance(args[0], dict):
            values = list(args[0].values())
        _check_format_spec(text, values)

    return check


def _check_format_spec(text: str, values: list) -> None:
    """`text.format(*values)`: no width or precision in a field's spec past the bound, nor in a
    value a nested field (`{:>{w}}`) takes it from."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # a malformed format string: str.format says what is wrong with it
    for _, _, spec, _ in fields:
        for number in re.findall(r"\d+", spec or ""):
            _check_width(int(number), "a width or precision")
        if spec and "{" in spec:
            for value in values:
                _check_width(value, "a width or precision")


def _check_join(separator: str, items: object) -> None:
    if isinstance(items, (list, tuple)):
        _check_length(len(separator) * max(len(items) - 1, 0) + sum(len(i) for i in items if isinstance(i, str)),
                      "joining would build")


def _check_replace(text: str, old: object, new: object, count: object = -1) -> None:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        times = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            times = min(times, count)
        _check_length(len(text) + times * (len(new) - len(old)), "replacing would build")


def _check_expandtabs(text: str, tabsize: object = 8) -> None:
    if isinstance(tabsize, int):
        _check_length(len(text) + text.count("\t") * tabsize, "expanding tabs would build")


_STR_METHOD_CHECKS = {
    "center": lambda text, width, *_: _check_width(width),
    "ljust": lambda text, width, *_: _check_width(width),
    "rjust": lambda text, width, *_: _check_width(width),
    "zfill": lambda text, width: _check_width(width),
    "expandtabs": _check_expandtabs,
    "replace": _check_replace,
    "join": lambda separator, items: _check_join(separator, items),
}


def _join_filter_check(value, d="", attribute=None):
    if attribute is None and isinstance(value, (list, tuple)):
        _check_join(str(d), value)


def _indent_filter_check(s, width=4, first=False, blank=False):
    if isinstance(width, int):
        _check_length(len(str(s)) + (str(s).count("\n") + 1) * width, "indenting would build")
    elif isinstance(width, str):
        _check_length(len(str(s)) + (str(s).count("\n") + 1) * len(width), "indenting would build")


_FILTER_CHECKS = {
    "center": lambda value, width=80: _check_width(width),
    "indent": _indent_filter_check,
    "format": lambda value, *args, **kwargs: _check_percent_format(str(value), tuple(kwargs.values()) or args),
    "join": _join_filter_check,
    "replace": lambda s, old, new, count=None: _check_replace(str(s), old, new, -1 if count is None else count),
    "batch": lambda value, linecount, fill_with=None: _check_width(linecount, "a batch"),
    "slice": lambda value, slices, fill_with=None: _check_width(slices, "a number of slices"),
}
