"""Store text as an edition prints it (docs/languages.md, "Translations"): a Passage is a string that knows
its language, whether it is an untranslated original or a stale translation, and prints marked
as such in HTML; Joined is sitrep's own words and store text in one string, each part marked as
it needs. report/translation.py makes them; templates print them.
"""

from __future__ import annotations

import html

from sitrep.language import gettext


class Passage(str):
    """Store text as an edition prints it: a string, with what a reader must know about its
    language. In the edition's language it prints as it is. Without a translation it is the
    original, `lang` says its language, and it prints marked as untranslated, in an element
    whose `lang` gives hyphenation, fonts and screen readers the right language. A translation
    made from an earlier version of its original (`stale`) prints marked as possibly out of
    date. In an HTML attribute, print it with `| plain`: its words without the marks."""

    lang: str | None  # the text's language when it is not the edition's ('en' in an Arabic edition)
    direction: str | None  # 'rtl' or 'ltr' when it differs from the edition's
    untranslated: bool  # the original, printed for want of a translation: marked with its language
    stale: bool  # a translation made before its original last changed

    def __new__(cls, text: str, lang: str | None = None, direction: str | None = None, *,
                untranslated: bool = False, stale: bool = False):
        passage = super().__new__(cls, text)
        passage.lang, passage.direction = lang, direction
        passage.untranslated, passage.stale = untranslated, stale
        return passage

    def __reduce__(self):
        return (_passage, (str(self), self.lang, self.direction, self.untranslated, self.stale))

    def __html__(self) -> str:
        """What Jinja prints for {{ passage }}: the escaped text, marked as its language needs."""
        return marked(html.escape(str(self)), self.lang, self.direction, self.untranslated, self.stale)


def marked(inner_html: str, lang: str | None, direction: str | None, untranslated: bool, stale: bool) -> str:
    """HTML of a text (a Passage, a paragraph of Prose) in the element its language needs, and
    followed by the marks of an untranslated text (its language code) or a stale translation (†)."""
    if lang:
        attributes = f" lang='{html.escape(lang)}'" + (f" dir='{direction}'" if direction else "")
        inner_html = f"<span{attributes}>{inner_html}</span>"
    if untranslated and lang:
        title = html.escape(gettext("Not yet translated: shown in its original language"))
        inner_html += f"<sup class='language-mark' title='{title}'>{html.escape(lang.upper())}</sup>"
    if stale:
        title = html.escape(gettext("Translated from an earlier version of the original text"))
        inner_html += f"<sup class='stale-mark' title='{title}'>†</sup>"
    return inner_html


class Joined(str):
    """sitrep's own words and store text joined into one string ('30 killed. Many of the dead
    were women.'): each part prints as it needs, so that an untranslated part alone is marked
    with its language, never the words sitrep wrote in the edition's."""

    parts: tuple[str, ...]

    def __new__(cls, *parts: str):
        joined = super().__new__(cls, "".join(parts))
        joined.parts = parts
        return joined

    def __reduce__(self):
        return (Joined, self.parts)

    def __html__(self) -> str:
        return "".join(part.__html__() if hasattr(part, "__html__") else html.escape(part) for part in self.parts)


def _passage(text, lang, direction, untranslated, stale) -> Passage:
    return Passage(text, lang, direction, untranslated=untranslated, stale=stale)
