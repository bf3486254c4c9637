"""sitrep edit (issue 26): from a save in the editor to the updated preview beside it.

    .venv/bin/python bench/editor.py            # 20 saves
    .venv/bin/python bench/editor.py -n 5

`sitrep edit --port 0` is started as a user starts it, on a copy of the example workspace, with a
tab of Debian's headless chromium on the preview it frames. One measurement: the time of day is
taken, the entry form's fields are posted with a new value (the civilians killed while fleeing),
as the browser posts the form when Save is pressed (the save checked by `sitrep check` on a
mirror of the workspace, then written), and once the preview shows the value, its reloaded
document says when its DOM was ready (`performance.timeOrigin` + `domContentLoadedEventEnd`, the
same clock): the figure is the difference. Printed: n, median, min-max, and the share of it the
save's own answer took (check and write). It drives the browser with the tests' DevTools client,
so it needs the test dependencies (scripts/setup.sh --test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from goals import as_users_run  # noqa: E402
from preview import start_chromium  # noqa: E402
from support import DevTools, copy_example, posted_by_browser, wait_until  # noqa: E402

ENTRY = "entry/figures/fallujah-fleeing-killed-2016-06"


def measure_saves(n: int, pause: float) -> tuple[list[float], list[float]]:
    """n latencies from a save's POST to the preview's reloaded DOM, and each save's own answer time."""
    from sitrep.render.htmltree import parse

    with tempfile.TemporaryDirectory(prefix="sitrep-bench-editor-") as temp:
        workspace = copy_example(Path(temp) / "ws")
        editor = subprocess.Popen([sys.executable, "-m", "sitrep", "edit", "--port", "0"], cwd=workspace, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        chromium, port = start_chromium(Path(temp) / "chromium")
        try:
            url = next(m.group(1) for line in editor.stdout if (m := re.search(r" at (http://\S+/) — Ctrl\+C", line)))
            desk = urllib.request.urlopen(url, timeout=60).read().decode()
            preview = re.search(r'<iframe[^>]*\bsrc="([^"]+)"', desk).group(1)
            request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
            tab = DevTools(json.load(urllib.request.urlopen(request, timeout=10))["webSocketDebuggerUrl"])
            tab.call("Page.navigate", url=preview)
            wait_until(lambda: "Fallujah" in tab.text(), 60, interval=0.05, message="the preview")
            time.sleep(pause)
            latencies, answers = [], []
            for i in range(n):
                value = 4001 + i
                fields = posted_by_browser(parse(urllib.request.urlopen(url + ENTRY, timeout=60).read().decode()))
                body = urllib.parse.urlencode({**fields, "value": str(value)}).encode()
                saved = time.time() * 1000
                started = time.perf_counter()
                post = urllib.request.Request(url + ENTRY, data=body, method="POST")
                with urllib.request.urlopen(post, timeout=60) as answer:  # the 303 is followed: the entry again
                    assert "Saved to" in answer.read().decode(), "the save was refused"
                answers.append(time.perf_counter() - started)
                wait_until(lambda: f"{value:,}" in tab.text(), 60, interval=0.01, message=f"the preview to show {value}")
                ready = tab.evaluate("performance.timeOrigin + "
                                     "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
                latencies.append((ready - saved) / 1000)
                time.sleep(pause)  # the preview's background PDF laid out before the next save
            tab.close() if hasattr(tab, "close") else None
        finally:
            editor.terminate()
            editor.wait(10)
            os.killpg(chromium.pid, 15)  # its own session (preview.start_chromium): every process of it
            chromium.wait(10)
    return latencies, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20, help="saves measured (default 20)")
    parser.add_argument("--pause", type=float, default=2.5, help="seconds between saves (default 2.5)")
    args = parser.parse_args()
    as_users_run()
    latencies, answers = measure_saves(args.n, args.pause)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"sitrep edit: a save to the updated preview, in headless chromium, n={len(latencies)}: median "
          f"{statistics.median(latencies):.3f} s (min {min(latencies):.3f} – max {max(latencies):.3f}); the save's own "
          f"answer (checked, written, the form again) median {statistics.median(answers):.3f} s; load average {load}")


if __name__ == "__main__":
    main()
