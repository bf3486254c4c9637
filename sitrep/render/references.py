"""What a report may refer to: one policy for the HTML, the PDF and `sitrep serve`.

A report travels: it is mailed, posted, printed. Whatever it loads when it is opened or laid
out is a leak (a tracking image tells a server who reads the report, and when) or a way in (a
file of the analyst's machine pulled into a public PDF). So the rendered HTML is read before
anything is written or served, and every reference in it is judged:

- a **resource** (what a browser or WeasyPrint loads by itself: images, stylesheets, fonts,
  CSS `url()` and `@import`, frames, objects, media) must be inline (`data:`) or a file inside
  the folders the report may read (the workspace, output/assets, the built-in templates),
  never the network, never `file:`, never the store in a public edition, never the cache;
- a **link** (what a reader may follow: `<a href>`) may go to the web (http, https), mail or a
  telephone, or to another file of the report; never `javascript:`, `data:` or `file:`;
- an **attachment** (`rel="attachment"`, which WeasyPrint embeds in the PDF) must be a file
  that config.yaml lists under `attachments:`, and in a public edition none from the store;
- scripts, event handlers, `<base>` and refresh redirects have no place in a report.

Each refusal names the template file and line that wrote the reference (`RenderedHtml`).
WeasyPrint's own fetcher (sitrep.render.pdf) enforces the same limits again while it lays out pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sitrep.errors import Problem, TemplateProblem, excerpt
from sitrep.render.templates import RenderedHtml, builtin_templates_dir
from sitrep.source.cache import CACHE_DIR
from sitrep.source.config import Config

RESOURCE = "resource"
LINK = "link"
ATTACHMENT = "attachment"

# Attributes whose value the browser or WeasyPrint loads by itself, by element ('*': any).
_RESOURCE_ATTRIBUTES = {
    "src": "*", "poster": "*", "background": "*", "data": {"object"}, "srcset": "*",
    "manifest": {"html"}, "ping": "*", "lowsrc": "*", "dynsrc": "*", "codebase": "*", "archive": "*",
}
URL_EXCERPT = 80  # a refused URL is quoted up to this length: long enough to recognise it
_LINK_SCHEMES = {"http", "https", "mailto", "tel"}
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""",
                      re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|.)")


@dataclass(frozen=True)
class Reference:
    url: str
    kind: str  # RESOURCE, LINK or ATTACHMENT
    where: str  # how it was written: '<img src>', 'CSS url()'
    offset: int  # in the HTML


@dataclass(frozen=True)
class Refusal:
    """A construct that is refused whatever its address (a script, a <base>)."""

    what: str
    offset: int


@dataclass
class ReferencePolicy:
    """What one report may refer to."""

    base_dir: Path  # the folder the HTML is read from (relative references resolve against it)
    readable: list[Path]  # folders whose files a resource may be
    attachments: list[Path] = field(default_factory=list)  # the files config.yaml lists
    withheld: list[Path] = field(default_factory=list)  # folders never referred to (the store in public, the cache)
    # URL paths that stand for folders ('/assets' in `sitrep serve`); any other '/path' is the machine's own.
    mounts: dict[str, Path] = field(default_factory=dict)

    def judge(self, reference: Reference) -> str:
        """Why the reference is refused, or ''."""
        url = reference.url.strip()
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if reference.kind == LINK:
            if scheme in _LINK_SCHEMES or (not scheme and not parts.netloc):
                return ""
            return f"a link to '{scheme or url}:' addresses is not allowed"
        if reference.kind == RESOURCE and scheme == "data":
            return ""
        if scheme or parts.netloc:  # http://, //host, file:, ftp: ...
            if scheme in ("http", "https", "") and parts.netloc:
                return "a report never loads anything from the network"
            return f"a report loads no '{scheme}:' addresses"
        if not parts.path:  # '#fragment' or empty: the report itself
            return ""
        path = self.path_of(unquote(parts.path)).resolve()  # symlinks followed: where it really leads
        if any(path.is_relative_to(folder) for folder in self.withheld):
            return "it is a file the report must not refer to (the store, in a public edition, or the cache)"
        if reference.kind == ATTACHMENT:
            return "" if path in self.attachments else "only the files config.yaml lists under 'attachments:' can be attached"
        if not any(path.is_relative_to(folder) for folder in self.readable):
            return "it is outside the workspace"
        return ""


    def path_of(self, url_path: str) -> Path:
        for prefix, folder in self.mounts.items():
            if url_path == prefix or url_path.startswith(prefix.rstrip("/") + "/"):
                return folder / url_path[len(prefix):].lstrip("/")
        return self.base_dir / url_path


def policy_for(config: Config, base_dir: Path, edition: str, assets: Path,
               mounts: dict[str, Path] | None = None) -> ReferencePolicy:
    """The policy of a report of `config` read from `base_dir` (its week's folder), with the
    fonts and theme files in `assets`."""
    withheld = [(config.workspace / CACHE_DIR).resolve()]
    if edition == "public":
        withheld.append(config.store_dir)
    readable = [config.workspace, assets.resolve(), builtin_templates_dir().resolve()]
    return ReferencePolicy(base_dir=base_dir, readable=readable, attachments=list(config.attachment_paths),
                           withheld=withheld, mounts=dict(mounts or {}))


