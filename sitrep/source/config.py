"""config.yaml: one typed, validated description of a workspace.

Paths in the config are relative to the folder that holds it (the workspace), so a workspace
can be built from anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, PlainValidator, ValidationError

from sitrep.errors import ConfigError, Problem, describe_value, did_you_mean, display_path
from sitrep.source import vocabulary as vocab
from sitrep.source.dates import IsoWeek
from sitrep.source.regularfiles import YamlLoadError
from sitrep.language import DIGITS, Language, available_catalogues
from sitrep.source.basemap import BasemapLayer, load_layer
from sitrep.source.bulk import BULK_DIR
from sitrep.source.cache import CACHE_DIR
from sitrep.source.schema import LocalizedText, LocalText, Model, Text, _literal, _local_text, explain_error
from sitrep.source.texthygiene import document_problems
from sitrep.source.yamlsource import load_yaml_file

DEFAULT_CONFIG = "config.yaml"
FORMATS = ("html", "pdf")

LOGO_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP", ".svg": "SVG"}
FONT_TYPES = {".ttf": "TrueType", ".otf": "OpenType", ".woff": "WOFF", ".woff2": "WOFF2"}
MAX_ASSET_BYTES = 10 * 1024 * 1024  # a logo or a font file; anything bigger is surely a mistake


# --- Value types -------------------------------------------------------------------------------

def _lines(value: object) -> str:
    """Text, or a list of lines; kept as one string with a line break between lines, which the
    templates print one line (or paragraph) each."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return "\n".join(v.strip() for v in value)
    if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError("is blank (expected text, or a list of lines each starting with '- '; "
                         "remove the key to leave it out)")
    raise ValueError(f"found {_describe(value)} (expected text, or a list of lines each starting with '- ')")


Lines = Annotated[str, PlainValidator(_lines)]


def _local_lines(value: object) -> LocalText:
    """Lines, or a mapping from language to lines (docs/languages.md, "Editions in several languages")."""
    if isinstance(value, dict) and value:
        return _local_text({key: _lines(item) if isinstance(item, (str, list)) else item for key, item in value.items()})
    return LocalText(_lines(value))


LocalLines = Annotated[LocalText, PlainValidator(_local_lines)]
LanguageTag = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3a", "plain")  # docs/accessible-pdf.md, "Accessible and archival PDF"

# Characters a CSS colour can need; nothing that could end a declaration, a rule or <style>.
_COLOUR_CHARS = re.compile(r"^[#A-Za-z0-9(),.%/ +-]+$")


def _colour(value: str) -> str:
    from tinycss2.color3 import parse_color  # WeasyPrint's own CSS parser: what it reads, we accept

    if not _COLOUR_CHARS.match(value) or parse_color(value) is None:
        raise ValueError(f"'{value}' is not a CSS colour (expected #RRGGBB such as '#1f5f8b' — quote it, "
                         "since YAML reads '#' as a comment — or rgb(31, 95, 139), or a name such as navy)")
    return value


Colour = Annotated[str, AfterValidator(_colour)]

_FAMILY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")


def _font_family(value: str) -> str:
    if not _FAMILY.match(value):
        raise ValueError(f"'{value}' is not a font family name (expected letters, digits, spaces, '.', '_' or '-', "
                         "such as Source Sans 3)")
    return value


FontFamily = Annotated[str, AfterValidator(_font_family)]


def _describe(value: object) -> str:
    return describe_value(value)


# --- The model ---------------------------------------------------------------------------------

class OrganisationSettings(Model):
    name: LocalizedText
    contact: Optional[LocalLines] = None  # one line, or a list of lines
    url: Optional[Annotated[str, Field(pattern=r"^https?://\S+$")]] = None


