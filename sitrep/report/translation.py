"""The store's own words in the edition's language (docs/languages.md, "Translations").

A free-text field of the store is written in one language, with translations beside it
(schema.LocalText). An edition prints the text in its own language when the store has it;
otherwise the original, marked as untranslated and tagged with its language (so that it is
hyphenated, voiced and shaped as that language). A translation made from an earlier version of
its original is printed, marked as possibly out of date. Names of places and actors come from
their `names:`, unmarked: a name in another script is still the place's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sitrep.language import RTL_LANGUAGES, Language, fingerprint
from sitrep.report.passage import Passage
from sitrep.source.schema import LocalText
from sitrep.source.untranslated import same_language


@dataclass(frozen=True)
class Choice:
    """Which text of a LocalText an edition prints."""

    text: str
    lang: str | None  # the text's language when it is not the edition's
    direction: str | None  # its direction when that differs from the edition's
    untranslated: bool
    stale: bool


def stale_translations(text: LocalText) -> list[str]:
    """The languages whose translation of `text` was made from an earlier original."""
    current = fingerprint(text)
    return [language for language, (_, made_from) in text.translations.items()
            if made_from is not None and made_from != current]


def translation_in(text: LocalText, language: str) -> tuple[str, str | None] | None:
    """The translation into `language` (its tag, else its language code) and what it was made from."""
    if language in text.translations:
        return text.translations[language]
    return next((t for lang, t in text.translations.items() if same_language(lang, language)), None)


class Translator:
    """Chooses, for one edition, the text it prints of each LocalText, and remembers what it
    printed untranslated or stale, for the report's note on translations."""

    def __init__(self, edition: Language, store_language: str):
        self.edition = edition
        self.store_language = store_language
        self.untranslated: set[str] = set()
        self.stale = False

    def choose(self, value: str, *, name: bool = False) -> Choice:
        """The text this edition prints of `value`; a name printed as the store writes it is
        not untranslated text (no mark, and nothing for the report's note on translations)."""
        text = value if isinstance(value, LocalText) else LocalText(value)
        original = text.language or self.store_language
        if same_language(original, self.edition.tag):
            return Choice(str(text), None, None, False, False)
        found = translation_in(text, self.edition.tag)
        if found is not None:
            translated, made_from = found
            stale = made_from is not None and made_from != fingerprint(text)
            self.stale |= stale
            return Choice(translated, None, None, False, stale)
        if not name:
            self.untranslated.add(original)
        return Choice(str(text), original, self.direction_of(original), not name, False)

    def direction_of(self, language: str) -> str | None:
        """The direction of text in `language`, when it differs from the edition's."""
        direction = "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"
        return direction if direction != self.edition.direction else None

    def text(self, value: str | None) -> Passage | None:
        """A free-text field as this edition prints it, its spaces made single (YAML folds lines)."""
        if value is None:
            return None
        choice = self.choose(value)
        return Passage(" ".join(choice.text.split()), choice.lang, choice.direction,
                       untranslated=choice.untranslated, stale=choice.stale)

    def lines(self, value: str | None) -> Passage | None:
        """A text of several lines (config.yaml's contact, disclaimer), its line breaks kept."""
        if value is None:
            return None
        choice = self.choose(value)
        return Passage(choice.text.strip(), choice.lang, choice.direction,
                       untranslated=choice.untranslated, stale=choice.stale)

    def name(self, name: str, names: dict[str, str]) -> Passage:
        """A place's or actor's name in the edition's language, from its `names:`; else its
        name as the store writes it, tagged with the store's language (and not marked)."""
        tag = self.edition.tag
        local = names.get(tag) or next((n for lang, n in names.items() if same_language(lang, tag)), None)
        if local is not None:
            return Passage(local)
        choice = self.choose(name, name=True)
        return Passage(choice.text, choice.lang, choice.direction, stale=choice.stale)

    def other_names(self, name: str, names: dict[str, str]) -> dict[str, str]:
        """A place's names in the languages other than the edition's, the store's own first."""
        tag = self.edition.tag
        others = {} if same_language(self.store_language, tag) else {self.store_language: str(name)}
        others.update({lang: n for lang, n in names.items() if not same_language(lang, tag)})
        return others
