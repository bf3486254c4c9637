"""The theme: config.yaml's look (logo, colours, fonts) as templates see it, and the files it
brings along into output/assets/ so the HTML and the PDF both find them.

Every value here was validated by `config.py` (colours by WeasyPrint's own CSS parser, font
names by a strict pattern), and the CSS pieces are built here, quoted, so no theme value can
end a declaration or the <style> element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from sitrep.language import active
from sitrep.output import copy_if_changed
from sitrep.source.config import Colours, Config

THEME_ASSETS = "theme"  # output/assets/theme/: the logo and the workspace's font files
BUILTIN_BODY_FONTS = ("Noto Sans", "Noto Sans Arabic", "DejaVu Sans")


@dataclass
class FontFace:
    """One font file of the workspace, declared with @font-face in report.css."""

    family: str  # 'Source Sans 3'
    url: str  # where the report finds the file: '../assets/theme/fonts/SourceSans3-Regular.otf'
    weight: str  # 'normal' or 'bold'
    style: str  # 'normal' or 'italic'


@dataclass
class Theme:
    """config.yaml's `theme:` as templates see it. The built-in templates use all of it, so
    a theme needs no template of its own."""

    logo: str | None  # the logo's URL relative to the report, or None: '../assets/theme/logo.png'
    colours: dict[str, str]  # name -> CSS colour; report.css sets one custom property per name: --accent, --ink...
    font_body: Markup  # a ready CSS font-family list: the theme's fonts, then the built-in Noto Sans
    font_headings: Markup  # the same for h1-h3 (the body fonts unless theme.fonts.headings is set)
    font_faces: list[FontFace] = field(default_factory=list)


def default_theme(assets_url: str = "../assets") -> Theme:
    """The built-in look, for rendering without a config."""
    return theme_for(None, assets_url)


def theme_for(config: Config | None, assets_url: str = "../assets") -> Theme:
    model = config.model.theme if config is not None else None
    colours = (model.colours if model else Colours()).model_dump()
    body = list(model.fonts.body) if model else []
    headings = list(model.fonts.headings) if model else []
    logo = None
    faces = []
    if config is not None and config.logo_path is not None:
        logo = f"{assets_url}/{THEME_ASSETS}/{logo_file_name(config.logo_path)}"
    if config is not None and model is not None:
        for font, name in zip(model.fonts.files, font_file_names(config)):
            faces.append(FontFace(font.family, f"{assets_url}/{THEME_ASSETS}/fonts/{name}", font.weight, font.style))
    return Theme(
        logo=logo,
        colours=colours,
        font_body=font_family_css(body),
        font_headings=font_family_css(headings or body),
        font_faces=faces,
    )


def css_string(value: object) -> Markup:
    """Text as a quoted CSS string, safe inside <style>: quotes, backslashes, newlines and
    '<' are escaped the CSS way, so no value can end the string or the style element."""
    if isinstance(value, Markup):  # a translated message: its words, not their HTML escapes
        value = value.unescape()
    escaped = "".join(c if c.isalnum() or c in " .,;:·–—-_()/'" else f"\\{ord(c):x} " for c in str(value))
    return Markup(f'"{escaped}"')


def css_counters(message: object) -> Markup:
    """A translated message with '{page}' and '{pages}' in it as CSS `content`: 'Page {page} of
    {pages}' -> "Page " counter(page) " of " counter(pages), in the edition's digits."""
    style = ", arabic-indic" if active().digits == "native" and active().native_digits.startswith("\u0660") else ""
    text = message.unescape() if isinstance(message, Markup) else str(message)
    parts = re.split(r"\{(pages|page)\}", text)
    tokens = [css_string(part) if i % 2 == 0 else Markup(f"counter({part}{style})")
              for i, part in enumerate(parts) if part or i % 2]
    return Markup(" ").join(tokens)


def font_family_css(families: list[str]) -> Markup:
    """'"Source Sans 3", "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", sans-serif'."""
    names = [*families, *(f for f in BUILTIN_BODY_FONTS if f not in families)]
    return Markup(", ".join(css_string(name) for name in names) + ", sans-serif")


def logo_file_name(path: Path) -> str:
    return "logo" + path.suffix.lower()


def font_file_names(config: Config) -> list[str]:
    """A safe, distinct file name in output/assets/theme/fonts/ for each font file."""
    names: list[str] = []
    for index, font in enumerate(config.model.theme.fonts.files):
        name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(font.file).name)
        names.append(name if name not in names else f"{index}-{name}")
    return names


def install_theme_assets(config: Config, assets_dir: Path) -> None:
    """Copy the logo and font files into output/assets/theme/ (only when they changed)."""
    target = assets_dir / THEME_ASSETS
    if config.logo_path is not None:
        copy_if_changed(config.logo_path, target / logo_file_name(config.logo_path))
    for font, name in zip(config.model.theme.fonts.files, font_file_names(config)):
        copy_if_changed(config.font_path(font), target / "fonts" / name)
