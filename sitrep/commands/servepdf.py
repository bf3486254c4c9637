"""`sitrep serve`'s PDF: laid out in the background after each rebuild, served from memory.

Laying out a PDF takes a second or more of CPU, so it is done once per change of the inputs, not
once per request: each rebuild asks for a new layout, one background thread lays out one PDF at a
time (the newest asked for; a layout already under way finishes first), and `/report.pdf` answers
from memory. A layout begins QUIET_SECONDS after the last change, or at once when the PDF is asked
for: the page's reload is not kept waiting by the PDF's own rendering of the HTML, and a layout is
not begun for every save of someone typing. A request that comes while the current PDF is being laid out waits for it, and so
does a burst of 200: they all get the same bytes from one layout.

The layout runs in a process of its own (LayoutProcess), started with the server, which imports
WeasyPrint at once: the first PDF does not wait for the import, and a layout (pure Python for the
most part) does not hold the server's interpreter while the next save is being rebuilt. It is
started as a new interpreter rather than forked, since a fork of a process whose other threads
may hold a lock (an import's, say) can leave the child waiting for it forever.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Callable

from sitrep.render.pdfhelper import PdfHelper  # light: the standard library only

QUIET_SECONDS = 0.5


class LayoutProcess(PdfHelper):
    """render/pdfhelper.py's PDF helper, started as a new interpreter instead of forked (see above);
    `render` takes what render/pdf.render_pdf takes, and lays out in this process if it could not
    be started."""

    def __init__(self) -> None:  # noqa: D107 - PdfHelper's protocol, on pipes the new process inherits
        requests_read, requests = os.pipe()
        replies, replies_write = os.pipe()
        self._use_lanes([(requests, replies)])  # one lane: one layout at a time
        code = ("from sitrep.render.pdfhelper import _helper_main; "
                f"_helper_main([({requests_read}, {replies_write})], {os.getpid()})")
        package_root = str(Path(__file__).resolve().parents[2])  # sitrep importable as this process imported it
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        try:
            for fd in (requests_read, replies_write):
                os.set_inheritable(fd, True)
            self.pid = os.posix_spawn(sys.executable, [sys.executable, "-c", code], env)
        except (OSError, AttributeError):  # no posix_spawn here: laid out in this process
            for fd in (requests, replies):
                os.close(fd)
        finally:
            os.close(requests_read)
            os.close(replies_write)


class Stopped(Exception):
    """The server is stopping: no PDF will come."""


class PdfCache:
    """The newest PDF, laid out by `make()` in a thread of its own whenever `changed()` is called.
    `layouts` counts the layouts begun."""

    def __init__(self, make: Callable[[], bytes], quiet_seconds: float = QUIET_SECONDS):
        self._make = make
        self._quiet = quiet_seconds
        self._asking = 0  # requests waiting for the PDF
        self._ready = threading.Condition()
        self._wanted = 0  # the number of the inputs' version the newest request is for
        self._made = -1  # the version `_result` was laid out for
        self._result: bytes | BaseException | None = None
        self._stopped = False
        self.layouts = 0
        self._thread = threading.Thread(target=self._work, name="sitrep-pdf", daemon=True)

    def start(self) -> "PdfCache":
        self._thread.start()
        return self

    def changed(self) -> None:
        """An input changed: lay the PDF out again (after the one under way, if any)."""
        with self._ready:
            self._wanted += 1
            self._ready.notify_all()

    def get(self) -> bytes:
        """The PDF of the current inputs: from memory, or once the layout under way is done.
        Raises what the layout raised (SitrepError for a report that cannot be built), or Stopped."""
        with self._ready:
            self._asking += 1
            self._ready.notify_all()  # a layout waiting for quiet begins now
            try:
                while self._made != self._wanted and not self._stopped:
                    self._ready.wait()
            finally:
                self._asking -= 1
            if self._stopped:
                raise Stopped()
            result = self._result
        if isinstance(result, BaseException):
            raise result
        assert result is not None
        return result

    def close(self) -> None:
        with self._ready:
            self._stopped = True
            self._ready.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=0.1)  # a layout under way is left to end with the process

    def _work(self) -> None:
        while True:
            with self._ready:
                while self._made == self._wanted and not self._stopped:
                    self._ready.wait()
                while not self._stopped and not self._asking:  # until QUIET_SECONDS pass with no change
                    version = self._wanted
                    if not self._ready.wait(self._quiet) and version == self._wanted:
                        break
                if self._stopped:
                    return
                version = self._wanted
                self.layouts += 1
            try:
                result: bytes | BaseException = self._make()
            except BaseException as error:  # noqa: BLE001 - shown to whoever asks for the PDF
                result = error
            with self._ready:
                if version == self._wanted:  # not already out of date
                    self._made, self._result = version, result
                    self._ready.notify_all()