class ContactSettings(Model):
    """A person to ask about the report ("For further information"; docs/workspace.md, "config.yaml")."""

    name: Text
    role: Optional[LocalizedText] = None  # their role, in each edition's language
    email: Optional[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = None
    phone: Optional[Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ().-]{4,30}$")]] = None


class Colours(Model):
    """The report's colours, applied through CSS custom properties in report.css."""

    accent: Colour = "#1f5f8b"  # headings, rules, links, the header band
    accent_soft: Colour = "#e8f0f6"  # the background of the header's meta line
    ink: Colour = "#1d2327"  # body text
    muted: Colour = "#5b6770"  # secondary text, running header and footer
    rule: Colour = "#c9d2d8"  # table lines
    panel: Colour = "#f6f8fa"  # the background of key figures
    danger: Colour = "#a4262c"  # closed and unsafe routes
    warning: Colour = "#8a5a00"  # restricted routes, alleged incidents, sources that disagree
    ok: Colour = "#2e6b30"  # open routes, verified incidents


class FontFile(Model):
    family: FontFamily
    file: Text  # relative to the workspace
    weight: Literal["normal", "bold"] = "normal"
    style: Literal["normal", "italic"] = "normal"


class Fonts(Model):
    body: list[FontFamily] = []  # tried in order, before the built-in Noto Sans
    headings: list[FontFamily] = []  # default: the body fonts
    files: list[FontFile] = []  # font files in the workspace, for families not installed on the machine


class ThemeSettings(Model):
    logo: Optional[Text] = None  # an image file in the workspace
    colours: Colours = Colours()
    fonts: Fonts = Fonts()


class BasemapSettings(Model):
    """One outline under the map: a GeoJSON file in the workspace, with what may be said of it."""

    file: Text  # relative to the workspace
    name: Text  # 'Euphrates', 'Fallujah built-up area'
    kind: Literal["river", "road", "boundary", "built_up"]
    licence: Text  # 'public domain', 'CC BY 4.0', 'ODbL'
    attribution: Text  # printed under the map: '© OpenStreetMap contributors'


def _iso_week(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"found {_describe(value)} (expected an ISO week such as 2016-W23)")
    return str(IsoWeek.parse(value))  # its ValueError says what is wrong with the week


class SeriesSettings(Model):
    """How the series of reports is defined (docs/report.md, "When a fact enters the series")."""

    first: Optional[Annotated[str, PlainValidator(_iso_week)]] = None  # the series' first report; default: the first week with news
    cadence: Literal["weekly"] = "weekly"
    # A week in which nothing new became known: skipped, or a short "no new information" report.
    quiet_weeks: Literal["skip", "report"] = "skip"
    # A route status or key figure with no new report for this many weeks is "no longer reported".
    stale_after_weeks: Annotated[int, Field(ge=1, le=520)] = 8


class LimitSettings(Model):
    """What rendering the templates may take (docs/templates.md, "Limits")."""

    template_seconds: Annotated[float, Field(gt=0, le=3600)] = 60
    template_memory_mb: Annotated[int, Field(ge=64, le=65536)] = 1024  # beyond what the build itself holds


class ConfigModel(Model):
    title: LocalizedText
    crisis: LocalizedText
    organisation: OrganisationSettings
    contacts: list[ContactSettings] = []  # "For further information": any number of people
    store: Text = "facts"
    output: Text = "output"
    templates: Optional[Text] = None  # the workspace's own templates, searched before the built-ins
    file_stem: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")] = "sitrep"
    language: LanguageTag = "en"  # the edition `sitrep build` makes unless told --language
    languages: Optional[Annotated[list[LanguageTag], Field(min_length=1)]] = None  # every edition; default: [language]
    store_language: Optional[LanguageTag] = None  # the language of the store's plain text; default: language
    region: Optional[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = None  # dates as written there: IQ
    digits: _literal(DIGITS) = "latin"  # numbers in an edition whose locale has digits of its own
    pdf_variant: _literal(PDF_VARIANTS) = "pdf/ua-1"
    edition: Literal["public", "internal"] = "public"
    paper: Literal["A4", "Letter", "A5", "Legal"] = "A4"
    key_metrics: list[_literal(vocab.METRICS)] = ["civilians_trapped", "civilians_killed", "people_displaced", "arrivals"]
    sections: Optional[Annotated[list[Text], Field(min_length=1)]] = None  # which sections, in which order
    disclaimer: Optional[LocalLines] = None
    theme: ThemeSettings = ThemeSettings()
    series: SeriesSettings = SeriesSettings()
    basemap: list[BasemapSettings] = []  # outlines drawn under the map (docs/map.md, "The map")
    # Workspace files the PDF may embed (<a rel="attachment">): none but these, and in a public
    # edition none from the store.
    attachments: list[Text] = []
    limits: LimitSettings = LimitSettings()


class Config:
    """The validated config plus the absolute paths it implies."""

    def __init__(self, model: ConfigModel, path: Path, positions: dict | None = None):
        self.model = model
        self.positions = positions or {}
        self.path = path.resolve()
        self.workspace = self.path.parent
        self.store_dir = (self.workspace / model.store).resolve()
        self.output_dir = (self.workspace / model.output).resolve()
        self.templates_dir = (self.workspace / model.templates).resolve() if model.templates else None
        self.logo_path = (self.workspace / model.theme.logo).resolve() if model.theme.logo else None
        self.attachment_paths = [(self.workspace / name).resolve() for name in model.attachments]
        self.basemap_layers: list[BasemapLayer] = []  # loaded and checked by load_config
        self.warnings: list[Problem] = []  # of its texts (invisible characters): load_config finds them

    def __getattr__(self, name: str):
        return getattr(self.model, name)

    @property
    def shown(self) -> str:
        return display_path(self.path)

    def problem(self, key: str, message: str, **kw) -> Problem:
        """A problem located at `key`'s line in config.yaml."""
        return Problem(self.shown, self.positions.get((key,), 0), message, **kw)

    def font_path(self, font: FontFile) -> Path:
        return (self.workspace / font.file).resolve()

    @property
    def languages(self) -> list[str]:
        """Every edition's language, the default one first."""
        listed = self.model.languages or [self.model.language]
        return [self.model.language, *(tag for tag in listed if tag != self.model.language)]

    @property
    def store_language(self) -> str:
        return self.model.store_language or self.model.language

    def edition_languages(self, asked: str | None = None) -> list[str]:
        """The languages to make: the one asked for (--language), which must be listed, else all."""
        if asked is None:
            return self.languages
        if asked not in self.languages:
            raise ConfigError(Problem("--language", 0, f"'{asked}' is not one of the languages config.yaml lists",
                                      expected="one of: " + ", ".join(self.languages),
                                      hint=f"add {asked} to 'languages:' in {self.shown}"))
        return [asked]

    def edition_language(self, tag: str | None = None) -> Language:
        """The Language of an edition (default: config.yaml's `language`)."""
        return Language(tag or self.model.language, self.model.region, self.model.digits)


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        where = f"{shown} is a folder" if path.is_dir() else f"looked in {path.absolute().parent}"
        raise ConfigError(Problem(shown, 0, f"config file not found: {where}",
                                  expected="a config.yaml in the workspace, or --config PATH",
                                  hint="run sitrep in a workspace's folder, or create one with `sitrep init DIR`"))
    try:
        doc = load_yaml_file(path, shown)
    except YamlLoadError as exc:
        raise ConfigError(exc.problem) from None
    if not isinstance(doc.data, dict):
        raise ConfigError(Problem(shown, doc.line_of(()), "the config must be a mapping of settings",
                                  expected="key: value lines such as 'title: ...'"))
    text_errors, text_warnings = document_problems(doc.data, doc.line_of, shown)
    if text_errors:
        raise ConfigError(text_errors)
    try:
        model = ConfigModel.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message, expected, hint, loc = explain_error(error, ConfigModel)
            if tuple(error["loc"][:2]) == ("theme", "colours") and error.get("input") is None:
                hint = "quote the colour, as in accent: \"#1f5f8b\": YAML reads an unquoted '#' as a comment"
            problems.append(Problem(shown, doc.line_of(loc), message, expected=expected, hint=hint))
        raise ConfigError(problems) from None
    config = Config(model, path, doc.positions)
    config.warnings = text_warnings
    problems = _check_files_and_names(config, lambda loc: doc.line_of(loc))
    if problems:
        raise ConfigError(problems)
    return config


# --- What the types alone cannot check: files in the workspace, section names, locales -------

def _check_files_and_names(config: Config, line_of) -> list[Problem]:
    model, shown = config.model, config.shown
    problems: list[Problem] = []

    def problem(loc: tuple, message: str, **kw) -> None:
        problems.append(Problem(shown, line_of(loc), message, **kw))

    if config.templates_dir is not None and not config.templates_dir.is_dir():
        what = "is a file, not a folder" if config.templates_dir.exists() else "does not exist"
        problem(("templates",), f"templates: '{model.templates}' {what}",
                expected="a folder of your own templates, relative to the workspace",
                hint="create it (sitrep templates copy NAME starts one from a built-in), or remove the templates line")
    elif config.templates_dir is not None and (builtin := _builtin_templates_at(config.templates_dir)):
        # Every built-in would turn "yours", and `sitrep templates copy` would copy onto itself.
        problem(("templates",), f"templates: '{model.templates}' {builtin}, not a folder of your own",
                expected="a folder of your own templates, relative to the workspace, such as custom",
                hint="create another folder and name it here; a template in it replaces the built-in of the same "
                     "name")
    elif config.templates_dir is not None and (data := _data_among_templates(config)):
        # Whatever a templates folder holds, include and import can print into the public report.
        problem(("templates",), f"templates: '{model.templates}' {data}",
                expected="a folder that holds templates only, such as templates",
                hint="move your templates into a folder of their own and name it here")
    if model.sections is not None:
        own = _user_sections(config.templates_dir)
        seen: set[str] = set()
        for index, name in enumerate(model.sections):
            if name in seen:
                problem(("sections", index), f"sections: '{name}' is listed twice", expected="each section once")
            elif name not in vocab.SECTIONS and name not in own:
                problem(("sections", index), f"sections: '{name}' is not a report section",
                        expected="one of: " + ", ".join(vocab.SECTIONS) + ", or a sections/<name>.html of your own templates",
                        hint=did_you_mean(name, [*vocab.SECTIONS, *own]))
            seen.add(name)
    translated = ["en", *available_catalogues()]
    for loc, tag in [(("language",), model.language), *((("languages", i), t) for i, t in enumerate(model.languages or []))]:
        key = ".".join(map(str, loc)) if len(loc) == 1 else f"languages[{loc[1]}]"
        if len(loc) == 2 and tag in model.languages[:loc[1]]:
            problem(loc, f"{key}: '{tag}' is listed twice", expected="each language once")
        elif not _known_locale(tag):
            problem(loc, f"{key}: '{tag}' is not a language sitrep can print dates in",
                    expected="a language code such as en, fr, ar or en-US")
        elif tag.split("-")[0] not in translated:
            problem(loc, f"{key}: sitrep's headings and labels are not translated into '{tag}'",
                    expected="one of: " + ", ".join(translated),
                    hint="docs/languages.md, 'Editions in several languages', says how to add a language")
    if model.store_language is not None and not _known_locale(model.store_language):
        problem(("store_language",), f"store_language: '{model.store_language}' is not a language sitrep knows",
                expected="a language code such as en, fr, ar or en-US")
    if model.languages is not None and model.language not in model.languages:
        problem(("language",), f"language: '{model.language}' is not one of languages: {', '.join(model.languages)}",
                expected="the default edition's language, listed in languages")
    theme = model.theme
    if theme.logo:
        message = _asset_problem(config, config.logo_path, theme.logo, LOGO_TYPES, "logo")
        if message:
            problem(("theme", "logo"), f"theme.logo: {message}",
                    expected="a PNG, JPEG, GIF, WebP or SVG image inside the workspace")
    for index, font in enumerate(theme.fonts.files):
        message = _asset_problem(config, config.font_path(font), font.file, FONT_TYPES, "font")
        if message:
            problem(("theme", "fonts", "files", index, "file"), f"theme.fonts.files: {message}",
                    expected="a .ttf, .otf, .woff or .woff2 font file inside the workspace")
    for index, layer in enumerate(model.basemap):
        path = (config.workspace / layer.file).resolve()
        if not path.is_relative_to(config.workspace) or not path.is_file():
            where = "is outside the workspace" if not path.is_relative_to(config.workspace) else "does not exist"
            problem(("basemap", index, "file"), f"basemap: '{layer.file}' {where}", expected="a GeoJSON file inside the workspace")
            continue
        try:
            config.basemap_layers.append(load_layer(path, layer.name, layer.kind, layer.attribution, layer.licence))
        except ConfigError as exc:
            problems.extend(exc.problems)
    for index, (name, path) in enumerate(zip(model.attachments, config.attachment_paths)):
        if not path.is_relative_to(config.workspace):
            message = f"'{name}' is outside the workspace"
        elif not path.is_file():
            message = f"'{name}' does not exist" if not path.exists() else f"'{name}' is not a file"
        else:
            continue
        problem(("attachments", index), f"attachments: {message}", expected="a file inside the workspace")
    return problems


# What a template file is: what `sitrep templates` lists and copies, and `sitrep check` compiles
# (render/templatecheck.py, which needs no Jinja to find that a folder holds none).
TEMPLATE_SUFFIXES = (".html", ".css")


def builtin_templates_dir() -> Path:
    """The built-in templates: inside the installed package, or the repository's templates/."""
    package = Path(__file__).resolve().parent.parent  # sitrep/
    packaged = package / "templates"
    if packaged.is_dir():
        return packaged
    return package.parent / "templates"


# `sitrep edit`'s own pages (edit/forms.py) live beside the built-in templates, in this folder,
# but are no report's templates: never listed or copied by `sitrep templates`, and no part of
# what a report is made from (a change to them rebuilds no report).
EDITOR_PAGES = "editor"


def builtin_report_templates() -> list[Path]:
    """The files and folders of the built-in templates that reports are made from."""
    return sorted(path for path in builtin_templates_dir().iterdir() if path.name != EDITOR_PAGES)


def _builtin_templates_at(folder: Path) -> str:
    """What `folder` (resolved) is when it is sitrep's built-in templates folder or inside it;
    '' otherwise."""
    builtin = builtin_templates_dir().resolve()
    if folder == builtin:
        return "is sitrep's built-in templates folder"
    return "is inside sitrep's built-in templates folder" if folder.is_relative_to(builtin) else ""


def _data_among_templates(config: Config) -> str:
    """What `config.templates_dir` is or holds of the workspace's data, in words; '' if nothing."""
    folder = config.templates_dir
    for name, path in (("the store folder", config.store_dir), ("the bulk imports folder", config.workspace / BULK_DIR),
                       ("the cache folder", config.workspace / CACHE_DIR), ("the output folder", config.output_dir)):
        path = path.resolve()
        if path == folder:
            return f"is {name}"
        if path.is_relative_to(folder):
            return f"holds {name} ({display_path(path)})"
    return ""


def _user_sections(templates_dir: Path | None) -> list[str]:
    if templates_dir is None or not (templates_dir / "sections").is_dir():
        return []
    return sorted(p.stem for p in (templates_dir / "sections").glob("*.html") if not p.name.startswith("_"))


def _known_locale(language: str) -> bool:
    from babel import Locale, UnknownLocaleError
    from babel.localedata import exists

    if exists(language.replace("-", "_")):  # a file of Babel's: no locale data loaded (a light command's time)
        return True
    try:  # an alias or a likely subtag (Babel's global data)
        Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return False
    return True


_MAGIC = {
    "PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",), "GIF": (b"GIF87a", b"GIF89a"),
    "TrueType": (b"\x00\x01\x00\x00", b"true"), "OpenType": (b"OTTO", b"\x00\x01\x00\x00"),
    "WOFF": (b"wOFF",), "WOFF2": (b"wOF2",),
}


def _asset_problem(config: Config, path: Path, written: str, types: dict[str, str], what: str) -> str:
    """Why the file the config names cannot be used as a logo or font, or ''."""
    if not path.is_relative_to(config.workspace):
        return f"'{written}' is outside the workspace"
    if not path.is_file():
        return f"'{written}' does not exist" if not path.exists() else f"'{written}' is not a file"
    kind = types.get(path.suffix.lower())
    if kind is None:
        return f"'{written}' is not a {what} file by its name (it ends in '{path.suffix}')"
    if path.stat().st_size > MAX_ASSET_BYTES:
        return f"'{written}' is larger than {MAX_ASSET_BYTES // (1024 * 1024)} MB"
    head = path.read_bytes()[:512]
    if kind == "WebP":
        ok = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    elif kind == "SVG":
        ok = b"<svg" in path.read_bytes()[:4096].lower()
    else:
        ok = head.startswith(_MAGIC[kind])
    return "" if ok else f"'{written}' does not hold a {kind} {what}, though its name says so"
