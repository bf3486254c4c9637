"""The HTML a reader receives: template output parsed as a browser parses it, and written as
that parse's serialisation, so that the tree sitrep judges is the tree every reader builds.

A checker that reads HTML its own way (a tokeniser, regexes) can be shown markup that it reads
one way and a browser another: `<!-- x --!><script>` is a comment to one and a script to the
other. So the rendered HTML is parsed once with the WHATWG algorithm every browser implements
(justhtml), the reference checker (render/references.py) walks *that* tree, and the file
written is the tree serialised. A tree whose serialisation a browser would parse into a
different tree (mutation XSS: markup that changes shape when read again) is refused, not
written. The Content-Security-Policy (render/contentpolicy.py) is put into the tree here, by
code, as the first child of <head>: no template can leave it out or come before it.

Nothing is dropped silently: what the checker refuses is an error naming the template line.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import Iterator

from justhtml import JustHTML
from justhtml.core.types import Doctype
from justhtml.dom import Comment, Element, Node, Template

from sitrep.render.contentpolicy import CONTENT_SECURITY_POLICY
from sitrep.render.templates import RenderedHtml

HTML_NAMESPACE = "html"


def parse(text: str, located: bool = True) -> Node:
    """The document a browser builds from `text` (with `located`, each node knowing its offset
    in `text`: it costs about as much again)."""
    # sanitize=False: justhtml's own sanitiser drops what it dislikes without a word; sitrep
    # refuses instead, with the template line (render/references.py).
    return JustHTML(text, sanitize=False, track_node_locations=located).root


def serialised(document: Node) -> str:
    return document.to_html(pretty=False)


def reserialised(text: str) -> str:
    """`text` as the parser's serialisation (for HTML that is one already, with addresses
    replaced by data: URLs: the same text)."""
    return serialised(parse(text, located=False))


def nodes(document: Node) -> Iterator[Node]:
    """Every node of the document, in document order, the contents of <template> included."""
    stack = [document]
    while stack:
        node = stack.pop()
        yield node
        children = list(node.children or [])
        if isinstance(node, Template) and node.template_content is not None:
            children.append(node.template_content)
        stack.extend(reversed(children))


def elements(document: Node) -> Iterator[Element]:
    return (node for node in nodes(document) if isinstance(node, Element))


def text_of(element: Node) -> tuple[str, int | None]:
    """The text directly inside an element (a <style>'s CSS) and the offset where it starts."""
    texts = [child for child in element.children or [] if child.name == "#text"]
    if not texts:
        return "", None
    return "".join(child.data or "" for child in texts), texts[0].origin_offset


def add_content_policy(document: Node) -> None:
    """Make the policy <meta> the first child of <head> (the parser always builds a <head>)."""
    head = next(e for e in elements(document) if e.name == "head" and e.namespace == HTML_NAMESPACE)
    meta = Element("meta", {"http-equiv": "Content-Security-Policy", "content": CONTENT_SECURITY_POLICY},
                   HTML_NAMESPACE)
    head.insert_before(meta, head.children[0] if head.children else None)


def first_mutation(document: Node, text: str) -> Node | None:
    """The first node of `document` that a browser reading `text` (its serialisation) would not
    build as it is, or None when the two trees are the same."""
    # Node by node: two different trees can serialise to the same text (the point of the check).
    rebuilt = nodes(parse(text, located=False))
    for node in nodes(document):
        other = next(rebuilt, None)
        if other is None or _shape(node) != _shape(other):
            return node
    return None if next(rebuilt, None) is None else document  # a node more: the document is what differs


def _shape(node: Node) -> tuple:
    if isinstance(node, Element):
        return "element", node.name, node.namespace, tuple(sorted((node.attrs or {}).items(), key=str))
    data = getattr(node, "data", None)
    if isinstance(data, Doctype):
        return "doctype", data.name, data.public_id, data.system_id, data.force_quirks
    if isinstance(node, Comment):
        return "comment", data
    return node.name, data


def origin_offset(node: Node) -> int:
    """Where in the parsed text the node was written (0 for one the parser implied)."""
    while node is not None:
        if node.origin_offset is not None:
            return node.origin_offset
        node = node.parent
    return 0


def retracked(rendered: RenderedHtml, document: Node, text: str) -> RenderedHtml:
    """`text`, the serialisation of `document` parsed from `rendered`, knowing the template
    line that wrote each of its elements, as `rendered` knew it: what the PDF stage reports
    a refused address with."""
    starts, offsets = [], []
    cursor = 0
    for element in elements(document):
        if element.origin_offset is None:
            continue
        at = text.find("<" + element.name, cursor)
        if at < 0:
            continue
        starts.append(at)
        offsets.append(element.origin_offset)
        cursor = at + 1
    return _Retracked(text, starts, [], rendered, offsets)


@dataclasses.dataclass
class _Retracked(RenderedHtml):
    """A serialisation whose elements know where in the rendered text they were written (the
    template file and line looked up only when asked: refusals are rare)."""

    rendered: RenderedHtml | None = None
    offsets: list[int] = dataclasses.field(default_factory=list)  # of each element in `rendered`

    def origin_at(self, offset: int) -> tuple[str, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0 or self.rendered is None:
            return "templates", 0
        filename, line = self.rendered.origin_at(self.offsets[i])
        return filename, line + self.text.count("\n", self.starts[i], offset)
