"""The process-wide job limit: at most N at once, first come first served, waiters told."""

from __future__ import annotations

import threading

import pytest

from hiap.jobs import DEFAULT_MAX_JOBS, JobLimiter, job_slot, process_limiter, waiting_message


def test_default_limit_is_the_number_of_cores() -> None:
    assert process_limiter().max_jobs == DEFAULT_MAX_JOBS >= 1
    with job_slot():
        assert process_limiter().running >= 1


def test_a_second_job_waits_is_told_and_runs_after_the_first() -> None:
    limiter = JobLimiter(1)
    order: list[str] = []
    told: list[int] = []
    first_in = threading.Event()
    release = threading.Event()

    def first() -> None:
        with limiter.slot():
            order.append("first starts")
            first_in.set()
            release.wait(timeout=30)
            order.append("first ends")

    def second() -> None:
        with limiter.slot(on_wait=told.append):
            order.append("second starts")

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(timeout=30)
    b = threading.Thread(target=second)
    b.start()
    while limiter.waiting == 0:  # the second job is queued behind the first
        b.join(timeout=0.01)
    assert order == ["first starts"] and limiter.running == 1
    release.set()
    a.join()
    b.join()
    assert order == ["first starts", "first ends", "second starts"]
    assert told == [1]
    assert limiter.running == 0 and limiter.waiting == 0


def test_never_more_than_the_limit_at_once() -> None:
    limiter = JobLimiter(2)
    lock = threading.Lock()
    now = [0]
    peak = [0]

    def job() -> None:
        with limiter.slot():
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            threading.Event().wait(0.01)
            with lock:
                now[0] -= 1

    threads = [threading.Thread(target=job) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2


def test_a_waiter_that_gives_up_leaves_the_queue() -> None:
    limiter = JobLimiter(1)

    def impatient(n_ahead: int) -> None:
        raise TimeoutError(n_ahead)

    with limiter.slot(), pytest.raises(TimeoutError), limiter.slot(on_wait=impatient):
        pass
    assert limiter.waiting == 0 and limiter.running == 0
    with limiter.slot():
        assert limiter.running == 1


def test_waiting_message() -> None:
    assert waiting_message(1, "routing").startswith(
        "Waiting for 1 other job to finish before routing"
    )
    assert "3 other jobs" in waiting_message(3, "routing")
    with pytest.raises(ValueError, match="at least 1"):
        JobLimiter(0)
