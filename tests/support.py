"""What several test modules share: the repository's root, writing files, pointing the example
workspace at a templates folder, a small series workspace, how a refusal must look, waiting for
a state, and a build's processes and files as /proc and its output folder show them."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import contextlib
import json
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


EXAMPLE_PARTS = ("config.yaml", "facts", "custom")  # the example workspace: what a copy of it needs
EXAMPLE_WEEK = "2016-W26"  # the example series' latest week


def copy_example(target: Path) -> Path:
    """A copy of the example workspace (config.yaml, its store with the basemap's outlines in
    facts/geo/, its templates folder custom/) in `target`, created."""
    import shutil

    target.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        (shutil.copytree if (REPO / part).is_dir() else shutil.copy)(REPO / part, target / part)
    return target


def example_here(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the example workspace, made the current folder: commands run as a user runs
    them there (`sitrep import acled a.csv`), and name files as the user wrote them."""
    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace


def copy_workspace(source: Path, target: Path) -> Path:
    """A copy of a workspace a fixture built once (links copied as links), for one test to change."""
    shutil.copytree(source, target, symlinks=True)
    return target


@contextlib.contextmanager
def busy_port():
    """A loopback port something else listens on, for the time of the block: a server's busy port."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield busy.getsockname()[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def use_templates_folder(ws: Path, folder: str | None = "templates", create: bool = True) -> Path:
    """Point the example workspace's `templates:` line at `folder` (created unless not
    `create`), or remove the line (None). The example names custom/; a config.yaml may hold a
    key only once, so a test changes the line rather than adding another."""
    config = ws / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count("\ntemplates: custom\n") == 1
    text = text.replace("\ntemplates: custom\n", f"\ntemplates: {folder}\n" if folder else "\n")
    config.write_text(text, encoding="utf-8")
    if folder and create:
        (ws / folder).mkdir(parents=True, exist_ok=True)
    return config


# A small series workspace (Rivertown): several weeks of figures, routes and incidents.
CONFIG = """title: Rivertown report
crisis: Rivertown siege
organisation: {name: Desk}
key_metrics: [civilians_trapped, civilians_killed, people_displaced, arrivals]
"""

# Three weekly reports: 2025-W10, W11 and W12 (W13 has no facts; W14 is report 4).
STORE = """sources:
  - {id: agency, name: Relief Agency, kind: un_agency, reliability: A}
  - {id: paper, name: Daily Paper, kind: media, reliability: B}
places:
  - {id: town, name: Rivertown, kind: town, lat: 33.0, lon: 44.0}
  - {id: camp, name: Hill Camp, kind: camp, lat: 33.1, lon: 44.1}
figures:
  - {id: trapped-w10, metric: civilians_trapped, place: town, as_of: 2025-03-05, value: 12000, unit: people, cited: [{source: agency}]}
  - {id: trapped-w11, metric: civilians_trapped, place: town, as_of: 2025-03-12, low: 15000, high: 18000, unit: people, cited: [{source: agency}]}
  - {id: trapped-w12, metric: civilians_trapped, place: town, as_of: 2025-03-19, value: 9000, unit: people, cited: [{source: agency}]}
  - {id: killed-w10, metric: civilians_killed, place: town, as_of: 2025-03-05, value: 40, qualifier: at_least, unit: people, cited: [{source: paper}]}
  - {id: killed-w11, metric: civilians_killed, place: town, as_of: 2025-03-12, value: 40, qualifier: at_least, unit: people, cited: [{source: paper}]}
  - {id: arrivals-w12, metric: arrivals, place: camp, as_of: 2025-03-19, value: 700, unit: people, cited: [{source: agency}]}
  - {id: trapped-w14, metric: civilians_trapped, place: town, as_of: 2025-04-02, value: 8000, unit: people, cited: [{source: agency}]}
incidents:
  - {id: shelling-w11, type: attack_on_civilians, date: 2025-03-10, place: town, status: alleged, summary: Shelling hit the market., cited: [{source: paper}]}
  - {id: blockade-march, type: movement_restriction, date: 2025-W10/2025-W12, place: town, status: corroborated, summary: The roads were blocked for weeks., cited: [{source: paper}, {source: agency}]}
routes:
  - id: river-road
    name: River road
    origin: town
    destination: camp
    updates:
      - {as_of: 2025-03-05, status: open, cited: [{source: agency}]}
      - {as_of: 2025-03-12, status: open, cited: [{source: agency}]}
      - {as_of: 2025-03-19, status: closed, hazards: [snipers], cited: [{source: agency}]}
