"""The HTML report as one file that travels (docs/report.md, "On a phone, and as one file"): emailed, put on a
USB stick, opened offline, it still shows its fonts, its theme's logo and its images.

Every local file the rendered HTML refers to (fonts in @font-face rules, images, other CSS
urls) is read from where the build put it and written into the page as a data: URL. Fonts are
subset to the characters the report uses (fontTools, with Arabic's joining forms and
ligatures kept) and compressed as WOFF2, so that the example's report stays well under a
megabyte; a font none of whose characters the report uses is left out. Only files inside the
folders the report may read (render/references.py's policy) are read; nothing else changes.
The same HTML gives the same bytes: the subsetter stamps no time.

The built-in fonts' cuts to the base characters ship with sitrep (fontsubsets/, made by
`python -m sitrep.render.singlefile` when the fonts or the cut change; a test checks that they
are what the cut makes), so that a first run on a fresh machine does not spend seconds cutting
them: only a font of the user's theme, or a report with characters outside the base ones, is
cut on demand (and then cached).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sitrep.errors import OutputError
from sitrep.output import write_atomic

STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
FONT_FACE = re.compile(r"@font-face\s*\{[^{}]*\}")
FONT_SRC = re.compile(r"\bsrc\s*:[^;}]*;?")  # the whole declaration: url(...) format(...), ...
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)""")
IMG_SRC = re.compile(r"""(<img\b[^>]*?\ssrc=)(["'])([^"']+)\2""", re.I)
TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
         ".webp": "image/webp", ".svg": "image/svg+xml", ".ttf": "font/ttf", ".otf": "font/otf",
         ".woff": "font/woff", ".woff2": "font/woff2"}
FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")


