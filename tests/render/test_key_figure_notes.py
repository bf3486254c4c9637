"""A key figure's `note:` is read where the figure is: under it on page one, in each edition's
language (the example's notes say what a number is: "An estimate, not a count"), marked when
it is not translated; and `check` asks for its translation because it is printed."""

from __future__ import annotations

import html
import re
from pathlib import Path

from pypdf import PdfReader

from support import write

WEEK = "2016-W26"
OUT = Path("output") / WEEK
# The notes of the example's two key figures of that week (facts/2016-06-fallujah.yaml), in
# words each PDF's text keeps whole.
NOTES = {
    "": ('An estimate ("believed to be"), not a count.', "Civilians shot by ISIS while trying to leave the city"),
    "-fr": ("et non d'un décompte", "Civils abattus par l'EI en une seule journée"),
    "-ar": ("تقدير", "داعش النار"),  # Arabic lines break where a PDF's text reorders them: a few words
}


def key_figures_html(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    return re.search(r'<section class="key-figures".*?</section>', page, re.S).group(0)


def test_each_key_figures_note_is_printed_under_it_in_every_language(workspace, sitrep_cli):
    done = sitrep_cli("build", "--config", workspace / "config.yaml", "--week", WEEK)
    assert done.exit_code == 0, done.output
    for suffix, notes in NOTES.items():
        section = key_figures_html(workspace / OUT / f"fallujah-sitrep-{WEEK}{suffix}.html")
        printed = re.findall(r'<p class="kf-note">(.*?)</p>', section, re.S)
        assert len(printed) == 2, (suffix, printed)
        for note, printed_html in zip(notes, printed):
            assert note in html.unescape(printed_html), (suffix, printed_html)
        assert "language-mark" not in section  # the example translates them all
        pdf = " ".join(" ".join(page.extract_text() for page in PdfReader(
            workspace / OUT / f"fallujah-sitrep-{WEEK}{suffix}.pdf").pages[:1]).split())
        for note in notes:
            assert note in pdf, (suffix, note)


def test_an_untranslated_note_prints_in_its_original_marked_and_check_asks_for_it(workspace, sitrep_cli):
    store = workspace / "facts" / "2016-06-fallujah.yaml"
    text = store.read_text(encoding="utf-8")
    french = "      fr@abbb2c99: Il s'agit d'une estimation (« on estime que »), et non d'un décompte.\n"
    assert french in text
    write(store, text.replace(french, ""))

    checked = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert "no French translation of note" in checked.output

    done = sitrep_cli("build", "--config", workspace / "config.yaml", "--week", WEEK, "--language", "fr",
                      "--format", "html")
    assert done.exit_code == 0, done.output
    section = key_figures_html(workspace / OUT / f"fallujah-sitrep-{WEEK}-fr.html")
    first_note = re.search(r'<p class="kf-note">(.*?)</p>', section, re.S).group(1)
    # (the written file is the parser's serialisation: attributes in double quotes)
    assert '<span lang="en">An estimate' in first_note and 'class="language-mark"' in first_note
