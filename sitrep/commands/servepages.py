"""What `sitrep serve` answers with besides files: the report page with its live-reload script,
its own error pages, and the Content-Security-Policy header each carries.

Every HTML answer carries the policy every HTML file sitrep writes carries
(sitrep.render.contentpolicy: no script, frame, object or network load; links stay clickable),
as a header, with what only a header can say: `frame-ancestors 'none'` (no other site may show
the page in a frame). The report page and the build's error page are the one exception to "no
script": they run serve's own live-reload script, allowed by its SHA-256 hash (no other script,
whatever a template wrote, has that hash) together with `connect-src 'self'` for the event stream
it listens to. A policy in a `<meta>` can only add restrictions to the header's, never lift one, so the
page is served without the written file's policy `<meta>`: the header says the same and more.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import re
import traceback
from dataclasses import dataclass

from sitrep.errors import Problem
from sitrep.render.contentpolicy import CONTENT_SECURITY_POLICY

VERSION_PATH = "/__sitrep/version"  # the current build generation, as plain text (for tools)
EVENTS_PATH = "/events"  # server-sent events: `reload` when the page's build generation is out of date

SERVED_POLICY = f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"
# A file of the page's (a font, the theme's logo) opened on its own: an SVG logo runs nothing.
ASSET_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

LIVE_RELOAD_SCRIPT = """/* sitrep serve: reload when the report is rebuilt */
(function () {
  var generation = "%s";
  function listen() {
    var events = new EventSource("%s?generation=" + encodeURIComponent(generation));
    events.addEventListener("reload", function () { events.close(); location.reload(); });
    events.onerror = function () {  /* the browser connects again by itself, unless it gave up */
      if (events.readyState === EventSource.CLOSED) { setTimeout(listen, 1000); }
    };
  }
  listen();
})();
"""

# The <meta> sitrep writes into every HTML file (sitrep.render), in any attribute order and quoting.
META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")


def live_reload_script(generation: str) -> str:
    """The script's text (what its hash covers), for a page of this build generation."""
    return LIVE_RELOAD_SCRIPT % (generation, EVENTS_PATH)


def page_policy(script: str) -> str:
    """The policy of a page that runs `script` and nothing else."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return f"{SERVED_POLICY}; script-src 'sha256-{digest}'; connect-src 'self'"


def without_policy_meta(page: str) -> str:
    """`page` without the `<meta http-equiv="Content-Security-Policy">` holding sitrep's own policy,
    which would forbid the live-reload script; any other tag is left as it is."""
    def drop(match: re.Match) -> str:
        attributes = {name.lower(): html_lib.unescape(double or single or bare)
                      for name, double, single, bare in ATTRIBUTE.findall(match.group(0))}
        ours = (attributes.get("http-equiv", "").lower() == "content-security-policy"
                and attributes.get("content") == CONTENT_SECURITY_POLICY)
        return "" if ours else match.group(0)

    return META_TAG.sub(drop, page)


@dataclass(frozen=True)
class Page:
    """What `/` answers with, and the build generation it belongs to."""

    body: str  # HTML as the pipeline (or error_page) made it, without the live-reload script
    status: int  # 200 for a report, 500 for an error page
    generation: str
    summary: str  # one line for the console: 'ok' or 'N errors'

    def html(self) -> bytes:
        script = f"<script>{live_reload_script(self.generation)}</script>\n"
        body = without_policy_meta(self.body)
        at = body.lower().rfind("</body>")
        body = body[:at] + script + body[at:] if at >= 0 else body + script
        return body.encode("utf-8")

    def policy(self) -> str:
        """The Content-Security-Policy header that goes with html()."""
        return page_policy(live_reload_script(self.generation))


def error_page(problems: list[Problem], title: str = "sitrep") -> str:
    """An HTML page listing each problem as file:line: message, every character escaped."""
    errors = [p for p in problems if p.severity == "error"] or problems
    count = len(errors)
    heading = f"{count} error{'s' if count != 1 else ''}: the report could not be built"
    items = "\n".join(f"<li><code>{html_lib.escape(str(problem))}</code></li>" for problem in problems)
    return _page(f"Build failed — {title}", heading, f"<ul class=\"problems\">\n{items}\n</ul>\n"
                 "<p>Fix the file and save it: this page reloads by itself.</p>")


def internal_error_page(error: BaseException, title: str = "sitrep") -> str:
    """An HTML page for a bug in sitrep (not the user's mistake), with its traceback."""
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return _page(f"Build failed — {title}", f"internal error: {type(error).__name__}: {error}",
                 f"<p>This is a bug in sitrep, not in your files; please report it with this traceback."
                 f" The server keeps running and rebuilds when a file changes.</p>\n"
                 f"<pre>{html_lib.escape(trace)}</pre>")


def _page(title: str, heading: str, content: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html_lib.escape(title)}</title>\n"
            "<style>body{font-family:sans-serif;margin:2rem;max-width:60rem}"
            ".banner{background:#b00020;color:#fff;padding:1rem;border-radius:4px}"
            "code,pre{white-space:pre-wrap;word-break:break-word}li{margin:.5rem 0}</style>\n"
            "</head>\n<body>\n"
            f"<h1 class=\"banner\">{html_lib.escape(heading)}</h1>\n{content}\n</body>\n</html>\n")