def self_contained(html: str, base_dir: Path, readable: list[Path], cache_dir: Path | None = None,
                   withheld: list[Path] = ()) -> str:
    """`html` (whose relative URLs resolve against `base_dir`) with every local file it refers
    to inside the `readable` folders, and outside the `withheld` ones, written into it; font
    subsets kept in `cache_dir`."""
    used = frozenset(html)

    def local(url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            return None  # data:, https: and the like are left as they are (the policy refused the network)
        path = (base_dir / unquote(parts.path)).resolve()
        inside = any(path.is_relative_to(root.resolve()) for root in readable)
        held_back = any(path.is_relative_to(root.resolve()) for root in withheld)
        return path if path.is_file() and inside and not held_back else None

    def font_face(match: re.Match) -> str:
        rule = match.group(0)
        source = FONT_SRC.search(rule)
        found = CSS_URL.search(source.group(0)) if source else None
        path = local(found.group(2)) if found else None
        if path is None or path.suffix.lower() not in FONT_SUFFIXES:
            return rule
        try:
            subset = subset_font(path.read_bytes(), used, cache_dir)
        except Exception:  # noqa: BLE001 - not a font fontTools can read: left as a link, as it was
            return rule
        if subset is None:
            return ""  # the report uses none of its characters
        data = f'src: url("data:font/woff2;base64,{base64.b64encode(subset).decode()}") format("woff2");'
        return rule[:source.start()] + data + rule[source.end():]

    def css_url(match: re.Match) -> str:
        path = local(match.group(2))
        return f'url("{data_url(path)}")' if path is not None else match.group(0)

    def img_src(match: re.Match) -> str:
        path = local(match.group(3))
        return f"{match.group(1)}{match.group(2)}{data_url(path)}{match.group(2)}" if path is not None else match.group(0)

    # Only in the page's own <style>: the same words in the report's text are text.
    html = STYLE.sub(lambda m: CSS_URL.sub(css_url, FONT_FACE.sub(font_face, m.group(0))), html)
    return IMG_SRC.sub(img_src, html)


def data_url(path: Path) -> str:
    kind = TYPES.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


# The characters every embedded font keeps, whatever the week's text: Latin with Latin-1 and
# Latin Extended-A (French, Turkish, Kurdish in Latin script...), punctuation, the arrows and
# marks the report prints, and the Arabic block. A font is cut to these once per machine
# (cached), not once per report: subsetting takes a tenth of a second a font. A report using a
# character outside them gets a subset of its own.
BASE_CHARACTERS = frozenset(
    chr(c) for lo, hi in ((0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2190, 0x2195), (0x25B2, 0x25BC),
                          (0x25CF, 0x25CF), (0x0600, 0x06FF)) for c in range(lo, hi + 1))


def subset_font(font: bytes, characters: frozenset[str], cache_dir: Path | None = None) -> bytes | None:
    """The font cut down to the base characters and any other of `characters` it has (and the
    glyphs their shaping needs), as WOFF2; None when the report uses none of its characters."""
    cmap = _cmap(font)
    used = {ord(c) for c in characters if not c.isspace()} & cmap
    if not used:
        return None
    extra = sorted(used - {ord(c) for c in BASE_CHARACTERS})
    digest = hashlib.sha256(font).digest()
    if not extra and (shipped := _shipped().get(shipped_key(digest))) is not None:
        return shipped.read_bytes()  # a built-in font, cut when sitrep was packaged
    key = hashlib.sha256(f"{SUBSET_FORMAT}|{_fonttools_version()}|".encode() + digest
                         + ",".join(map(str, extra)).encode()).hexdigest()[:32]
    if cache_dir is not None:
        # Each file is named by its key and the hash of its bytes: a truncated or altered file
        # no longer matches its name, and is made again.
        for cached in cache_dir.glob(f"{key}-*.woff2"):
            data = cached.read_bytes()
            if cached.stem.endswith(hashlib.sha256(data).hexdigest()[:16]):
                return data
    subset = _subset(font, frozenset(({ord(c) for c in BASE_CHARACTERS} | set(extra)) & cmap))
    if cache_dir is not None:
        try:
            write_atomic(cache_dir / f"{key}-{hashlib.sha256(subset).hexdigest()[:16]}.woff2", subset)
        except OutputError:
            pass  # a cache that cannot be written (a read-only ~/.cache) only costs time
    return subset


SUBSET_FORMAT = 1  # bump when BASE_CHARACTERS or the subsetting options change (then ship the cuts again)
SHIPPED = Path(__file__).resolve().parent / "fontsubsets"  # the built-in fonts cut to the base characters


def shipped_key(font_digest: bytes) -> str:
    """What names a font's shipped cut: the font's SHA-256 and the cut's format, so that a
    changed font or cut never finds a stale file (the name of a theme's font plays no part)."""
    return hashlib.sha256(f"{SUBSET_FORMAT}|".encode() + font_digest).hexdigest()[:16]


@functools.cache
def _shipped() -> dict[str, Path]:
    """The shipped cuts by their key ('NotoSans-Regular-<key>.woff2')."""
    return {path.stem.rpartition("-")[2]: path for path in SHIPPED.glob("*.woff2")}


def ship_base_subsets(fonts: list[Path], target: Path = SHIPPED) -> list[Path]:
    """Cut each of `fonts` to the base characters into `target`, replacing what was there: run
    when the built-in fonts, BASE_CHARACTERS, the cut's options or fontTools change."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.woff2"):
        old.unlink()
    written = []
    for path in fonts:
        font = path.read_bytes()
        subset = _subset(font, frozenset({ord(c) for c in BASE_CHARACTERS} & _cmap(font)))
        written.append(target / f"{path.stem}-{shipped_key(hashlib.sha256(font).digest())}.woff2")
        write_atomic(written[-1], subset)
    _shipped.cache_clear()
    return written


def _fonttools_version() -> str:
    import fontTools

    return fontTools.version


@functools.lru_cache(maxsize=32)
def _cmap(font: bytes) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(io.BytesIO(font), lazy=True).getBestCmap())


@functools.lru_cache(maxsize=32)  # one build writes many weeks with the same fonts
def _subset(font: bytes, codepoints: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    _quiet_about_dropped_tables()

    parsed = TTFont(io.BytesIO(font), recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # Arabic's joining forms and ligatures, kerning
    options.name_IDs = ["*"]  # the font's name and licence (OFL) travel with it
    options.hinting = False  # screens and printers do without; a third smaller
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=set(codepoints) | {0x20})
    subsetter.subset(parsed)
    out = io.BytesIO()
    parsed.flavor = "woff2"
    parsed.save(out)
    return out.getvalue()


class _DroppedTables(logging.Filter):
    """fontTools warns, once per font, of each table it cannot subset and so leaves out ("FFTM
    NOT subset; don't know how to subset; dropped"): FontForge's timestamp and the like, which a
    web font does without. Expected on every build with such a font, it is not the user's to act
    on; fontTools' other warnings still print."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "NOT subset" not in str(record.msg)


@functools.cache
def _quiet_about_dropped_tables() -> None:
    logging.getLogger("fontTools.subset").addFilter(_DroppedTables())


if __name__ == "__main__":  # python -m sitrep.render.singlefile: ship the built-in fonts' cuts again
    from sitrep.source.config import builtin_templates_dir

    for shipped in ship_base_subsets(sorted((builtin_templates_dir() / "fonts").glob("*.ttf"))):
        print(f"{shipped.stat().st_size:7,} {shipped}")
