"""Streamlit glue for the "What the scheme changes" page: read a proposal, compare, keep per session."""

from __future__ import annotations

import streamlit as st

from hiap.access.keys import content_digest
from hiap.indicators.compare import Comparison, assess_proposal, proposal_feed
from hiap.schemes.proposal import LAYERS, Proposal, read_proposal, read_proposal_files
from hiap.settings import Settings
from hiap.ui.jobs import heavy_job

_COMPARISONS_KEY = "hiap.proposal_comparisons"


def read_uploaded_proposal(files: list[tuple[str, bytes]], settings: Settings) -> Proposal:
    """Read one uploaded GeoPackage, or one uploaded file per layer (named after the layer).

    Parameters
    ----------
    files
        ``(file name, bytes)`` of each upload.
    settings
        Supplies the upload limits.

    Returns
    -------
    Proposal
        The validated proposal.
    """
    if len(files) == 1 and files[0][0].lower().endswith(".gpkg"):
        name, data = files[0]
        return read_proposal(data, settings=settings, filename=name)
    return read_proposal_files(dict(files), settings=settings)


def proposal_key(proposal: Proposal) -> str:
    """Return a key that changes whenever any layer of the proposal changes.

    Its name and every layer by content (CRS, columns, cells, geometry WKB), through the one
    content digest (:func:`hiap.access.keys.content_digest`).
    """
    layers = {name: proposal.layer(name) for name in LAYERS}
    return content_digest({"name": proposal.name, "layers": layers})[:16]


def session_comparison(scheme_name: str) -> Comparison | None:
    """Return this session's latest comparison of a scheme of that name, if any."""
    found = [c for c in st.session_state.get(_COMPARISONS_KEY, {}).values() if c.proposal.name == scheme_name]
    return found[-1] if found else None


def _run_key(proposal: Proposal, settings: Settings) -> str:
    """Return the proposal's key and whether the walking fallback was on (it changes the answer)."""
    return proposal_key(proposal) + (":fallback-walk" if settings.fallback_walk else "")


def stored_comparison(proposal: Proposal, settings: Settings) -> Comparison | None:
    """Return this session's comparison of exactly this proposal with these settings, if run."""
    return st.session_state.get(_COMPARISONS_KEY, {}).get(_run_key(proposal, settings))


def compare(proposal: Proposal, settings: Settings) -> Comparison:
    """Run the comparison with a progress bar and keep it in the session.

    Parameters
    ----------
    proposal
        The proposal.
    settings
        The app's settings.

    Returns
    -------
    Comparison
        Today's map and the map with the scheme, per phase and for the neighbours.
    """
    with heavy_job("comparing today's map with the scheme"):
        bar = st.progress(0.0, text="Preparing the walk network and OpenStreetMap features...")

        def report_progress(fraction: float, message: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=message)

        feed = proposal_feed(proposal, settings=settings)
        comparison = assess_proposal(proposal, settings=settings, feed=feed, progress=report_progress)
        bar.empty()
    st.session_state.setdefault(_COMPARISONS_KEY, {})[_run_key(proposal, settings)] = comparison
    return comparison
