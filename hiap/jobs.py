"""A process-wide limit on concurrent heavy jobs (network builds, routing, reports).

The Streamlit server runs every user's session as a thread of one process. Without a limit,
ten people pressing "Run" at once start ten network builds on a two-core server and all of
them crawl (or the server runs out of memory). :func:`job_slot` lets at most
:data:`DEFAULT_MAX_JOBS` (the number of cores) run at a time; the others queue in arrival order
and are told how many jobs are ahead of them through ``on_wait``, so the app can say "waiting
for N other jobs". The limiter is deliberately process-wide state: it protects the process.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator

from hiap.wording import count

DEFAULT_MAX_JOBS = os.cpu_count() or 1
"""Jobs allowed at once by default: one per core."""


class JobLimiter:
    """At most ``max_jobs`` jobs at a time, first come first served.

    Parameters
    ----------
    max_jobs
        Jobs allowed to run at once (at least 1).
    """

    def __init__(self, max_jobs: int = DEFAULT_MAX_JOBS) -> None:
        if max_jobs < 1:
            raise ValueError(f"max_jobs must be at least 1 (got {max_jobs}).")
        self.max_jobs = max_jobs
        self._cond = threading.Condition()
        self._running = 0
        self._queue: deque[int] = deque()
        self._tickets = itertools.count()

    @property
    def running(self) -> int:
        """Jobs running now."""
        with self._cond:
            return self._running

    @property
    def waiting(self) -> int:
        """Jobs queued now."""
        with self._cond:
            return len(self._queue)

    @contextlib.contextmanager
    def slot(self, *, on_wait: Callable[[int], None] | None = None) -> Iterator[None]:
        """Hold one job slot for the ``with`` block, waiting in line for it if needed.

        Parameters
        ----------
        on_wait
            Called (outside the lock) with the number of other jobs ahead (running or queued
            before this one) whenever that number changes while waiting; not called when a
            slot is free at once.

        Yields
        ------
        None
            Inside the block this job counts against the limit.
        """
        with self._cond:
            ticket = next(self._tickets)
            self._queue.append(ticket)
        told = -1
        try:
            while True:
                with self._cond:
                    while True:
                        if self._queue[0] == ticket and self._running < self.max_jobs:
                            self._queue.popleft()
                            self._running += 1
                            self._cond.notify_all()
                            ahead = -1
                            break
                        ahead = self._running + self._queue.index(ticket)
                        if ahead != told and on_wait is not None:
                            break
                        self._cond.wait(timeout=1.0)
                if ahead < 0:
                    break
                told = ahead
                assert on_wait is not None
                on_wait(ahead)
        except BaseException:
            with self._cond:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                    self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()


def waiting_message(n_ahead: int, what: str) -> str:
    """Return the sentence to show while a job waits for a slot.

    Parameters
    ----------
    n_ahead
        Other jobs running or queued before this one.
    what
        What the job does (e.g. ``"routing"``).

    Returns
    -------
    str
        "Waiting for N other job(s) to finish before …".
    """
    return (
        f"Waiting for {count(n_ahead, 'other job')} to finish before {what}: the server runs a "
        "few at a time so that every user's work finishes."
    )


_PROCESS_LIMITER = JobLimiter()


def job_slot(
    *, on_wait: Callable[[int], None] | None = None
) -> contextlib.AbstractContextManager[None]:
    """Hold one of the process's heavy-job slots (see :class:`JobLimiter.slot`).

    Parameters
    ----------
    on_wait
        Told how many other jobs are ahead while this one waits.

    Returns
    -------
    contextlib.AbstractContextManager
        Use with ``with``.
    """
    return _PROCESS_LIMITER.slot(on_wait=on_wait)


def process_limiter() -> JobLimiter:
    """Return the process-wide limiter (for status displays and tests)."""
    return _PROCESS_LIMITER
