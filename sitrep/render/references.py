"""What a report may refer to: one policy for the HTML, the PDF and `sitrep serve`.

A report travels: it is mailed, posted, printed. Whatever it loads when it is opened or laid
out is a leak (a tracking image tells a server who reads the report, and when) or a way in (a
file of the analyst's machine pulled into a public PDF). So the rendered HTML is parsed as a
browser parses it (render/htmltree.py) before anything is written or served, every element of
that tree is judged, and what is written is that tree serialised, with the
Content-Security-Policy first in <head>:

- a **resource** (what a browser or WeasyPrint loads by itself: images, stylesheets, fonts,
  CSS `url()`, `image-set()` and `@import` (render/csstokens.py), media) must be inline
  (`data:`, but not a stylesheet, which could load more) or a file inside
  the folders the report may read (the workspace, output/assets, the built-in templates),
  never the network, never `file:`, never the store in a public edition, never the cache;
- a **link** (what a reader may follow: `<a href>`) may go to the web (http, https), mail or a
  telephone, or to another file of the report; never `javascript:`, `data:` or `file:`;
- an **attachment** (`rel="attachment"`, which WeasyPrint embeds in the PDF) must be a file
  that config.yaml lists under `attachments:`, and in a public edition none from the store;
- scripts, frames, objects, event handlers, `<base>`, `<meta http-equiv>` (refresh, or a
  policy of a template's own), SVG animations of an address and markup that a browser would
  read back as a different tree have no place in a report.

Each refusal names the template file and line that wrote the reference (`RenderedHtml`).
WeasyPrint's own fetcher (sitrep.render.pdf) enforces the same limits again while it lays out pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sitrep.errors import Problem, TemplateProblem, excerpt
from sitrep.render import htmltree
from sitrep.render.csstokens import IMPORT, css_loads
from sitrep.render.templates import RenderedHtml, builtin_templates_dir
from sitrep.source.cache import CACHE_DIR
from sitrep.source.config import Config

RESOURCE = "resource"
LINK = "link"
ATTACHMENT = "attachment"

URL_EXCERPT = 80  # a refused URL is quoted up to this length: long enough to recognise it
_LINK_SCHEMES = {"http", "https", "mailto", "tel"}
_STYLESHEET_REFERENCES = {"<link href>", IMPORT}


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
            # An image or a font in a data: URL loads nothing more; a stylesheet can (@import).
            return "a stylesheet in a data: URL is not allowed (write the CSS in a <style>)" \
                if reference.where in _STYLESHEET_REFERENCES else ""
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


def check_references(rendered: RenderedHtml, policy: ReferencePolicy) -> RenderedHtml:
    """The HTML as it is written: `rendered` parsed as a browser parses it (render/htmltree.py),
    every reference of that tree judged, the Content-Security-Policy added, serialised.
    Raise TemplateProblem, one problem per refused reference at the template file and line
    that wrote it (and for markup that a browser would read back as a different tree)."""
    document = htmltree.parse(rendered.text)
    problems = []
    for item in _findings(document):
        if isinstance(item, Refusal):
            problems.append((item.offset, f"{item.what} is not allowed in a report", "plain HTML and CSS"))
            continue
        reason = policy.judge(item) or _stylesheet_refusal(item, policy)
        if reason:
            problems.append((item.offset, f"the report refers to '{excerpt(item.url, URL_EXCERPT)}' ({item.where}): {reason}",
                             _EXPECTED[item.kind]))
    if not problems:
        htmltree.add_content_policy(document)
        text = htmltree.serialised(document)
        mutated = htmltree.first_mutation(document, text)
        if mutated is None:
            return htmltree.retracked(rendered, document, text)
        problems.append((htmltree.origin_offset(mutated), "markup that a browser reads back as different markup "
                         "(misnested or foreign elements) is not allowed in a report", _WELL_FORMED))
    raise TemplateProblem([Problem(*rendered.origin_at(offset), message, expected=expected)
                           for offset, message, expected in problems])


_WELL_FORMED = "well-formed HTML: every element closed where it was opened"


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
    for url, where, _ in css_loads(css):
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
    return [item for item in _findings(htmltree.parse(html)) if isinstance(item, Reference)]


# Elements refused wherever they stand (in any namespace: an SVG <script> runs too).
_REFUSED_ELEMENTS = {
    "script": "a <script>", "iframe": "an <iframe>", "frame": "a <frame>", "frameset": "a <frameset>",
    "object": "an <object>", "embed": "an <embed>", "applet": "an <applet>", "portal": "a <portal>",
    "fencedframe": "a <fencedframe>", "base": "a <base> element (it changes where every address leads)",
    "handler": "an SVG <handler>", "listener": "an SVG <listener>",
}
# Attributes refused on any element: each loads, pings or runs something a report has no use for.
_REFUSED_ATTRIBUTES = {
    "formaction": "a formaction= attribute", "ping": "a ping= attribute (a request on every click)",
    "srcdoc": "a srcdoc= attribute (a document inside the report)", "poster": "a poster= attribute",
    "background": "a background= attribute", "lowsrc": "a lowsrc= attribute", "dynsrc": "a dynsrc= attribute",
    "codebase": "a codebase= attribute", "archive": "an archive= attribute",
    "http-equiv": "a <meta http-equiv> (sitrep writes the page's one policy itself)",
    "xlink:href": "an xlink:href= attribute (write href=)", "xml:base": "an xml:base= attribute",
}
_PRELOADING_RELS = {"preload", "prefetch", "dns-prefetch", "preconnect", "prerender", "modulepreload"}
_SVG_ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform", "animatecolor"}
# SVG attributes whose value may hold a CSS url(): presentation attributes and animation values.
_SVG_URL_ATTRIBUTES = {"fill", "stroke", "filter", "mask", "clip-path", "marker", "marker-start", "marker-mid",
                       "marker-end", "cursor", "color-profile", "to", "from", "by", "values"}
_RESOURCE_ATTRIBUTES = {"src", "srcset", "imagesrcset", "data", "manifest"}
_LINK_ATTRIBUTES = {"action", "cite", "longdesc"}


def _findings(document) -> list[Reference | Refusal]:
    """Every reference and refusal of the parsed document, with the offset that wrote it."""
    found: list[Reference | Refusal] = []
    for element in htmltree.elements(document):
        at = htmltree.origin_offset(element)
        tag = element.name.lower()
        attrs = {name.lower(): value or "" for name, value in (element.attrs or {}).items()}
        found.extend(_element_refusals(element, tag, attrs, at))
        rel = set(attrs.get("rel", "").lower().split())
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(Refusal(f"an event handler ({name}=)", at))
            elif name in _REFUSED_ATTRIBUTES:
                found.append(Refusal(_REFUSED_ATTRIBUTES[name], at))
            elif name == "style" or (element.namespace == "svg" and name in _SVG_URL_ATTRIBUTES):
                found.extend(_css(value, at, relative=False))
            elif name == "href":
                if "attachment" in rel:
                    kind = ATTACHMENT
                elif tag in ("a", "area"):
                    kind = LINK
                else:  # <link rel=stylesheet|icon|...>, SVG <image>, <use>
                    kind = RESOURCE
                found.append(Reference(value, kind, f"<{tag} {name}>", at))
            elif name in _LINK_ATTRIBUTES:
                found.append(Reference(value, LINK, f"<{tag} {name}>", at))
            elif name in _RESOURCE_ATTRIBUTES:
                for url in _split_srcset(value) if name.endswith("srcset") else [value]:
                    found.append(Reference(url, RESOURCE, f"<{tag} {name}>", at))
        if tag == "style":
            css, start = htmltree.text_of(element)
            found.extend(_css(css, at if start is None else start, relative=start is not None))
    return found


def _element_refusals(element, tag: str, attrs: dict[str, str], at: int) -> list[Refusal]:
    if tag in _REFUSED_ELEMENTS:
        return [Refusal(_REFUSED_ELEMENTS[tag], at)]
    if tag == "noscript" and (any(child.name != "#text" for child in element.children or [])
                              or "<" in htmltree.text_of(element)[0]):
        # Read as text where scripts run and as markup where they do not: a report has neither.
        return [Refusal("markup inside a <noscript>", at)]
    if tag == "link" and _PRELOADING_RELS & set(attrs.get("rel", "").lower().split()):
        return [Refusal("a <link> that preloads or connects (rel=preload, prefetch, preconnect...)", at)]
    if tag in _SVG_ANIMATIONS and attrs.get("attributename", "").strip().lower().endswith(("href", "src")):
        return [Refusal("an SVG animation of an address (attributeName=href)", at)]
    if tag == "use" and not attrs.get("href", "#").strip().startswith("#"):
        return [Refusal("an SVG <use> of another file (write <use href=\"#id\">)", at)]
    return []


def _css(css: str, start: int, relative: bool) -> list[Reference]:
    """The CSS's loads as references: at `start` plus their offset in the CSS when `relative`
    (a <style>'s text, written as it stands), else at `start` (an attribute, whose value the
    parser decoded)."""
    return [Reference(url, RESOURCE, where, start + at if relative else start) for url, where, at in css_loads(css)]


def _split_srcset(value: str) -> list[str]:
    """The addresses of a srcset, as the HTML standard's algorithm reads them: a run of
    non-space characters (trailing commas dropped), then descriptors up to a comma outside
    parentheses."""
    urls, at, end = [], 0, len(value)
    while True:
        while at < end and (value[at] in _SPACES or value[at] == ","):
            at += 1
        if at >= end:
            return urls
        start = at
        while at < end and value[at] not in _SPACES:
            at += 1
        url = value[start:at]
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        in_parentheses = False  # the descriptors: skipped up to a comma outside parentheses (never nested)
        while at < end and (in_parentheses or value[at] != ","):
            in_parentheses = value[at] == "(" or (in_parentheses and value[at] != ")")
            at += 1


_SPACES = " \t\n\r\f"
