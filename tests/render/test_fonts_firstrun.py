"""A first run as fast as the next (docs/performance.md, "The first run"): the built-in fonts'
cuts for the single-file HTML ship with sitrep (sitrep/render/fontsubsets/), so a machine whose
cache is empty cuts none of them; the single-file HTML is the same bytes as when they were cut
on demand; a character outside the shipped cuts is still cut on demand, for the fonts that have
it. Cutting is observed by counting calls to the subsetter, never by timing."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import re

import pytest

from sitrep.render import singlefile
from support import REPO

WEEK = "2016-W26"
BUILTIN_FONTS = sorted((REPO / "templates/fonts").glob("*.ttf"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The example, its HTML built once (so that output/assets holds the fonts it refers to)."""
    from typer.testing import CliRunner

    from sitrep.commands.cli import app
    from sitrep.pipeline import Workspace
    from support import copy_example

    ws = copy_example(tmp_path_factory.mktemp("firstrun") / "ws")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        result = CliRunner().invoke(app, ["build", "--config", str(ws / "config.yaml"), "--format", "html"],
                                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return Workspace.load(ws / "config.yaml")


@pytest.fixture
def cuts(monkeypatch, tmp_path):
    """Every font the subsetter cuts from now on (a fresh cache folder, nothing remembered in
    memory): a list of the fonts' file names."""
    by_digest = {hashlib.sha256(path.read_bytes()).digest(): path.name for path in BUILTIN_FONTS}
    made: list[str] = []
    original = singlefile._subset.__wrapped__

    def counted(font, codepoints):
        made.append(by_digest.get(hashlib.sha256(font).digest(), "another font"))
        return original(font, codepoints)

    monkeypatch.setattr(singlefile, "_subset", counted)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    return made


def standalone(workspace, language: str, extra_text: str = "") -> str:
    rendered = workspace.render_week(workspace.resolve(WEEK, "public"), "public", language=language)
    if extra_text:
        html = rendered.html.text.replace("</body>", f"<p>{extra_text}</p></body>")
        rendered = dataclasses.replace(rendered, html=dataclasses.replace(rendered.html, text=html))
    return workspace.standalone(rendered)


def test_the_shipped_cuts_are_what_the_cut_makes():
    """One shipped file per built-in font, byte for byte what cutting it now makes (with the
    locked fontTools): when a font, the base characters or the cut's options change, this fails
    until `python -m sitrep.render.singlefile` ships them again."""
    shipped = singlefile._shipped()
    assert len(shipped) == len(BUILTIN_FONTS)
    for path in BUILTIN_FONTS:
        font = path.read_bytes()
        name = shipped[singlefile.shipped_key(hashlib.sha256(font).digest())]
        assert name.name.startswith(path.stem + "-")
        base = frozenset({ord(c) for c in singlefile.BASE_CHARACTERS} & singlefile._cmap(font))
        assert name.read_bytes() == singlefile._subset.__wrapped__(font, base), path.name


def test_a_fresh_machine_cuts_no_builtin_font(workspace, cuts, tmp_path):
    for language in ("en", "ar", "fr"):
        html = standalone(workspace, language)
        assert html.count("data:font/woff2;base64,") >= 6
    assert cuts == []
    assert not list((tmp_path / "empty-cache").rglob("*.woff2"))  # nothing cut, so nothing cached


def test_the_single_file_is_the_same_bytes_as_when_cut_on_demand(workspace, cuts, monkeypatch):
    shipped = {language: standalone(workspace, language) for language in ("ar",)}  # Latin and Arabic faces
    monkeypatch.setattr(singlefile, "_shipped", lambda: {})  # as before: every font cut on demand
    for language, html in shipped.items():
        assert standalone(workspace, language) == html, language
    assert len(cuts) >= 6


def test_a_character_outside_the_shipped_cuts_is_cut_on_demand(workspace, cuts):
    from fontTools.ttLib import TTFont

    html = standalone(workspace, "en", extra_text="Ω")  # Greek: in Noto Sans, outside the base characters
    having = sorted(path.name for path in BUILTIN_FONTS if 0x3A9 in singlefile._cmap(path.read_bytes()))
    assert having and sorted(cuts) == having  # only the fonts that have it; the others shipped
    faces = [TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
             for data in re.findall(r'data:font/woff2;base64,([^"]+)', html)]
    assert sum(0x3A9 in cmap for cmap in faces) == len(having)
    assert all(ord("F") in cmap for cmap in faces if 0x3A9 in cmap)  # the base characters too
