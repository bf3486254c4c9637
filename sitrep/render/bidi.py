"""Right-to-left editions: Latin runs in the rendered HTML's text isolated left to right.

In an Arabic paragraph, the bidi algorithm reorders the parts of '(2016-W26)' or of a URL
('W26-2016'); an English name with a number in it can swap its words. Every run of Latin
letters and digits in the document's text is wrapped in the isolate characters U+2066 ... U+2069,
which WeasyPrint and browsers honour (WeasyPrint supports neither <bdi> nor `unicode-bidi:
isolate`). Only text between tags is touched: attributes, styles and inline SVG charts (drawn
left to right on their own) are left as they are, so no id, class or URL changes.
"""

from __future__ import annotations

import bisect
import re

from sitrep.language import LRI, PDI, latin_runs

# The parts of an HTML document: elements whose content is not text for a reader, comments,
# tags, and text.
_PARTS = re.compile(r"<(style|script|svg)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>|([^<]+)", re.S | re.I)


def isolate_text(html: str) -> tuple[str, list[int]]:
    """`html` with every Latin run of its text isolated, and the offsets (in `html`) at which
    one isolate character was inserted, in order (two at the same offset when a run is empty)."""
    pieces: list[str] = []
    inserted: list[int] = []
    position = 0
    for part in _PARTS.finditer(html):
        if part.group(2) is None:
            continue
        base = part.start(2)
        for start, end in latin_runs(part.group(2)):
            pieces += [html[position:base + start], LRI, html[base + start:base + end], PDI]
            inserted += [base + start, base + end]
            position = base + end
    pieces.append(html[position:])
    return "".join(pieces), inserted


def shifted(offsets: list[int], inserted: list[int]) -> list[int]:
    """Offsets into the original HTML as offsets into the isolated one."""
    return [offset + bisect.bisect_right(inserted, offset) for offset in offsets]
