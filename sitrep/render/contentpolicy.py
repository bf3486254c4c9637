"""The Content-Security-Policy every HTML file sitrep writes or serves carries.

The reference checker (sitrep.render.references) refuses what a report may not load; the policy
is the second wall, enforced by the reader's browser whatever a checker missed: no script, no
frame, no object, no network load of any kind. A report's own files (its stylesheet, fonts and
images beside it, under the same folder or server) and inline `data:` resources stay allowed;
links stay clickable, since following a link is not a load the policy governs.

The same words go into a `<meta http-equiv>` in every file (a browser enforces it for a file
opened from disk too) and into the header `sitrep serve` sends.
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
))
