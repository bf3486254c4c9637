"""What a piece of CSS loads: its `url()`, `image-set()`, `src()` and `@import` references, read
the way a browser tokenises CSS (CSS Syntax Level 3), so that a quoted string is text and an
escaped function name is still the function.

`content: "url(file:///x)"` loads nothing (a string); `url("a.png")`, `url(a.png)`,
`u\\72l(a.png)`, `image-set("a.png" 1x)`, `-webkit-image-set(...)`, `src("a.woff")`,
`image("a.png")` and `@import "a.css"` each load their address. The tokeniser does not need
to understand CSS beyond that: it walks comments, strings, escapes and names, and keeps a stack
of the functions it is inside, so a string directly inside a loading function is an address.
"""

from __future__ import annotations

import re

URL = "CSS url()"
IMPORT = "CSS @import"
# Functions whose string arguments are addresses a browser or WeasyPrint loads.
_LOADING_FUNCTIONS = {"image-set": "CSS image-set()", "-webkit-image-set": "CSS image-set()",
                      "src": "CSS src()", "image": "CSS image()"}
_NAME_START = re.compile(r"[A-Za-z_\u0080-\U0010ffff]")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_\-\u0080-\U0010ffff]")
_HEX = re.compile(r"[0-9a-fA-F]{1,6}")
_WHITESPACE = " \t\n\r\f"


def css_loads(css: str) -> list[tuple[str, str, int]]:
    """(address, how it is written, offset in `css`) of every address the CSS loads, in order."""
    return _Scanner(css).scan()


class _Scanner:
    def __init__(self, css: str):
        self.css = css
        self.at = 0
        self.found: list[tuple[str, str, int]] = []
        self.functions: list[str] = []  # the functions (or '(' blocks: '') the scanner is inside
        self.after_import = False  # the last token was @import: a string now is a stylesheet's address

    def scan(self) -> list[tuple[str, str, int]]:
        css = self.css
        while self.at < len(css):
            start = self.at
            char = css[start]
            if css.startswith("/*", start):
                end = css.find("*/", start + 2)
                self.at = len(css) if end < 0 else end + 2
                continue
            if char in _WHITESPACE:
                self.at += 1
                continue
            if char in "\"'":
                text = self.string(char)
                if self.after_import:
                    self.found.append((text, IMPORT, start))
                elif self.functions and self.functions[-1] in _LOADING_FUNCTIONS:
                    self.found.append((text, _LOADING_FUNCTIONS[self.functions[-1]], start))
                self.after_import = False
                continue
            if char == "@":
                self.at += 1
                name = self.name() if self.starts_name() else ""
                self.after_import = name.lower() == "import"
                continue
            if self.starts_name():
                name = self.name().lower()
                if self.at < len(css) and css[self.at] == "(":
                    self.at += 1
                    if name == "url":
                        self.url(start)
                    else:
                        self.functions.append(name)
                self.after_import = False
                continue
            if char == "(" or char == "[" or char == "{":
                self.functions.append("")
            elif char in ")]}" and self.functions:
                self.functions.pop()
            self.after_import = False
            self.at += 1
        return self.found

    def starts_name(self) -> bool:
        """Whether an identifier starts here (CSS Syntax: 'would start an ident sequence')."""
        rest = self.css[self.at:self.at + 3]
        if rest.startswith("--"):
            return True
        if rest.startswith("-"):
            rest = rest[1:]
        return bool(rest) and (_valid_escape(rest[:2]) or bool(_NAME_START.match(rest[0])))

    def name(self) -> str:
        """The name starting here, its escapes resolved."""
        css = self.css
        out = []
        while self.at < len(css):
            char = css[self.at]
            if char == "\\" and _valid_escape(css[self.at:self.at + 2]):
                out.append(self.escape())
            elif _NAME_CHAR.match(char):
                out.append(char)
                self.at += 1
            else:
                break
        return "".join(out)

    def escape(self) -> str:
        """The character a backslash escape here stands for (the backslash at self.at)."""
        self.at += 1
        hexdigits = _HEX.match(self.css, self.at)
        if hexdigits:
            self.at = hexdigits.end()
            if self.at < len(self.css) and self.css[self.at] in _WHITESPACE:
                self.at += 1
            code = int(hexdigits.group(), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        if self.at >= len(self.css):
            return "\ufffd"
        char = self.css[self.at]
        self.at += 1
        return char

    def string(self, quote: str) -> str:
        """The text of the string starting here (ended by its quote, a newline or the end)."""
        css = self.css
        self.at += 1
        out = []
        while self.at < len(css):
            char = css[self.at]
            if char == quote:
                self.at += 1
                break
            if char == "\n":  # a bad string: it ends here
                break
            if char == "\\":
                if css[self.at + 1:self.at + 2] == "\n":
                    self.at += 2
                    continue
                out.append(self.escape())
                continue
            out.append(char)
            self.at += 1
        return "".join(out)

    def url(self, start: int) -> None:
        """After `url(`: the address, quoted or not, up to the closing parenthesis."""
        css = self.css
        where = IMPORT if self.after_import else URL
        while self.at < len(css) and css[self.at] in _WHITESPACE:
            self.at += 1
        if self.at < len(css) and css[self.at] in "\"'":
            self.found.append((self.string(css[self.at]), where, start))
            self.functions.append("url")  # a url("...") function: its ')' closes it
            return
        out = []
        while self.at < len(css):
            char = css[self.at]
            if char == ")":
                self.at += 1
                break
            if char == "\\" and _valid_escape(css[self.at:self.at + 2]):
                out.append(self.escape())
                continue
            out.append(char)
            self.at += 1
        self.found.append(("".join(out).strip(_WHITESPACE), where, start))


def _valid_escape(two: str) -> bool:
    return len(two) == 2 and two[0] == "\\" and two[1] != "\n"
