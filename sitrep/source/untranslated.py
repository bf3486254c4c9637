"""Translation warnings (docs/languages.md, "Translations"): for each language an edition is made in besides
the store's own, the free text not translated into it (printed in the original, marked), and
every translation made from an earlier version of its original (printed marked as such).
"""

from __future__ import annotations

from typing import Iterator

from sitrep.errors import Problem, ProblemLog
from sitrep.language import fingerprint
from sitrep.source.checks import citation_lists
from sitrep.source.entries import Store
from sitrep.source.schema import KINDS, Area, LocalText, Model, Route

CONFIG_TEXTS = (("title",), ("crisis",), ("organisation", "name"), ("organisation", "contact"), ("disclaimer",))


def translation_warnings(store: Store, config) -> list[Problem]:
    """For each language config.yaml's `languages` asks for besides the store's own: every
    entry (and config.yaml) with free text not translated into it, one warning per entry
    naming the fields; and every translation made from an earlier version of its original
    (docs/languages.md, "Translations"). Names of sources, places and actors are not asked for: a name
    prints as the store writes it, unless `names:` (or a translation) gives another."""
    wanted = [tag for tag in config.languages if not same_language(tag, config.store_language)]
    log = ProblemLog()
    if not wanted:  # one language, the store's own: nothing to translate (and a big store is not walked)
        return []
    for kind in KINDS:
        for entry in store.kind(kind).values():
            origin = store.origins[entry.id]
            _translation_problems(log, origin.file, origin.line_of, list(_translatable_texts(entry)), wanted,
                                  config.store_language, entry.id)
    texts = [(path, _config_value(config.model, path)) for path in CONFIG_TEXTS]
    _translation_problems(log, config.shown, lambda *path: config.positions.get(tuple(path), 0),
                          [(p, v) for p, v in texts if v is not None], wanted, config.store_language, None)
    return log.problems


def _translation_problems(log: ProblemLog, file: str, line_of, texts: list[tuple[tuple, str]], wanted: list[str],
                          store_language: str, entry_id: str | None) -> None:
    from babel import Locale

    for language in wanted:
        missing = [(path, text) for path, text in texts if not _has_translation(text, language, store_language)]
        if missing:
            fields = ", ".join(".".join(map(str, path)) for path, _ in missing)
            name = Locale.parse(language, sep="-").get_display_name("en")
            path, text = missing[0]
            field, key = ".".join(map(str, path)), f"{language}@{fingerprint(text)}"
            if isinstance(text, LocalText) and text.language:  # already a mapping of languages
                how = f"under {field}, add '{key}: ' and the translation"
            else:
                how = (f"write {field} as a mapping: '{store_language}: ' and the text, then '{key}: ' and the "
                       "translation (docs/languages.md, 'Translations')")
            log.warning(file, line_of(*path), f"no {name} translation of {fields}: the '{language}' edition prints "
                        f"{'it' if len(missing) == 1 else 'them'} in the original language, marked", hint=how,
                        entry_id=entry_id)
    for path, text in texts:
        if not isinstance(text, LocalText):
            continue
        current = fingerprint(text)
        for language, (_, made_from) in text.translations.items():
            if made_from is not None and made_from != current:
                log.warning(file, line_of(*path, f"{language}@{made_from}"),
                            f"{'.'.join(map(str, path))}: the '{language}' translation was made from an earlier "
                            f"version of the text ({made_from}; the text is now {current}), and is marked as such",
                            hint=f"bring the translation up to date, then write its key as {language}@{current}",
                            entry_id=entry_id)


def _translatable_texts(entry: Model) -> Iterator[tuple[tuple, str]]:
    """(path, text) of an entry's free text: the fields a translator translates."""
    fields = entry.__dict__
    own = ("summary", "note", "notes", "description", "text", "public_name")
    names = ("name",) if isinstance(entry, (Route, Area)) else ()  # a route's name describes it; a source's is a name
    for name in (*own, *names):
        if fields.get(name):
            yield (name,), fields[name]
    for i, item in enumerate(fields.get("items") or ()):
        yield ("items", i), item
    for path, citations in citation_lists(entry):
        for i, citation in enumerate(citations):
            if citation.note:
                yield path + (i, "note"), citation.note
    for u, update in enumerate(fields.get("updates") or ()):
        if update.summary:
            yield ("updates", u, "summary"), update.summary
    victims = fields.get("victims")
    if victims is not None and victims.description:
        yield ("victims", "description"), victims.description


def _has_translation(text: str, language: str, store_language: str) -> bool:
    original = text.language if isinstance(text, LocalText) and text.language else store_language
    if same_language(original, language):
        return True
    return isinstance(text, LocalText) and any(same_language(lang, language) for lang in text.translations)


def same_language(a: str, b: str) -> bool:
    """'en' and 'en-US' are one language for choosing a text; 'ar' and 'fr' are not."""
    return a.split("-")[0] == b.split("-")[0]


def _config_value(model, path: tuple):
    value = model
    for part in path:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value
