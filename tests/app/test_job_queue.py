"""A page's heavy work waits for a free slot and tells the user how many jobs are ahead."""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

import hiap.ui.jobs
from hiap.jobs import process_limiter


def _script() -> None:
    import streamlit as st

    from hiap.ui.jobs import heavy_job

    with heavy_job("routing"):
        st.write("routed")


def test_a_job_waits_while_the_server_is_full_and_then_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    real = hiap.ui.jobs.waiting_message

    def spy(n_ahead: int, what: str) -> str:
        shown.append(real(n_ahead, what))
        return shown[-1]

    monkeypatch.setattr(hiap.ui.jobs, "waiting_message", spy)
    limiter = process_limiter()
    held = threading.Barrier(limiter.max_jobs + 1)
    release = threading.Event()

    def busy() -> None:
        with limiter.slot():
            held.wait()
            release.wait(timeout=60)

    others = [threading.Thread(target=busy) for _ in range(limiter.max_jobs)]
    for thread in others:
        thread.start()
    held.wait()  # every slot is taken by another "session"

    def release_once_told() -> None:
        while not shown:  # the page's job is queued and has shown its message
            release.wait(timeout=0.05)
        release.set()

    threading.Thread(target=release_once_told, daemon=True).start()
    page = AppTest.from_function(_script, default_timeout=60).run()
    for thread in others:
        thread.join()
    assert not page.exception
    assert [m.value for m in page.markdown] == ["routed"]
    n = limiter.max_jobs
    assert shown[0].startswith(f"Waiting for {n} other job{'s' if n > 1 else ''} to finish before routing")
    assert limiter.running == 0 and limiter.waiting == 0
