"""Every language's edition from the one store, as a user builds it (docs/languages.md, "Editions in
several languages"): the Arabic and French editions of the example, their file names, the
localised archive index, the --language and --pdf-variant options, the preview, and what
`check` and the report say about a translation that is missing or out of date."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from support import assert_refused, line_of, write

WEEK = "2016-W26"
OUT = Path("output") / WEEK


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_one_build_makes_every_language_the_config_lists(example_built):
    workspace, done = example_built
    for suffix in ("", "-ar", "-fr"):
        for fmt in ("html", "pdf"):
            assert (workspace / OUT / f"fallujah-sitrep-{WEEK}{suffix}.{fmt}").is_file(), suffix
    assert "public edition, ar: built in" in done.stdout and "public edition, fr: built in" in done.stdout

    arabic = (workspace / OUT / f"fallujah-sitrep-{WEEK}-ar.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "<h2>الأرقام الرئيسية</h2>" in arabic  # Key figures
    assert "٣٠٬٠٠٠–٤٠٬٠٠٠" in arabic  # config.yaml: digits: native
    assert "حزيران ٢٠١٦" in arabic  # region: IQ, the Iraqi month names
    assert '(<span class="code">\u20662016-W26\u2069</span>)' in arabic  # isolated: it cannot read (W26-2016)
    assert 'class="language-mark"' not in arabic  # the example is translated throughout ...
    assert 'class="translation-note"' not in arabic  # ... so no note says otherwise
    links = re.findall(r'<a href="([^"]+)" lang="(\w+)" hreflang', arabic)
    assert links == [(f"fallujah-sitrep-{WEEK}.html", "en"), (f"fallujah-sitrep-{WEEK}-fr.html", "fr")]

    text = pdf_text(workspace / OUT / f"fallujah-sitrep-{WEEK}-ar.pdf")
    assert "الأرقام الرئيسية" in text and "المدنيون المحاصرون" in text
    french = pdf_text(workspace / OUT / f"fallujah-sitrep-{WEEK}-fr.pdf")
    assert "Chiffres clés" in french and "Falloujah" in french and re.search(r"Page 1 sur \d", french)
    assert "30\u202f000–40\u202f000" in (workspace / OUT / f"fallujah-sitrep-{WEEK}-fr.html").read_text(encoding="utf-8")
    english = pdf_text(workspace / OUT / f"fallujah-sitrep-{WEEK}.pdf")
    assert "Key figures" in english and re.search(r"Page 1 of \d", english)


def test_language_builds_one_edition_and_refuses_one_the_config_does_not_list(workspace, sitrep_cli):
    done = sitrep_cli("build", "--config", workspace / "config.yaml", "--language", "fr", "--format", "html")
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (workspace / OUT).iterdir()) == [f"fallujah-sitrep-{WEEK}-fr.html"]
    refused = sitrep_cli("build", "--config", workspace / "config.yaml", "--language", "de")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "--language: error: 'de' is not one of the languages config.yaml lists (expected one of: en, ar, fr)" \
        in refused.stderr


def test_a_language_without_a_catalogue_is_refused_at_its_line(workspace, sitrep_cli):
    config = workspace / "config.yaml"
    text = config.read_text(encoding="utf-8").replace("languages: [en, ar, fr]", "languages: [en, ar, fr, de]")
    write(config, text)
    result = sitrep_cli("check", "--config", config)
    assert_refused(result, str(config), line_of(text, "languages: ["),
                   "languages[3]: sitrep's headings and labels are not translated into 'de'", "expected one of: en, ar, fr")


def test_the_archive_index_is_localised_and_lists_every_language(workspace, sitrep_cli):
    done = sitrep_cli("build", "--config", workspace / "config.yaml", "--all", "--format", "html")
    assert done.exit_code == 0, done.output
    index = (workspace / "output" / "index-ar.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in index
    assert "تقرير عن الوضع في الفلوجة" in index  # the title, translated in config.yaml
    assert '<a href="index.html" lang="en" hreflang="en">\u2066English\u2069</a>' in index
    assert '<a href="index-fr.html" lang="fr" hreflang="fr">\u2066Français\u2069</a>' in index
    assert "<small>\u20662016-W26\u2069</small>" in index  # isolated: it cannot read W26-2016
    english = (workspace / "output" / "index.html").read_text(encoding="utf-8")
    assert f'href="{WEEK}/fallujah-sitrep-{WEEK}-ar.html" hreflang="ar"' in english  # each report in each language
    assert (workspace / "output" / ".sitrep-manifest-fr.json").is_file()


def test_missing_and_stale_translations_are_warned_and_marked(workspace, sitrep_cli, monkeypatch):
    monkeypatch.chdir(workspace)
    facts = workspace / "facts" / "2016-06-fallujah.yaml"
    text = facts.read_text(encoding="utf-8")
    # An incident's victims: the English changes after it was translated; the Arabic is deleted.
    text = text.replace("        en: Women and children ordered to stay;", "        en: Women and girls ordered to stay;")
    text = re.sub(r"\n        ar@c511d8c3: .*", "", text)
    write(facts, text)
    # ... and the outlook has no French translation.
    narrative = workspace / "facts" / "narrative.yaml"
    outlook = narrative.read_text(encoding="utf-8")
    start = outlook.index("      fr@", outlook.index("id: outlook-2016-w26"))
    write(narrative, outlook[:start] + outlook[outlook.index("      ar@", start):])
    checked = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert checked.exit_code == 0, checked.output
    shown, entry = "facts/2016-06-fallujah.yaml", "[fallujah-families-held-2016-06]"
    description = text.count("\n", 0, text.index("      description:", text.index(entry[1:-1]))) + 1
    assert (f"{shown}:{description}: warning: {entry} no Arabic translation of victims.description: "
            "the 'ar' edition prints it in the original language, marked; under victims.description, add 'ar@") \
        in checked.stderr
    assert (f"{shown}:{line_of(text, '        fr@c511d8c3:')}: warning: {entry} victims.description: the 'fr' "
            "translation was made from an earlier version of the text (c511d8c3; the text is now ") in checked.stderr

    built = sitrep_cli("build", "--config", workspace / "config.yaml", "--format", "html")
    assert built.exit_code == 0, built.output
    arabic = (workspace / OUT / f"fallujah-sitrep-{WEEK}-ar.html").read_text(encoding="utf-8")
    # Printed in English, in an element that says so (fonts, hyphenation, a screen reader's voice), and marked.
    assert re.search(r'<span lang="en" dir="ltr">[^<]*Women and girls ordered to stay;[^<]*</span>'
                     r'<sup class="language-mark" title="[^"]+">\u2066EN\u2069</sup>', arabic)
    note = re.search(r'<p class="translation-note">(.*?)</p>', arabic, re.S)[1]
    assert "EN" in note and "†" not in note
    french = (workspace / OUT / f"fallujah-sitrep-{WEEK}-fr.html").read_text(encoding="utf-8")
    assert 'avec leur famille.<sup class="stale-mark"' in french  # the translation prints, then its mark
    assert re.search(r'<p><span lang="en">As fighting moves toward the city centre,[^<]*</span>'
                     r'<sup class="language-mark" title="[^"]+">EN</sup></p>', french)  # a paragraph, in English
    assert "†" in re.search(r'<p class="translation-note">(.*?)</p>', french, re.S)[1]
    english = (workspace / OUT / f"fallujah-sitrep-{WEEK}.html").read_text(encoding="utf-8")
    assert "Women and girls ordered to stay" in english
    assert not re.search("class='(language-mark|stale-mark)'|class=\"translation-note\"", english)


def test_the_preview_speaks_the_language_asked_for(workspace):
    from sitrep.commands.serve import render_report

    context, html, _ = render_report(workspace / "config.yaml", language="ar")
    assert context.language == "ar" and context.direction == "rtl"
    assert '<html lang="ar" dir="rtl">' in html and "الأرقام الرئيسية" in html


def test_store_text_in_an_attribute_is_its_words_alone(workspace, sitrep_cli):
    """An untranslated organisation name prints marked in the page, and as plain words in the
    <meta> author, the PDF's Author and the logo's alt text."""
    config = workspace / "config.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("    fr@", text.index("organisation:"))
    write(config, text[:start] + text[text.index("  contact:", start):])  # the name in English only
    done = sitrep_cli("build", "--config", config, "--language", "fr", "--format", "pdf")
    assert done.exit_code == 0, done.output
    html = (workspace / OUT / f"fallujah-sitrep-{WEEK}-fr.pdf").with_suffix(".html")
    done = sitrep_cli("build", "--config", config, "--language", "fr", "--format", "html")
    page = html.read_text(encoding="utf-8")
    name = "sitrep example desk (illustrative, not a real organisation)"
    assert f'<meta name="author" content="{name}">' in page
    assert f'<p class="organisation"><span lang="en">{name}</span><sup class="language-mark"' in page
    reader = PdfReader(workspace / OUT / f"fallujah-sitrep-{WEEK}-fr.pdf")
    assert reader.metadata.author == name


def test_a_catalogue_edit_rebuilds_that_languages_reports(workspace, sitrep_cli, tmp_path, monkeypatch):
    """The interface's words are an input of every report, like the templates."""
    import sitrep.language as language

    locale = tmp_path / "locale"
    import shutil
    shutil.copytree(language.LOCALE_DIR, locale)
    monkeypatch.setattr(language, "LOCALE_DIR", locale)
    monkeypatch.setattr("sitrep.build.LOCALE_DIR", locale)
    language.catalogue.cache_clear()
    try:
        args = ["build", "--config", workspace / "config.yaml", "--language", "fr", "--format", "html"]
        assert sitrep_cli(*args).exit_code == 0
        assert "up to date" in sitrep_cli(*args).stdout
        po = locale / "fr" / "LC_MESSAGES" / "sitrep.po"
        po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Chiffres clés"', 'msgstr "Les chiffres clés"'),
                      encoding="utf-8")
        language.catalogue.cache_clear()
        rebuilt = sitrep_cli(*args)
        assert "built in" in rebuilt.stdout, rebuilt.stdout
        assert "<h2>Les chiffres clés</h2>" in (workspace / OUT / f"fallujah-sitrep-{WEEK}-fr.html").read_text(encoding="utf-8")
    finally:
        language.catalogue.cache_clear()


def test_languages_in_config_are_checked_at_their_line(workspace, sitrep_cli):
    config = workspace / "config.yaml"
    text = config.read_text(encoding="utf-8")
    for old, new, message in (
            ("languages: [en, ar, fr]", "languages: [en, ar, ar]", "languages[2]: 'ar' is listed twice"),
            ("region: IQ", "region: iq", "region: 'iq' is not a country code (expected two capital letters, such as IQ)"),
            ("languages: [en, ar, fr]", "languages: [en, ar_IQ]", "languages: 'ar_IQ' is not a language code"),
            ("digits: native", "digits: arabic", "digits: 'arabic' is not one of the allowed values")):
        changed = text.replace(old, new)
        write(config, changed)
        result = sitrep_cli("check", "--config", config)
        assert_refused(result, str(config), line_of(changed, new), message)
    write(config, text)


def test_the_preview_refuses_a_language_the_config_does_not_list(workspace):
    from sitrep.commands.serve import ReportServer

    server = ReportServer(workspace / "config.yaml", language="xx", port=0, log=lambda line: None)
    try:
        assert "is not one of the languages config.yaml lists (expected one of: en, ar, fr)" in server.page.body
        assert server.page.status == 500
    finally:
        server.close()
