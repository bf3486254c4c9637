"""`sitrep serve` makes one PDF at a time; a request that finds one being made is told when to
come back.

Laying out a PDF takes a second or more of CPU. Made once per request, 200 requests at once ran
200 layouts side by side, each 200 times slower, and the server stopped accepting connections
(resets, and a worst wait of minutes). With one layout at a time, every other PDF request is
answered at once with `503 Service Unavailable` and a `Retry-After` of about the time the current
one still needs, and the HTML page, the fonts and the version poll keep being served meanwhile.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")

FIRST_GUESS_SECONDS = 3.0  # Retry-After before any PDF was timed: about what the example takes


class Busy(Exception):
    """A PDF is being made for another request; come back in `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"a PDF is being made; retry after {retry_after} s")
        self.retry_after = retry_after


class OneAtATime:
    """Runs one job at a time and refuses (Busy) a job asked for while another runs."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._running = threading.Lock()
        self._started: float | None = None
        self._last_seconds = FIRST_GUESS_SECONDS

    def run(self, job: Callable[[], T]) -> T:
        """`job()`, unless another is running: then raises Busy at once, without waiting."""
        if not self._running.acquire(blocking=False):
            raise Busy(self.retry_after())
        self._started = self._clock()
        try:
            return job()
        finally:
            self._last_seconds = self._clock() - self._started
            self._started = None
            self._running.release()

    def retry_after(self) -> int:
        """Whole seconds, at least 1, until the running job should be done: the last job's time
        less what this one has run so far."""
        started, last = self._started, self._last_seconds
        remaining = last - (self._clock() - started) if started is not None else 0.0
        return max(1, math.ceil(remaining))
