"""`sitrep serve`'s watcher: file events (watchfiles, inotify on Linux) over the files a report is
built from, instead of looking at every file's modification time a few times a second.

The folders watched are the folders of the inputs (config.yaml, the store, the templates, the
theme's files, bulk/manifest.json): a file is watched through its folder, because an editor that
saves by writing a new file and renaming it over the old one replaces the file a watch on it
would follow. Events on anything but an input are dropped by the filter, and so are hidden files
and folders (editors' swap files, `.sitrep-cache/`, which every rebuild writes) and backups ending
in '~'. After the first event, watchfiles waits until no event came for STEP_MS (an editor's save
is several events: truncate, write, rename) before it reports the lot, so one save is one rebuild.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

# How long to wait for a save's further events, and the longest a burst of events is grouped
# (bench/preview.py measured the save-to-page time with 20 ms and 50 ms; see docs/performance.md).
STEP_MS = 20
DEBOUNCE_MS = 400


def watch_roots(inputs: list[Path]) -> list[Path]:
    """The folders to watch for `inputs`: a folder itself, a file's own folder, each existing one
    once and none inside another."""
    folders = set()
    for path in inputs:
        folder = path if path.is_dir() else path.parent
        while not folder.is_dir() and folder != folder.parent:  # bulk/ before the first import
            folder = folder.parent
        folders.add(folder.resolve())
    ordered = sorted(folders, key=lambda folder: len(folder.parts))
    roots: list[Path] = []
    for folder in ordered:
        if not any(folder.is_relative_to(root) for root in roots):
            roots.append(folder)
    return roots


def is_input(path: str, inputs: list[Path]) -> bool:
    """Whether an event on `path` concerns an input: the file itself or anything under an input
    folder, unless it is hidden or a backup."""
    changed = Path(os.path.abspath(path))
    if changed.name.endswith("~"):
        return False
    for item in inputs:
        if changed == item:
            return True
        if changed.is_relative_to(item) and changed != item:
            inside = changed.relative_to(item).parts
            if not any(part.startswith(".") for part in inside):
                return True
    return False


class _Watching:
    """The stop event as watchfiles is given it: watchfiles asks it `is_set()` between its waits
    once the events are being watched, which tells `armed` that a save from now on is seen."""

    def __init__(self, stop: threading.Event, armed: threading.Event):
        self.stop = stop
        self.armed = armed

    def is_set(self) -> bool:
        self.armed.set()
        return self.stop.is_set()


def watch_inputs(inputs: Callable[[], list[Path]], changed: Callable[[], None], stop: threading.Event,
                 armed: threading.Event, log: Callable[[str], None]) -> None:
    """Call `changed()` after each save of an input, until `stop` is set. `inputs()` is asked again
    after each change: when the config names other folders, those are watched from then on."""
    from watchfiles import watch  # imported with the server, in its own thread

    while not stop.is_set():
        watched = [Path(os.path.abspath(path)) for path in inputs()]
        try:
            for _ in watch(*watch_roots(watched), watch_filter=lambda change, path: is_input(path, watched),
                           step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=_Watching(stop, armed),
                           raise_interrupt=False, rust_timeout=0):
                changed()
                if [Path(os.path.abspath(path)) for path in inputs()] != watched:
                    break  # the config now names other folders: watch those
        except Exception as error:  # never let the watcher die (a watched folder removed, say)
            log(f"sitrep serve: watcher error: {type(error).__name__}: {error}")
            stop.wait(1.0)