"""


def series_workspace(tmp_path: Path) -> Path:
    """The Rivertown series as a workspace: config.yaml and facts/store.yaml."""
    workspace = tmp_path / "ws"
    write(workspace / "config.yaml", CONFIG)
    write(workspace / "facts" / "store.yaml", STORE)
    return workspace


# How a refused store or config must look: exit 1, no traceback, one error line at file:line.

def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line of `text` that contains `needle`."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} is not in the text {nth} time(s)"
    return hits[nth - 1]


def assert_refused(result, file: str, line: int | None, *expected: str) -> str:
    """Exit 1, no traceback, and an error line at `file:line` that contains every `expected`
    text. `line=None` is a problem about the file (or folder) as a whole: no line number."""
    assert result.exit_code == 1, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.output, result.output
    prefix = f"{file}:{line}: error: " if line is not None else f"{file}: error: "
    matching = [text for text in result.stderr.splitlines() if text.startswith(prefix)]
    assert matching, f"no error starting with {prefix!r} in:\n{result.stderr}"
    message = matching[0]
    for text in expected:
        assert text in message, f"{text!r} not in {message!r}"
    return message


# A build's or an import's progress on stderr when it is not a terminal (commands/progress.py):
# 'sitrep build: 2016-W26, en: rendering HTML'. A mistaken command line says 'sitrep build: error: ...'.
PROGRESS_LINE = re.compile(r"^sitrep (?:build|import): (?!error: ).*\n", re.M)


def without_progress(stderr: str) -> str:
    """What a command said on stderr besides its progress: its problems, warnings and counts."""
    return PROGRESS_LINE.sub("", stderr)


def output_digests(folder: Path) -> dict[str, str]:
    """Every report file's digest under `folder` (not the lock file, which names the last build's
    process): compare two to show that a refused build wrote nothing."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".sitrep-lock"}


def assert_nothing_written(ws: Path) -> None:
    out = ws / "output"
    assert not out.exists() or not any(out.rglob("*")), sorted(str(p) for p in out.rglob("*"))


FIGURE = """\
figures:
  - id: probe-figure
    metric: civilians_trapped
    place: fallujah
    as_of: 2016-06
    value: 5
    unit: people
    cited:
      - {source: ibtimes, date: 2016-06}
"""


def png(width: int = 40, height: int = 12, rgb: tuple[int, int, int] = (122, 31, 92)) -> bytes:
    """A small solid-colour PNG, made by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# How long a test waits for a state (a page shown, a rebuild done, a process ended) before it
# calls it a hang: far longer than any of them takes, on a machine busy with other work too. A
# wait ends the moment its state holds, so a generous bound costs nothing.
PATIENCE = 60


def wait_until(condition, timeout: float = PATIENCE, interval: float = 0.1, message: str = "condition"):
    """The first true value of `condition()`, called every `interval` seconds; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


# -- imported data: files of ACLED's shape, and what sitrep import wrote -----------------------------

def acled_file(path: Path, rows: list[dict]) -> Path:
    """A CSV file of ACLED's export (every column of acled.COLUMNS) holding `rows`."""
    from sitrep.exchange.acled import COLUMNS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def generated_imports():
    """bench/generate_imports.py, which writes ACLED and DTM files of the real shape (bench/
    holds scripts, not a package)."""
    if str(REPO / "bench") not in sys.path:
        sys.path.insert(0, str(REPO / "bench"))
    import generate_imports

    return generate_imports


def acled_attacks(n: int, seed: int, start: dt.date, end: dt.date) -> list[dict]:
    """`n` generated ACLED rows dated from `start` to `end`, each an attack on civilians (a type
    sitrep imports, so that every row becomes an incident)."""
    return [dict(r, sub_event_type="Attack", event_type="Violence against civilians", civilian_targeting="Civilian targeting")
            for r in generated_imports().acled_rows(n, seed=seed, start=start, end=end)]


def event_rows(ws: Path, columns: str = "record, timestamp, fatalities, sensitivity, killed, place") -> list[tuple]:
    """The imported events' `columns`, read from the bulk store's current Parquet table itself."""
    import duckdb

    manifest = json.loads((ws / "bulk/manifest.json").read_text())
    table = ws / "bulk" / manifest["tables"] / "events.parquet"
    return duckdb.sql(f"SELECT {columns} FROM '{table}' ORDER BY record").fetchall()


def import_count(stdout: str, label: str) -> int:
    """A count from sitrep import's summary: the number on its line starting with `label` ('added')."""
    line = next(line for line in stdout.splitlines() if line.strip().startswith(label))
    return int(line.split()[1].replace(",", ""))
# -- processes, seen through /proc (Linux) -----------------------------------------------------

def stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from the state on (the command name, in parentheses, may hold spaces):
    [0] the state, [1] the parent's pid, [11] and [12] the CPU time used (clock ticks), [19]
    the start time. None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()