def check_references(rendered: RenderedHtml, policy: ReferencePolicy) -> None:
    """Raise TemplateProblem, one problem per refused reference at the template file and line
    that wrote it; return quietly when every reference is allowed."""
    finder = _ReferenceFinder(rendered.text)
    problems = []
    for item in finder.found:
        if isinstance(item, Refusal):
            problems.append((item.offset, f"{item.what} is not allowed in a report", "plain HTML and CSS"))
            continue
        reason = policy.judge(item) or _stylesheet_refusal(item, policy)
        if reason:
            problems.append((item.offset, f"the report refers to '{excerpt(item.url, URL_EXCERPT)}' ({item.where}): {reason}",
                             _EXPECTED[item.kind]))
    if problems:
        raise TemplateProblem([Problem(*rendered.origin_at(offset), message, expected=expected)
                               for offset, message, expected in problems])


MAX_STYLESHEET_BYTES = 2 * 1024 * 1024
MAX_IMPORT_DEPTH = 8


def _stylesheet_refusal(reference: Reference, policy: ReferencePolicy, depth: int = 0) -> str:
    """Why a stylesheet file the report loads (allowed itself) is refused for what *it* loads:
    its url() and @import, judged from its own folder; '' when it loads nothing refused."""
    parts = urlsplit(reference.url.strip())
    if reference.kind != RESOURCE or parts.scheme or not parts.path.lower().endswith(".css"):
        return ""
    path = policy.path_of(unquote(parts.path)).resolve()
    if depth > MAX_IMPORT_DEPTH:
        return "stylesheets import each other too deeply"
    try:
        if path.stat().st_size > MAX_STYLESHEET_BYTES:
            return "the stylesheet is larger than 2 MB"
        css = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""  # a missing file loads nothing
    inner = ReferencePolicy(path.parent, policy.readable, policy.attachments, policy.withheld)
    for url, where in _css_references(css):
        nested = Reference(url, RESOURCE, where, 0)
        reason = inner.judge(nested) or _stylesheet_refusal(nested, inner, depth + 1)
        if reason:
            return f"the stylesheet {path.name} loads '{excerpt(url, URL_EXCERPT)}' ({where}): {reason}"
    return ""


_EXPECTED = {
    RESOURCE: "images, fonts and styles inside the workspace, or data: URLs; no network, no file: URLs",
    LINK: "http, https, mailto or tel links",
    ATTACHMENT: "an attachment that config.yaml lists under 'attachments:'",
}


def find_references(html: str) -> list[Reference]:
    """Every reference of the HTML, in document order (refusals left out)."""
    return [item for item in _ReferenceFinder(html).found if isinstance(item, Reference)]


class _ReferenceFinder(HTMLParser):
    """Reads the HTML as a browser would tokenise it, collecting references and refusals with
    their offsets."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.found: list[Reference | Refusal] = []
        self.in_style = False
        self.feed(html)
        self.close()

    def _here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._here()
        raw = self.get_starttag_text() or ""
        names = {name for name, _ in attrs}
        rel = {token.lower() for name, value in attrs if name == "rel" for token in (value or "").split()}
        if tag == "script":
            self.found.append(Refusal("a <script>", start))
        elif tag == "base":
            self.found.append(Refusal("a <base> element (it changes where every address leads)", start))
        elif tag == "meta" and any(name == "http-equiv" and (value or "").lower() == "refresh" for name, value in attrs):
            self.found.append(Refusal("a refresh redirect (<meta http-equiv=refresh>)", start))
        if tag == "iframe" and "srcdoc" in names:
            self.found.append(Refusal("an <iframe srcdoc>", start))
        for name, value in attrs:
            if value is None:
                continue
            at = start + max(raw.find(value) if value else 0, 0)
            if name.startswith("on"):
                self.found.append(Refusal(f"an event handler ({name}=)", at))
            elif name == "style":
                self._css(value, at)
            elif name in ("href", "xlink:href"):
                if "attachment" in rel:
                    kind = ATTACHMENT
                elif tag == "a" or tag == "area":
                    kind = LINK
                else:  # <link rel=stylesheet|icon|...>, SVG <image>, <use>
                    kind = RESOURCE
                self.found.append(Reference(value, kind, f"<{tag} {name}>", at))
            elif name in ("action", "formaction", "cite", "longdesc"):
                self.found.append(Reference(value, LINK, f"<{tag} {name}>", at))
            elif name in _RESOURCE_ATTRIBUTES and (_RESOURCE_ATTRIBUTES[name] == "*" or tag in _RESOURCE_ATTRIBUTES[name]):
                for url in _split_srcset(value) if name == "srcset" else (value.split() if name == "ping" else [value]):
                    self.found.append(Reference(url, RESOURCE, f"<{tag} {name}>", at))
        if tag == "style":
            self.in_style = True

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self._css(data, self._here())

    def _css(self, css: str, start: int) -> None:
        for url, where, at in _css_references(css, with_offsets=True):
            self.found.append(Reference(url, RESOURCE, where, start + at))


def _css_references(css: str, with_offsets: bool = False) -> list[tuple]:
    """(url, 'CSS url()' or 'CSS @import'[, offset]) of each reference in a piece of CSS."""
    # CSS escapes (\66 ile:) would hide a scheme from a plain search: unescape first. Offsets
    # then point into the original text only approximately, which keeps them on the line.
    plain = _CSS_ESCAPE.sub(_css_unescape, css)
    found = []
    for match in _CSS_URL.finditer(plain):
        url = next(group for group in match.groups() if group is not None)
        where = "CSS @import" if match.group(0).startswith("@") else "CSS url()"
        found.append((url, where, min(match.start(), len(css))) if with_offsets else (url, where))
    return found


def _css_unescape(match: re.Match) -> str:
    text = match.group(1)
    try:
        return chr(int(text.strip(), 16)) if re.fullmatch(r"[0-9a-fA-F]{1,6}\s?", text) else text
    except (ValueError, OverflowError):
        return "\ufffd"


def _split_srcset(value: str) -> list[str]:
    return [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]
