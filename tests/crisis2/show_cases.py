"""Issue 23's cases as report text: builds the invented Tell Sahran store (tests/crisis2) with a
given sitrep executable, in a temporary folder, and prints for each case the lines of the
reports (their HTML as text), of `sitrep weeks` and of `sitrep trace` that the case is about.

    python tests/crisis2/show_cases.py --sitrep /work/wt-base/.venv/bin/sitrep   # before
    python tests/crisis2/show_cases.py --sitrep .venv/bin/sitrep                 # after

Standard library only, so that any Python runs it. An executable without `--as-of` (the code
before issue 23) builds as it did then: every week with a fact, whatever the day.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = "2025-11-20"  # a Thursday: 2025-W47 (17–23 November) is not over

# A fact dated after the as-of day (the "report from the future"), and a public outlook
# whose numbers cite nothing: each added to a copy of the store on its own.
FUTURE = """incidents:
  - id: future-2025-12-15
    type: military_operation
    date: 2025-12-15
    place: tell-sahran
    status: alleged
    summary: Typed with the wrong month.
    cited:
      - {source: radio-wadi, date: 2025-12-15, credibility: 3}
"""
UNCITED = """narrative:
  - id: outlook-uncited-2025-w45
    week: 2025-W45
    section: outlook
    text: |
      Some 42,000 people are thought to remain, 25,000 to 30,000 of them children, and 8,000 of
      them without shelter.
"""

BLOCKS = {"p", "li", "tr", "h1", "h2", "h3", "h4", "caption", "figcaption", "div", "table",
          "section", "header", "footer", "ul", "ol", "dl", "br", "blockquote"}
SKIP = {"style", "script", "svg", "template"}


class Text(HTMLParser):
    """The report as a reader sees it: one line per block, a table row's cells joined by ' | ',
    each line tagged with the id of the section it is in ('header' for the report's header)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, str]] = []
        self.sections: list[tuple[str, str]] = []  # (tag, id) of the open sections
        self.current: list[str] = []
        self.skipping = 0

    def flush(self):
        line = re.sub(r"\s+", " ", "".join(self.current)).strip(" |")
        if line:
            self.lines.append((self.sections[-1][1] if self.sections else "", line))
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skipping += 1
        if self.skipping:
            return
        if tag in BLOCKS:
            self.flush()
        if tag in ("section", "header"):
            self.sections.append((tag, dict(attrs).get("id") or tag))
        if tag in ("td", "th") and self.current:
            self.current.append(" | ")

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag in BLOCKS:
            self.flush()
        if tag == "dt":  # a header's term and its value on one line: 'Next report: 9 March 2025'
            self.current.append(": ")
        if tag in ("section", "header") and self.sections:
            self.sections.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)


def report_lines(html_file: Path) -> list[tuple[str, str]]:
    parser = Text()
    parser.feed(html_file.read_text(encoding="utf-8"))
    parser.close()
    parser.flush()
    return parser.lines


class Workspace:
    def __init__(self, sitrep: str, root: Path, as_of: str | None, extra: dict[str, str] | None = None):
        self.sitrep, self.root, self.as_of = sitrep, root, as_of
        shutil.copy(HERE / "config.yaml", root / "config.yaml")
        shutil.copytree(HERE / "facts", root / "facts")
        for name, text in (extra or {}).items():
            (root / "facts" / name).write_text(text, encoding="utf-8")

    def run(self, *args: str, dated: bool = True) -> subprocess.CompletedProcess:
        command = [self.sitrep, *args] + (["--as-of", self.as_of] if dated and self.as_of else [])
        return subprocess.run(command, cwd=self.root, capture_output=True, text=True, timeout=600)

    def report(self, week: str, edition: str = "public") -> list[tuple[str, str]]:
        name = f"sahran-sitrep-{week}{'-internal' if edition == 'internal' else ''}.html"
        path = self.root / "output" / week / name
        return report_lines(path) if path.exists() else []


def pick(lines, sections=None, *words, limit: int = 8) -> list[str]:
    """The lines of the given sections (all when None) holding any of the words."""
    found = [line for section, line in lines
             if (sections is None or section in sections) and (not words or any(w.lower() in line.lower() for w in words))]
    return found[:limit]


