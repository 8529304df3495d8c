"""The Transport scenario page's last result, kept in the session for the assessment report.

Each browser session keeps at most one: running another scenario replaces it. It is tied to
the scheme it was run around, so a scenario on the Porto Alegre demo never lands in a UK
scheme's report.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from hiap.reports.evidence import ScenarioResult

__all__ = ["SCENARIO_RESULT_KEY", "KeptScenario", "keep_scenario_result", "session_scenario_result"]

SCENARIO_RESULT_KEY = "hiap.scenario.result"

DESTINATIONS = {"gp": "a GP surgery", "hospital": "a hospital", "healthcare": "a healthcare facility"}
"""How the report names each kind of destination of the scenario page."""


@dataclass(frozen=True)
class KeptScenario:
    """A scenario result and the scheme it was run around (``None``: the demo area)."""

    scheme_name: str | None
    result: ScenarioResult


def keep_scenario_result(result: ScenarioResult, *, scheme_name: str | None) -> None:
    """Keep ``result`` as this session's scenario result (replacing any earlier one).

    Parameters
    ----------
    result
        The scenario's name and :func:`hiap.equity.newly_within` table.
    scheme_name
        The scheme the scenario was run around; ``None`` for the demo area.
    """
    st.session_state[SCENARIO_RESULT_KEY] = KeptScenario(scheme_name, result)


def session_scenario_result(scheme_name: str) -> ScenarioResult | None:
    """Return this session's scenario result if it was run around ``scheme_name``.

    Parameters
    ----------
    scheme_name
        The scheme being reported.

    Returns
    -------
    ScenarioResult or None
        ``None`` when no scenario ran, or it ran around another scheme or the demo area.
    """
    kept = st.session_state.get(SCENARIO_RESULT_KEY)
    if not isinstance(kept, KeptScenario) or kept.scheme_name != scheme_name:
        return None
    return kept.result
