"""The PDF helper: a process forked at the start of a one-week build that imports WeasyPrint
while the build loads the store and renders the HTML, then turns that HTML into PDF bytes.

Importing WeasyPrint takes about 0.45 s, longer than loading the store and rendering the HTML
of a week (about 0.3 s), so a one-week PDF build waits for the helper: the earlier it is forked,
the sooner the PDF is done. This module therefore imports only the standard library's os,
signal and struct, and pdflayout.py (the layout the helper runs, itself the standard library
only until it lays a PDF out), so that the command line can fork the helper before anything else
loads (commands/entry.py); everything else is imported in the helper, after the fork, or in the
parent when the first PDF is asked for. Requests and replies are pickled, length-prefixed
frames on two pipes. The build still writes every file itself, atomically. Where fork is not
available, the helper renders in the calling process.
"""

from __future__ import annotations

import os
import signal
import struct
from typing import TYPE_CHECKING

from sitrep.render.pdflayout import layout_pdf  # light: the standard library only, until a PDF is laid out

if TYPE_CHECKING:  # this module imports nothing more at run time (see above)
    from pathlib import Path

_LENGTH = struct.Struct("!Q")


class PdfHelper:
    """A PDF renderer in a process of its own (see the module's docstring). `render` takes what
    render/pdf.render_pdf takes; close() (or leaving a `with` block) ends the helper."""

    def __init__(self) -> None:
        self.pid: int | None = None
        if not hasattr(os, "fork"):
            return
        requests_read, self._requests = os.pipe()
        self._replies, replies_write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the helper
            os.close(self._requests)
            os.close(self._replies)
            _helper_main(requests_read, replies_write, parent)
        os.close(requests_read)
        os.close(replies_write)
        self.pid = pid

    def render(self, html, *, base_dir, allowed_roots, withheld_roots=(), variant="pdf/ua-1", retarget=None) -> bytes:
        """render/pdf.render_pdf, laid out by the helper."""
        # Imported when the first PDF is asked for, not at the top: render/pdf.py loads
        # sitrep.errors, and this module must load nothing but the standard library before
        # the fork (see above). Not a cycle: render/pdf.py imports pdflayout.py, not this module.
        from sitrep.render.pdf import render_pdf

        return render_pdf(html, base_dir=base_dir, allowed_roots=allowed_roots, withheld_roots=withheld_roots,
                          variant=variant, retarget=retarget,
                          layout=self.layout if self.pid is not None else layout_pdf)

    def layout(self, text: str, base_dir: Path, allowed_roots: list[Path], withheld_roots: list[Path],
               variant: str = "pdf/ua-1", retarget: dict[str, str] | None = None):
        """layout_pdf in the helper: only plain text and paths cross the pipe, so the helper
        imports nothing but WeasyPrint (unpickling sitrep's own objects would load Jinja)."""
        try:
            _send(self._requests, (str(text), base_dir, allowed_roots, withheld_roots, variant, dict(retarget or {})))
            kind, payload = _receive(self._replies)
        except (EOFError, OSError):
            raise RuntimeError("the PDF helper process ended unexpectedly") from None
        if kind == "pdf":
            return payload
        raise RuntimeError(f"rendering the PDF failed: {payload}")

    @property
    def running(self) -> bool:
        """The helper process still exists (it has not been waited for)."""
        if self.pid is None:
            return False
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return done == 0

    def close(self) -> None:
        """Stop the helper without waiting for it: it writes nothing, so a helper still busy
        importing WeasyPrint (a build that had nothing to do, or made no PDF) is simply ended."""
        if self.pid is None:
            return
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.pid = None

    def __enter__(self) -> "PdfHelper":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _helper_main(requests: int, replies: int, parent_pid: int) -> None:
    """The helper process: import WeasyPrint at once, then render each request until the
    parent closes its end of the pipe or is gone. Never returns: the forked copy of the
    parent's interpreter must not go on to run the parent's code or its exit handlers."""
    code = 0
    try:
        # Ctrl+C is the parent's to handle (it says "interrupted"); the helper then sees its
        # pipe close and ends quietly, instead of printing a traceback of its own.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        from sitrep.processes import end_with_parent

        # The pipe closing tells the helper only once it next reads it, after a whole import or
        # PDF; a parent killed outright (SIGKILL) takes the helper with it at once instead.
        end_with_parent(parent_pid)
        try:
            import weasyprint  # noqa: F401  (the point of the helper: imported while the parent works)
        except Exception:  # noqa: BLE001 - reported with the first request
            pass
        _serve(requests, replies)
    except BaseException:  # noqa: BLE001 - the parent reports a helper that ended unexpectedly
        code = 1
    finally:
        os._exit(code)


def _serve(requests: int, replies: int) -> None:
    while True:
        try:
            request = _receive(requests)
        except (EOFError, OSError):
            return
        try:
            reply = ("pdf", layout_pdf(*request))
        except Exception as error:  # noqa: BLE001 - a bug: the parent reports it as an internal error
            import traceback

            reply = ("error", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}")
        try:
            _send(replies, reply)
        except OSError:  # the parent is gone (interrupted): nobody is waiting for this PDF
            return


def _send(fd: int, message) -> None:
    import pickle

    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int):
    import pickle

    (length,) = _LENGTH.unpack(_read_exactly(fd, _LENGTH.size))
    return pickle.loads(_read_exactly(fd, length))


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
