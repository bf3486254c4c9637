"""The filters sitrep adds to Jinja's own (docs/templates.md, 'Filters', has an example of each):
numbers, amounts and dates in the edition's language, citations, store text with its language
marks, and the charts and map as inline SVG."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Iterable

from markupsafe import Markup, escape

from sitrep import language
from sitrep.render.charts import trend_svg
from sitrep.render.maps import map_legend, map_svg
from sitrep.render.theme import css_counters, css_string
from sitrep.report.formatting import format_amount, format_count, format_date, format_number, format_range
from sitrep.report.passage import marked
from sitrep.source.schema import Amount


def date_filter(value: object, format: str = "long") -> str:
    """A date in the edition's language: report.as_of_date -> '3 July 2016' (en), '3 juillet 2016'
    (fr); format short, medium, long (default), full, or a pattern such as 'd MMM y'."""
    return format_date(value, format)


def amount_filter(amount: object, unit: str | None = None) -> str:
    """'about 30,000–40,000 people' from an amount: a store figure, or a mapping written in the
    template such as {"low": 30000, "high": 40000, "qualifier": "about"}."""
    if isinstance(amount, Mapping):
        amount = Amount.model_validate(dict(amount))
    return format_amount(amount, unit)


def cite_markup(numbers: Iterable[int]) -> Markup:
    """Citation numbers as superscript links to the sources list: [1, 3]."""
    numbers = list(numbers)
    if not numbers:
        return Markup("")
    links = escape(language.gettext(", ")).join(
        Markup(f'<a href="#source-{n}">{escape(language.format_integer(n))}</a>') for n in numbers)
    return Markup(f'<sup class="cite">[{links}]</sup>')


def prose_markup(prose: object) -> Markup:
    """A paragraph or highlight (report.Prose): its text, escaped, each citation right after
    the words it sources. Plain text is printed as it is."""
    parts = getattr(prose, "parts", None)
    if parts is None:
        return Markup(escape(str(prose)))
    text = Markup("").join(Markup(escape(part.text)) + cite_markup(part.citations) for part in parts)
    # An untranslated paragraph keeps its language (and says so); a stale translation says so.
    return Markup(marked(text, prose.lang, prose.direction, untranslated=prose.lang is not None, stale=prose.stale))


def plain_text(value: object) -> str:
    """The text alone: a Passage (store text, report/passage.py) prints marked with its language
    and as HTML; in an attribute, a title or a chart's label only its words can go. (Jinja's
    `string` filter keeps a string's own type, and so its marks.)"""
    if isinstance(value, Markup):  # a translated message: its words, not their HTML escapes
        return value.unescape()
    return str.__str__(value) if isinstance(value, str) else str(value)


def local_names_markup(names: dict[str, str]) -> Markup:
    """A place's names in other languages, each marked with its language and direction."""
    spans = [Markup(f'<span class="local-name" lang="{escape(lang)}"'
                    f'{" dir=rtl" if lang.split("-")[0] in language.RTL_LANGUAGES else ""}>'
                    f'{escape(name)}</span>') for lang, name in names.items()]
    return Markup(" · ").join(spans)


# The filters sitrep adds to Jinja's own; docs/templates.md, 'Filters', has an example of each.
SITREP_FILTERS = {
    "number": format_number,
    "range": format_range,
    "amount": amount_filter,
    "unit": format_count,
    "date": date_filter,  # in the language of the edition being rendered
    "cite": cite_markup,
    "prose": prose_markup,  # a paragraph or highlight with its citations: {{ paragraph | prose }}
    "local_names": local_names_markup,
    "css_string": css_string,
    "css_counters": css_counters,
    "plain": plain_text,  # store text without its language marks, for an attribute: alt="{{ name | plain }}"  # 'Page {page} of {pages}' as CSS content, with page counters
    "trend_chart": trend_svg,
    "map_svg": map_svg,  # the week's map as inline SVG: report.map | map_svg(colours=theme.colours)
    "map_legend": map_legend,  # what its lines and symbols mean, its key, the basemap's credits  # a key figure's trend as inline SVG: figure.trend | trend_chart(figure.label)
}
