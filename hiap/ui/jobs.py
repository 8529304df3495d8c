"""Run heavy work in the app under the process-wide job limit, telling the user if they wait."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st

from hiap.jobs import job_slot, waiting_message


@contextlib.contextmanager
def heavy_job(what: str) -> Iterator[None]:
    """Hold a heavy-job slot for the block; show "waiting for N other jobs" while queued.

    Parameters
    ----------
    what
        What the job does, for the message (e.g. ``"building the walk network"``).

    Yields
    ------
    None
        Inside the block the job counts against the limit.
    """
    notice = st.empty()

    def show(n_ahead: int) -> None:
        notice.info(waiting_message(n_ahead, what), icon=":material/hourglass_top:")

    with job_slot(on_wait=show):
        notice.empty()
        yield