def show(title: str, items: list[tuple[str, list[str] | str]]):
    print(f"\n## {title}")
    for label, lines in items:
        lines = [lines] if isinstance(lines, str) else lines
        if not lines:
            print(f"  {label}: (nothing)")
        for n, line in enumerate(lines):
            print(f"  {label if n == 0 else ' ' * len(label)}: {line}")


def out_lines(done: subprocess.CompletedProcess, *words: str, limit: int = 4, unless: str = "\0") -> list[str]:
    lines = [l for l in (done.stdout + done.stderr).splitlines()
             if (not words or any(w in l for w in words)) and unless not in l]
    return [f"exit {done.returncode}"] + lines[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sitrep", required=True, help="the sitrep executable to build with")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args()
    sitrep = str(Path(args.sitrep).resolve()) if "/" in args.sitrep else shutil.which(args.sitrep) or args.sitrep
    dated = "--as-of" in subprocess.run([sitrep, "build", "--help"], capture_output=True, text=True).stdout
    as_of = AS_OF if dated else None
    tmp = Path(tempfile.mkdtemp(prefix="sahran-cases-"))
    print(f"# Issue 23's cases on tests/crisis2 (invented Tell Sahran), built by {sitrep}")
    print(f"# {'--as-of ' + AS_OF if dated else 'no --as-of option: built as that code builds, whatever the day'}")
    try:
        (tmp / "main").mkdir()
        ws = Workspace(sitrep, tmp / "main", as_of)
        for edition in ("public", "internal"):
            done = ws.run("build", "--all", "--format", "html", "--language", "en", "--edition", edition, "-q")
            if done.returncode:
                print(f"build --all --edition {edition} failed: exit {done.returncode}\n{done.stderr}")
        r = {week.name: ws.report(week.name) for week in sorted((ws.root / "output").glob("2025-W*"))}
        weeks = ws.run("weeks").stdout.splitlines()
        trace = {i: ws.run("trace", i, dated=dated).stdout.split("\n\nIn the internal series")[0].splitlines()
                 for i in ("river-track", "north-road", "displaced-2025-02", "trapped-2025-02-27", "flight-2025-11-03")}
        w = lambda week: r.get(week, [])

        show("1a. Route 'open, as of September', then 'restricted, 23 September', then closed 7 October", [
            ("No. 7 (2025-W40) box", pick(w("2025-W40"), {"since-last"}, "River track")),
            ("No. 7 (2025-W40) glance", pick(w("2025-W40"), {"routes-glance"}, "River track")),
            ("No. 8 (2025-W41) box", pick(w("2025-W41"), {"since-last"}, "River track")),
            ("No. 8 (2025-W41) routes", pick(w("2025-W41"), {"routes"}, "now closed", "was ")),
        ])
        show("1b. Key figure '3,000 (20 February)' then '5,000 (February)'", [
            ("No. 5 (2025-W09) box", pick(w("2025-W09"), {"since-last"}, "displaced")),
            ("No. 5 (2025-W09) key figures", pick(w("2025-W09"), {"key-figures"}, "3,000", "5,000", "displaced")),
        ])
        show("2. Route restricted 4 February and closed 6 February (one week)", [
            ("No. 3 (2025-W06) box", pick(w("2025-W06"), {"since-last"}, "North road")),
            ("No. 3 (2025-W06) glance", pick(w("2025-W06"), {"routes-glance"}, "North road", "Route")),
            ("No. 3 (2025-W06) routes", pick(w("2025-W06"), {"routes"}, "February")),
        ])
        show("3. Every key figure stale at once (No. 6, 2025-W39, after 28 quiet weeks)", [
            ("No. 6 sections", ", ".join(dict.fromkeys(s for s, _ in w("2025-W39") if s and s != "header"))),
            ("No. 6 'No longer reported'", pick(w("2025-W39"), None, "No longer reported", "no longer reported")),
            ("trace trapped-2025-02-27", [l.strip() for l in trace["trapped-2025-02-27"] if "No longer" in l]),
        ])
        (tmp / "future").mkdir()
        future = Workspace(sitrep, tmp / "future", as_of, {"zz-future.yaml": FUTURE})
        built = future.run("build", "--all", "--format", "html", "--language", "en")
        future_weeks = sorted(p.name for p in (future.root / "output").glob("2025-W*"))
        last = future_weeks[-1] if future_weeks else None
        show("4a. A fact dated 15 December 2025 (after the as-of day)", [
            ("sitrep build --all", out_lines(built, "error", "warning", "Report", limit=3)),
            (f"latest report ({last})", pick(future.report(last), {"header"}, "as of", "Next report") if last else []),
            ("No. 12 (2025-W47) header", pick(future.report("2025-W47"), {"header"}, "Next report")),
        ])
        show(f"4b. A week not over ({'--as-of ' + AS_OF if dated else 'no --as-of'}: 2025-W47 ends 23 November)", [
            ("sitrep weeks, last line", weeks[-1:]),
            ("output/2025-W47", "built" if "2025-W47" in r else "not built"),
        ])
        (tmp / "draft").mkdir()
        draft = Workspace(sitrep, tmp / "draft", None)
        made = draft.run("new", "figure", dated=False)
        show("4c. `sitrep new figure` (a draft dated today), then `sitrep weeks --edition internal`", [
            ("sitrep new figure", out_lines(made, limit=1)[1:]),
            ("weeks, last line", draft.run("weeks", "--edition", "internal", dated=False).stdout.splitlines()[-1:]),
        ])
        show("5. Movement of 3–9 November cited only on 12 November", [
            ("No. 10 (2025-W45) movements", pick(w("2025-W45"), {"movements"}, "November")),
            ("No. 10 (2025-W45) sources", pick(w("2025-W45"), {"sources"}, "12 November")),
            ("No. 11 (2025-W46) movements", pick(w("2025-W46"), {"movements"}, "November")),
            ("trace flight-2025-11-03", [l.strip() for l in trace["flight-2025-11-03"] if "enters" in l]),
        ])
        show("6. Hindsight: the next report, and a gap named by its real length", [
            ("No. 5 (2025-W09) header", pick(w("2025-W09"), {"header"}, "Next report")),
            ("No. 5 (2025-W09) contacts", pick(w("2025-W09"), {"contacts"}, "Next report")),
            ("No. 6 (2025-W39) header", pick(w("2025-W39"), {"header"}, "Previous report")),
            ("No. 6 (2025-W39) stale lines", pick(w("2025-W39"), None, "no new report for")),
        ])
        (tmp / "prose").mkdir()
        prose = Workspace(sitrep, tmp / "prose", as_of, {"zz-uncited.yaml": UNCITED})
        checked = prose.run("check")
        built = prose.run("build", "--week", "2025-W45", "--format", "html", "--language", "en")
        show("7. Uncited numbers in a public outlook (42,000 … 25,000 to 30,000 … 8,000)", [
            ("sitrep check", out_lines(checked, "zz-uncited.yaml:", limit=2, unless="translation")),
            ("sitrep build --week 2025-W45", out_lines(built, "error", "outlook-uncited", limit=2)),
            ("No. 10 (2025-W45) outlook", pick(prose.report("2025-W45"), None, "42,000")),
        ])
        show("8. A span recorded as 2025-01-15/2025-02 (No. 5, 2025-W09)", [
            ("abuses row", pick(w("2025-W09"), {"abuses"}, "Flour")),
        ])
        show("9. Qualifiers: 'about 22,000–30,000' then 'about 20,000–35,000' (No. 9, 2025-W42)", [
            ("box", pick(w("2025-W42"), {"since-last"}, "trapped")),
            ("key figures", pick(w("2025-W42"), {"key-figures"}, "20,000", "22,000")),
            ("No. 4 (2025-W08) stale key figure", pick(w("2025-W08"), None, "No longer reported")),
        ])
        show("10. `sitrep weeks`: one route's two updates in 2025-W06", [
            ("weeks", [l for l in weeks if "2025-W06" in l]),
        ])
        show("11. `sitrep trace` of the routes, public series", [
            ("trace river-track", [l.strip() for l in trace["river-track"] if "Update" in l]),
            ("trace north-road", [l.strip() for l in trace["north-road"] if "Update" in l]),
            ("No. 7 (2025-W40) routes", pick(w("2025-W40"), {"routes"}, "September")),
        ])
    finally:
        if args.keep:
            print(f"\n(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
