"""The preview's latency: from saving a fact to the reloaded page, in a real browser.

    .venv/bin/python bench/preview.py                 # before (42c72fe: polling) and after, n=20
    .venv/bin/python bench/preview.py -n 30 --variants after,after-step50

Each variant is `sitrep serve` of its own copy of the example workspace, started as a user starts
it, with one tab of Debian's headless chromium on it (driven over the DevTools protocol). One
measurement: the time of day is taken, the fact (the civilians killed while fleeing) is saved
with a new value, and once the tab shows it, the reloaded document says when its DOM was ready
(`performance.timeOrigin` + `domContentLoadedEventEnd`, the same clock): the latency is the
difference, so the benchmark's own polling of the tab adds nothing to it.

The variants run interleaved (A, B, B, A, A, B ...), with a pause between saves so that the PDF
laid out in the background after each save (after) is done before the next: the figures are n,
median, min–max for each, and the median (min–max) of the pairwise ratios. "before" is the
source tree of commit 42c72fe (exported with `git archive` into a temporary folder), whose
watcher polls every 0.3 s and whose page polls every 0.5 s; "after-step50" is this tree with
watchfiles' step (servewatch.STEP_MS) at 50 ms instead of 20. It drives the browser with the
tests' DevTools client, so it needs the test dependencies (scripts/setup.sh --test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from goals import BASE_COMMIT, as_users_run, export_commit  # noqa: E402
from support import DevTools, copy_example, wait_until  # noqa: E402  (the tests' browser driver)

FACTS = "facts/2016-06-fallujah.yaml"
KILLED = re.compile(r"^(    value: )(\d+)$", re.MULTILINE)  # the first value: 30 civilians killed fleeing
SERVE = "import sys, runpy; {setup}sys.argv = ['sitrep'] + sys.argv[1:]; runpy.run_module('sitrep', run_name='__main__')"
VARIANTS = {"before": ("base", ""), "after": ("tree", ""),
            "after-step50": ("tree", "import sitrep.commands.servewatch as w; w.STEP_MS = 50; ")}


class Served:
    """`sitrep serve --port 0` of `variant` on its own copy of the example, and a tab on it."""

    def __init__(self, variant: str, source: Path, folder: Path, chromium_port: int):
        self.variant = variant
        self.workspace = copy_example(folder / variant)
        self.facts = self.workspace / FACTS
        _, setup = VARIANTS[variant]
        env = dict(os.environ, PYTHONPATH=str(source))
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE.format(setup=setup), "serve", "--port", "0",
                                      "--config", str(self.workspace / "config.yaml")],
                                     cwd=self.workspace, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, encoding="utf-8")
        for line in self.proc.stdout:
            if match := re.search(r" at (http://\S+/) — Ctrl\+C", line):
                self.url = match.group(1)
                break
        else:
            raise SystemExit(f"{variant}: sitrep serve printed no URL")
        request = urllib.request.Request(f"http://127.0.0.1:{chromium_port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            self.tab = DevTools(json.load(response)["webSocketDebuggerUrl"])
        self.tab.call("Page.navigate", url=self.url)
        self.value = 0
        self.shown()
        time.sleep(3)  # the first PDF laid out, the watcher armed

    def shown(self) -> None:
        needle = f"{self.value:,}" if self.value else "Fallujah"
        wait_until(lambda: needle in self.tab.text(), 60, interval=0.05, message=f"{self.variant} to show {needle}")

    def measure(self) -> float:
        """Seconds from a save of the fact to the reloaded page's DOM being ready."""
        self.value = 4000 + (self.value + 1) % 1000  # 4,001, 4,002 ...: in no other figure
        text = KILLED.sub(lambda m: f"{m.group(1)}{self.value}", self.facts.read_text(encoding="utf-8"), count=1)
        saved = time.time() * 1000
        self.facts.write_text(text, encoding="utf-8")
        self.shown()
        ready = self.tab.evaluate("performance.timeOrigin + "
                                  "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        return (ready - saved) / 1000

    def repeat_pdf(self, n: int) -> list[float]:
        """Seconds of each of n requests of /report.pdf once the PDF of the last save is laid out
        (the first request waits for it and is not counted): served from memory."""
        def fetch() -> float:
            started = time.perf_counter()
            with urllib.request.urlopen(self.url + "report.pdf", timeout=120) as response:
                assert response.read(5) == b"%PDF-"
                response.read()
            return time.perf_counter() - started

        fetch()
        return [fetch() for _ in range(n)]

    def close(self) -> None:
        self.tab.close()
        self.proc.terminate()
        self.proc.wait(10)


def start_chromium(profile: Path) -> tuple[subprocess.Popen, int]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        raise SystemExit("bench/preview.py needs Debian's chromium (make test installs it)")
    proc = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    port_file = profile / "DevToolsActivePort"
    wait_until(lambda: port_file.is_file() and len(port_file.read_text().split()) >= 2, 30, message="chromium")
    return proc, int(port_file.read_text().split()[0])


def summary(name: str, values: list[float]) -> str:
    return (f"{name:<14} n={len(values):<3} median {statistics.median(values):.3f} s  "
            f"(min {min(values):.3f} – max {max(values):.3f})")


def run(names: list[str], n: int, pause: float, base: str = BASE_COMMIT) -> tuple[dict[str, list[float]], list[float]]:
    """Each variant's n latencies, interleaved, and n repeat /report.pdf requests of the last
    variant's server."""
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-preview-") as temp:
        temp_path = Path(temp)
        sources = {"tree": REPO, "base": export_commit(base, (temp_path / "base").resolve()) if
                   any(VARIANTS[name][0] == "base" for name in names) else REPO}
        chromium, port = start_chromium(temp_path / "chromium")
        served: list[Served] = []
        try:
            served = [Served(name, sources[VARIANTS[name][0]], temp_path, port) for name in names]
            seconds: dict[str, list[float]] = {name: [] for name in names}
            for round_ in range(n):
                for one in (served if round_ % 2 == 0 else served[::-1]):
                    seconds[one.variant].append(one.measure())
                    time.sleep(pause)
            repeats = served[-1].repeat_pdf(n)
        finally:
            for one in served:
                one.close()
            os.killpg(chromium.pid, 15)
            chromium.wait(10)
    return seconds, repeats


def measure(quick: bool) -> list:
    """Issue 25's preview goals (bench/goals.py): this tree's save-to-page latency, beside the
    polling preview of 42c72fe, and a repeat /report.pdf request."""
    from goals import goal

    n = 5 if quick else 20
    seconds, repeats = run(["before", "after"], n, pause=2.0 if quick else 3.0)
    after, before = seconds["after"], seconds["before"]
    ratios = [b / a for a, b in zip(before, after)]
    how = (f"headless chromium, {n} saves interleaved with {BASE_COMMIT}'s (polling) preview; after/before "
           f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}x)")
    return [goal("preview", statistics.median(after), low=min(after), high=max(after), n=n,
                 before=statistics.median(before), note=how),
            goal("repeat-pdf", statistics.median(repeats), low=min(repeats), high=max(repeats), n=n,
                 note="GET /report.pdf once the save's PDF is laid out")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20, help="saves measured per variant (default 20)")
    parser.add_argument("--variants", default="before,after", help=f"two or more of {', '.join(VARIANTS)}")
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between saves (default 3: the "
                        "background PDF of the last save is laid out meanwhile)")
    parser.add_argument("--base", default=BASE_COMMIT, help="the commit 'before' is (default 42c72fe)")
    args = parser.parse_args()
    as_users_run()
    names = args.variants.split(",")
    if len(names) < 2 or any(name not in VARIANTS for name in names):
        raise SystemExit(f"--variants: two or more of {', '.join(VARIANTS)}")
    seconds, repeats = run(names, args.n, args.pause, args.base)
    load = os.getloadavg()[0]
    print(f"save to reloaded page, in headless chromium; {args.n} saves per variant, interleaved; "
          f"load average at the end {load:.2f} on {os.cpu_count()} cores")
    for name in names:
        print(summary(name, seconds[name]))
    first = names[0]
    for name in names[1:]:
        ratios = [b / a for a, b in zip(seconds[first], seconds[name])]
        print(f"{name} / {first}: median of pairwise ratios {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f} – max {max(ratios):.2f}, n={len(ratios)})")
    print(summary(f"repeat /report.pdf ({names[-1]})", repeats))


if __name__ == "__main__":
    main()
