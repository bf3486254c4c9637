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

Lanes: a build of one week in several languages lays out several PDFs at once. The helper is
created with `lanes` pairs of pipes (cheap: nothing else happens until they are used), and
serves the first; `open_lanes()` asks it to fork a copy of itself, WeasyPrint already imported,
to serve each of the others. `render` may then be called from that many threads at once, each
call taking a free lane (the threads only wait on a pipe, so the layouts run in parallel).
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import threading
from typing import TYPE_CHECKING

from sitrep.render.pdflayout import layout_pdf  # light: the standard library only, until a PDF is laid out

if TYPE_CHECKING:  # this module imports nothing more at run time (see above)
    from pathlib import Path

_LENGTH = struct.Struct("!Q")


def default_lanes() -> int:
    """Lanes a build's helper is created with: one more than the cores, as build tools such as
    ninja run a little more than one job per core, so that a core is never left idle while the
    last of a few equal PDFs (three languages on two cores) is laid out alone."""
    return (os.cpu_count() or 1) + 1


class PdfHelper:
    """A PDF renderer in a process of its own (see the module's docstring). `render` takes what
    render/pdf.render_pdf takes; close() (or leaving a `with` block) ends the helper."""

    def __init__(self, lanes: int = 1) -> None:
        self._use_lanes([])
        if not hasattr(os, "fork"):
            return
        pipes = [(os.pipe(), os.pipe()) for _ in range(max(1, lanes))]  # (requests, replies) of each lane
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the helper
            theirs = [(requests[0], replies[1]) for requests, replies in pipes]
            for requests, replies in pipes:
                os.close(requests[1])
                os.close(replies[0])
            _helper_main(theirs, parent)
        for requests, replies in pipes:
            os.close(requests[0])
            os.close(replies[1])
        self._use_lanes([(requests[1], replies[0]) for requests, replies in pipes])
        self.pid = pid

    def _use_lanes(self, lanes: list[tuple[int, int]]) -> None:
        """This end of each lane's pipes, (requests, replies); the first open, the others once
        open_lanes() is called."""
        self.pid: int | None = None
        self._lanes = lanes
        self._free = [0] if lanes else []  # lanes open and not in use
        self._opened = 1
        self._lanes_reply_due = False
        self._lane_freed = threading.Condition()

    def open_lanes(self) -> int:
        """Have the helper serve every lane it was created with (see the module's docstring);
        how many PDFs it can now lay out at once. It does not wait for the helper, which may
        still be importing WeasyPrint: a request sent to a lane meanwhile waits in its pipe."""
        if self.pid is None or self._opened == len(self._lanes):
            return self._opened
        with self._lane(0):
            try:
                _send(self._lanes[0][0], ("lanes",))
            except OSError:
                raise RuntimeError("the PDF helper process ended unexpectedly") from None
            self._lanes_reply_due = True  # read by the next user of lane 0, before its own reply
        with self._lane_freed:
            self._free += range(self._opened, len(self._lanes))
            self._opened = len(self._lanes)
            self._lane_freed.notify_all()
        return self._opened

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
        with self._lane() as (requests, replies):
            try:
                _send(requests, (str(text), base_dir, allowed_roots, withheld_roots, variant, dict(retarget or {})))
                kind, payload = _receive(replies)
            except (EOFError, OSError):
                raise RuntimeError("the PDF helper process ended unexpectedly") from None
        if kind == "pdf":
            return payload
        raise RuntimeError(f"rendering the PDF failed: {payload}")

    @contextlib.contextmanager
    def _lane(self, wanted: int | None = None):
        """A free lane's pipes, this thread's until the block ends (`wanted`: that lane)."""
        with self._lane_freed:
            while not self._free or (wanted is not None and wanted not in self._free):
                self._lane_freed.wait()
            lane = self._free.pop(self._free.index(wanted) if wanted is not None else 0)
        try:
            if lane == 0 and self._lanes_reply_due:  # open_lanes' answer, first in lane 0's pipe
                self._lanes_reply_due = False
                try:
                    _receive(self._lanes[0][1])
                except (EOFError, OSError):
                    raise RuntimeError("the PDF helper process ended unexpectedly") from None
            yield self._lanes[lane]
        finally:
            with self._lane_freed:
                self._free.append(lane)
                self._lane_freed.notify()

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
        for fd in (fd for lane in self._lanes for fd in lane):  # a lane's copy of the helper reads EOF and ends
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


def _helper_main(lanes: list[tuple[int, int]], parent_pid: int) -> None:
    """The helper process: import WeasyPrint at once, then render each request of the first
    lane until the parent closes its end of the pipe or is gone (and, when asked, fork a copy
    of itself for each other lane). Never returns: the forked copy of the parent's interpreter
    must not go on to run the parent's code or its exit handlers."""
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
        _serve(lanes, 0)
    except BaseException:  # noqa: BLE001 - the parent reports a helper that ended unexpectedly
        code = 1
    finally:
        os._exit(code)


def _serve(lanes: list[tuple[int, int]], lane: int) -> None:
    requests, replies = lanes[lane]
    while True:
        try:
            request = _receive(requests)
        except (EOFError, OSError):
            return
        if request == ("lanes",):
            _fork_lanes(lanes)
            reply = ("lanes", len(lanes))
        else:
            try:
                reply = ("pdf", layout_pdf(*request))
            except Exception as error:  # noqa: BLE001 - a bug: the parent reports it as an internal error
                import traceback

                reply = ("error", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}")
        try:
            _send(replies, reply)
        except OSError:  # the parent is gone (interrupted): nobody is waiting for this PDF
            return


def _fork_lanes(lanes: list[tuple[int, int]]) -> None:
    """In the helper: a copy of it for each lane after the first, each serving its own."""
    helper = os.getpid()
    for lane in range(1, len(lanes)):
        if os.fork() == 0:
            code = 0
            try:
                from sitrep.processes import end_with_parent

                end_with_parent(helper)  # the helper ends with the build, and its copies with it
                for other, fds in enumerate(lanes):
                    if other != lane:
                        for fd in fds:
                            os.close(fd)
                _serve(lanes, lane)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
    # The helper keeps only its own lane's ends: a copy that dies must leave its pipes with no
    # writer, so that the parent reads the end of them rather than waiting for ever.
    for fd in (fd for other in lanes[1:] for fd in other):
        os.close(fd)


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