def children_of(parent: int) -> dict[int, str]:
    """The live children of `parent`: pid -> start time (a reused pid has another)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields and int(fields[1]) == parent and fields[0] not in "ZX":
                children[int(entry.name)] = fields[19]
    return children


def gone(pid: int, started: str) -> bool:
    """Ended: no such process, a zombie (dead, waiting for whoever adopted it to reap it), or
    another process that was given the pid since."""
    fields = stat_fields(pid)
    return fields is None or fields[0] in "ZX" or fields[19] != started


def cpu_ticks(pid: int) -> int:
    """The CPU time `pid` has used so far, in clock ticks (0 once it is gone)."""
    fields = stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0


def holds_the_lock(output: Path, pid: int) -> bool:
    """Whether the build `pid` holds the output folder's lock (it writes its pid in the lock
    file once it has it): its command runs, the workspace loaded and checked."""
    try:
        return (output / ".sitrep-lock").read_text(encoding="ascii").strip() == str(pid)
    except (FileNotFoundError, UnicodeDecodeError):
        return False


def report_versions(output: Path) -> dict[str, tuple[int, int]]:
    """Every report file of an output folder (its weeks' HTML and PDF): name -> (inode, mtime).
    A build writes each file whole under a temporary name and renames it into place, so a file
    it has written since has another inode."""
    found = {}
    for path in output.glob("*/*"):
        if path.suffix in (".html", ".pdf"):
            with contextlib.suppress(FileNotFoundError):  # replaced or swept away meanwhile
                info = path.stat()
                found[path.relative_to(output).as_posix()] = (info.st_ino, info.st_mtime_ns)
    return found


def reports_written_since(output: Path, before: dict[str, tuple[int, int]]) -> int:
    """How many report files a build has written in `output` since `before` (report_versions)."""
    return sum(1 for name, version in report_versions(output).items() if before.get(name) != version)


# -- a real browser: headless chromium over the DevTools protocol --------------------------------

def chromium_or_skip() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    # Missing. Skip only where it cannot be installed; where apt has it, setup must install it.
    policy = ""
    if shutil.which("apt-cache"):
        policy = subprocess.run(["apt-cache", "policy", "chromium"], capture_output=True, text=True).stdout
    candidate = re.search(r"Candidate:\s*(\S+)", policy)
    if candidate and candidate.group(1) != "(none)":
        pytest.fail("chromium is installable here (apt has chromium " + candidate.group(1) + ") but not installed: "
                    "run the tests with `make test`, which runs scripts/setup.sh --test and installs it")
    pytest.skip("chromium is not installed and apt offers no chromium package on this machine; "
                "the browser tests of `sitrep serve` need Debian's chromium")


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page, over a websocket."""

    def __init__(self, websocket_url: str):
        import websocket  # websocket-client, from the test extra

        self.ws = websocket.create_connection(websocket_url, timeout=PATIENCE, suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []  # what the page reported meanwhile (after e.g. Runtime.enable)

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if "method" in message and "id" not in message:
                self.events.append(message)
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str):
        """The value of `expression` in the page, or None while the page is (re)loading."""
        try:
            result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        except RuntimeError:
            return None
        if "exceptionDetails" in result:
            return None
        return result["result"].get("value")

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def wait_for_text(self, *needles: str, timeout: float = PATIENCE) -> str:
        found = wait_until(lambda: (text := self.text()) and all(n in text for n in needles) and text,
                           timeout, interval=0.2, message=f"the page to show {needles}")
        return found

    def close(self) -> None:
        self.ws.close()


DATA_URL = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


def without_embedded_files(html: str) -> str:
    """A single-file report's text without the files written into it (its fonts, as base64):
    a marker searched for in the report can turn up by chance inside a font's bytes."""
    return DATA_URL.sub("data:…", html)


def posted_by_browser(document) -> dict[str, str]:
    """What a browser posts for a form as rendered (a parsed document, sitrep.render.htmltree),
    no button pressed (HTML's form submission: a select with nothing selected posts its first
    option; unticked boxes and submit buttons post nothing; an element without a name, nothing)."""
    from sitrep.render.htmltree import elements

    posted = {}
    for element in elements(document):
        attrs = element.attrs or {}
        if "name" not in attrs:
            continue
        if element.name == "input" and (attrs.get("type") not in ("radio", "checkbox", "submit")
                                        or "checked" in attrs and attrs.get("type") != "submit"):
            posted[attrs["name"]] = attrs.get("value", "")
        elif element.name == "textarea":
            posted[attrs["name"]] = "".join(child.data for child in element.children or [])  # as is, unstripped
        elif element.name == "select":
            options = [e for e in elements(element) if e.name == "option"]
            chosen = next((o for o in options if "selected" in o.attrs), options[0])
            posted[attrs["name"]] = chosen.attrs.get("value", chosen.to_text())
    return posted
