"""Attempts to make a report run a script or send a request, as a hostile template author would
write them into a section template (issue 22): the parser differentials and mutation-XSS forms
of the PortSwigger XSS cheat sheet, DOMPurify's mXSS bypasses and html5sec.org, and loads hidden
in CSS and SVG.

Each attempt is markup in which LISTENER stands for an address of a local HTTP listener (a
request there is a leak) and PAYLOAD for a script that leaves a trace (a console message and the
page's title). Its verdict is what sitrep does with it: REFUSED (the build stops with an error
at the template line that wrote it) or HARMLESS (built, and a browser opening the file runs
nothing and requests nothing).
"""

from __future__ import annotations

REFUSED = "refused"
HARMLESS = "harmless"

PAYLOAD = "console.log('ran-NAME');document.title='ran-NAME'"

# name: (markup, verdict)
CORPUS: dict[str, tuple[str, str]] = {
    # --- the issue's own: the old checker read these differently from Chromium -----------------
    "comment-bang-end": ("<!-- x --!><script>PAYLOAD</script> -->", REFUSED),
    "comment-abrupt-end": ("<!--><script>PAYLOAD</script>-->", REFUSED),
    "style-end-tag-attribute": ("<style>p{}</style x><script>PAYLOAD</script>", REFUSED),
    "style-end-tag-slash": ("<style>p{}</style/><img src=x onerror=\"PAYLOAD\">", REFUSED),
    "noscript-attribute-breakout": ("<noscript><p title=\"</noscript><img src='LISTENER'>\"></p></noscript>", REFUSED),
    "iframe-data-script": ("<iframe src=\"data:text/html,<script>PAYLOAD</script>\"></iframe>", REFUSED),
    "object-data-script": ("<object data=\"data:text/html,<script>PAYLOAD</script>\"></object>", REFUSED),
    "css-image-set": ("<div style='background-image: image-set(\"LISTENER\" 1x)'>x</div>", REFUSED),
    "svg-set-href": ("<svg><image width=\"9\" height=\"9\"><set attributeName=\"href\" to=\"LISTENER\"/></image></svg>",
                     REFUSED),
    # --- raw text elements ended early ------------------------------------------------------------
    "noembed-breakout": ("<noembed><img title=\"</noembed><img src=x onerror=PAYLOAD>\"></noembed>", REFUSED),
    "xmp-breakout": ("<xmp><img title=\"</xmp><img src=x onerror=PAYLOAD>\"></xmp>", REFUSED),
    "textarea-breakout": ("<textarea><img title=\"</textarea><img src=x onerror=PAYLOAD>\"></textarea>", REFUSED),
    "title-breakout": ("<title><img title=\"</title><img src=x onerror=PAYLOAD>\"></title>", REFUSED),
    "style-comment-breakout": ("<style>/*</style><script>PAYLOAD</script>*/</style>", REFUSED),
    # --- mutation XSS: markup that changes shape when serialised and read again ------------------
    "mathml-mglyph-style": ("<math><mtext><table><mglyph><style><img src=x onerror=PAYLOAD>", REFUSED),
    "form-math-mglyph": ("<form><math><mtext></form><form><mglyph><style></math><img src onerror=PAYLOAD>", REFUSED),
    "svg-p-style": ("<svg></p><style><a id=\"</style><img src=1 onerror=PAYLOAD>\">", REFUSED),
    "svg-style-breakout": ("<svg><style><img src=x onerror=PAYLOAD></style></svg>", REFUSED),
    # --- elements and attributes that run or load by themselves -------------------------------------
    "svg-script": ("<svg><script>PAYLOAD</script></svg>", REFUSED),
    "svg-onload": ("<svg onload=\"PAYLOAD\"></svg>", REFUSED),
    "embed-svg": ("<embed src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='PAYLOAD'/>\">",
                  REFUSED),
    "iframe-srcdoc": ("<iframe srcdoc=\"&lt;script&gt;PAYLOAD&lt;/script&gt;\"></iframe>", REFUSED),
    "portal": ("<portal src=\"LISTENER\"></portal>", REFUSED),
    "base-href": ("<base href=\"LISTENER/\">", REFUSED),
    "meta-refresh": ("<meta http-equiv=\"refresh\" content=\"0;url=LISTENER\">", REFUSED),
    "meta-policy-of-its-own": ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src *\">", REFUSED),
    "link-prefetch": ("<link rel=\"prefetch\" href=\"LISTENER\">", REFUSED),
    "link-dns-prefetch": ("<link rel=\"dns-prefetch preconnect\" href=\"LISTENER\">", REFUSED),
    "link-data-stylesheet": ("<link rel=\"stylesheet\" href=\"data:text/css,@import 'LISTENER';\">", REFUSED),
    "a-ping": ("<a href=\"https://example.org/\" ping=\"LISTENER\">x</a>", REFUSED),
    "button-formaction": ("<form><button formaction=\"javascript:PAYLOAD\">x</button></form>", REFUSED),
    "javascript-link-entities": ("<a href=\"jav&#x09;ascript&colon;PAYLOAD\">x</a>", REFUSED),
    "javascript-link-control-character": ("<a href=\"&#1; javascript:PAYLOAD\">x</a>", REFUSED),
    "video-poster": ("<video poster=\"LISTENER\"></video>", REFUSED),
    "table-background": ("<table background=\"LISTENER\"><tr><td>x</td></tr></table>", REFUSED),
    "input-image": ("<input type=\"image\" src=\"LISTENER\" alt=\"x\">", REFUSED),
    "img-srcset-second": ("<img alt=\"\" srcset=\"data:, 1x, LISTENER 2x\">", REFUSED),
    "img-srcset-after-parentheses": ("<img alt=\"\" srcset=\"data:, 1x ((x), LISTENER 2x\">", REFUSED),
    "img-src-entities": ("<img alt=\"\" src=\"&#104;ttp://LISTENER_HOSTPORT/entities\">", REFUSED),
    "template-img": ("<template><img src=\"LISTENER\" alt=\"\"></template>", REFUSED),
    "foreignobject-img": ("<svg><foreignObject><img src=\"LISTENER\" alt=\"\"></foreignObject></svg>", REFUSED),
    # --- SVG and MathML loads ----------------------------------------------------------------------
    "svg-animate-values": ("<svg><image width=\"9\" height=\"9\" href=\"data:,\"><animate attributeName=\"href\" "
                           "values=\"LISTENER\" dur=\"1s\"/></image></svg>", REFUSED),
    "svg-set-xlink": ("<svg><image width=\"9\" height=\"9\"><set attributeName=\"xlink:href\" to=\"LISTENER\"/>"
                      "</image></svg>", REFUSED),
    "svg-animate-fill-url": ("<svg><rect width=\"9\" height=\"9\"><animate attributeName=\"fill\" "
                             "values=\"url(LISTENER#p)\" dur=\"1s\"/></rect></svg>", REFUSED),
    "svg-use-external": ("<svg><use href=\"LISTENER#x\"/></svg>", REFUSED),
    "svg-image-xlink": ("<svg><image xlink:href=\"LISTENER\"/></svg>", REFUSED),
    "svg-feimage": ("<svg><filter id=\"f\"><feImage href=\"LISTENER\"/></filter></svg>", REFUSED),
    "svg-fill-url": ("<svg><rect width=\"9\" height=\"9\" fill=\"url(LISTENER#g)\"/></svg>", REFUSED),
    "svg-a-javascript": ("<svg><a href=\"javascript:PAYLOAD\"><text y=\"20\">x</text></a></svg>", REFUSED),
    "mathml-href-javascript": ("<math href=\"javascript:PAYLOAD\"><mi>x</mi></math>", REFUSED),
    "svg-style-import": ("<svg><style>@import \"LISTENER\";</style></svg>", REFUSED),
    # --- CSS loads, however written --------------------------------------------------------------------
    "css-webkit-image-set": ("<style>.x{background:-webkit-image-set(\"LISTENER\" 1x)}</style><p class=\"x\">x</p>",
                             REFUSED),
    "css-import-string": ("<style>@import \"LISTENER\";</style>", REFUSED),
    "css-import-data": ("<style>@import url(data:text/css,@import%20'LISTENER');</style>", REFUSED),
    "css-escaped-url": ("<style>p{background:u\\72l(LISTENER)}</style>", REFUSED),
    "css-escaped-url-attribute": ("<p style=\"background:\\75 rl(LISTENER)\">x</p>", REFUSED),
    "css-font-face-src": ("<style>@font-face{font-family:x;src:url(LISTENER)}p{font-family:x}</style>", REFUSED),
    "css-unterminated-url": ("<style>p{background:url(LISTENER</style>", REFUSED),
    "css-behavior": ("<p style=\"behavior:url(LISTENER)\">x</p>", REFUSED),
    "css-escaped-image-set": ("<p style='background:imag\\65-set(\"LISTENER\" 1x)'>x</p>", REFUSED),
    # --- built, and harmless: what looks like a load or a script but is text --------------------
    "css-url-in-string": ("<p style='content:\"url(LISTENER)\"'>x</p>", HARMLESS),
    "css-url-split-by-comment": ("<style>p{background:url/**/(LISTENER)}</style>", HARMLESS),
    "script-in-comment": ("<!-- <script>PAYLOAD</script> -->", HARMLESS),
    "script-as-text": ("&lt;script&gt;PAYLOAD&lt;/script&gt;", HARMLESS),
    "script-in-attribute": ("<p title=\"<script>PAYLOAD</script>\">x</p>", HARMLESS),
    "cdata-in-html": ("<![CDATA[<script>PAYLOAD</script>]]>", HARMLESS),
    "cdata-in-svg": ("<svg><![CDATA[</svg><img src=x onerror=PAYLOAD>]]></svg>", HARMLESS),
    "svg-inside-data-image": ("<img alt=\"\" src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>"
                              "<image href='LISTENER'/></svg>\">", HARMLESS),
    "frameset-in-body": ("<frameset onload=\"PAYLOAD\"><frame src=\"LISTENER\"></frameset>", HARMLESS),
    "css-attr-url": ("<p data-u=\"LISTENER\" style=\"background-image: attr(data-u url)\">x</p>", HARMLESS),
    "a-plain-link": ("<a href=\"https://example.org/\">x</a>", HARMLESS),
}


def markup(name: str, listener: str) -> str:
    """The attempt's markup, its addresses pointing at `listener` ('http://127.0.0.1:PORT')."""
    text, _ = CORPUS[name]
    hostport = listener.split("://", 1)[1]
    return (text.replace("PAYLOAD", PAYLOAD.replace("NAME", name))
            .replace("LISTENER_HOSTPORT", hostport).replace("LISTENER", f"{listener}/{name}"))
