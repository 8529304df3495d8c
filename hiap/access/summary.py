"""Indicator tables of one mode of an access run (see :func:`isochrones.summarise_access`)."""

from __future__ import annotations

import pandas as pd

from hiap.access.result import ModeSummary
from isochrones import summarise_access

__all__ = ["mode_view", "summarise_mode"]


def mode_view(table: pd.DataFrame, time_col: str) -> pd.DataFrame:
    """Return one mode's columns under the names :func:`isochrones.summarise_access` reads."""
    prefix = time_col.removesuffix("_min")
    keep = [c for c in table.columns
            if not c.startswith("reachable_") and c != "time_min"
            and not c.startswith(("transit_reachable_", "scenario_reachable_"))]
    view = table[keep].rename(columns={time_col: "time_min"})
    if prefix == "walk":
        for c in table.columns:
            if c.startswith("reachable_"):
                view[c] = table[c]
    else:
        for c in table.columns:
            if c.startswith(f"{prefix}_reachable_"):
                view[c.removeprefix(f"{prefix}_")] = table[c]
    return view


def summarise_mode(
    table: pd.DataFrame, homes: pd.DataFrame | None, *, time_col: str, residents_given: bool = True
) -> ModeSummary:
    """Return one mode's tables: overall, by district and IMD decile, the scheme, both.

    ``residents_given`` False (a scheme without dwellings): its home points are weighted
    equally for the medians and shares, but nobody is added to the surrounding area and the
    scheme's row counts no residents (it showed the weights' sum, 1, as its population).
    """
    if table.empty and homes is not None:
        table = homes  # only the scheme's homes were timed
    data = mode_view(table, time_col)
    pop_col = "population" if "population" in data else None
    overall = summarise_access(data, population_col=pop_col)
    by_district = summarise_access(data, population_col=pop_col, by="lad_name") if "lad_name" in data else None
    by_imd = summarise_access(data, population_col=pop_col, by="imd_decile") if "imd_decile" in data else None
    scheme = with_scheme = None
    if homes is not None and len(homes) and table is not homes:
        h = mode_view(homes, time_col)
        scheme = summarise_access(h)
        if not residents_given:
            return ModeSummary(overall, by_district, by_imd, scheme.assign(population=0.0), None)
        cols = ["time_min", "population", *[c for c in h.columns if c.startswith("reachable_") and c in data]]
        base = data if pop_col else data.assign(population=1.0)
        with_scheme = summarise_access(
            pd.concat([pd.DataFrame(base[cols]), pd.DataFrame(h[cols])], ignore_index=True)
        )
    elif homes is not None and len(homes):
        scheme = overall
    return ModeSummary(overall, by_district, by_imd, scheme, with_scheme)



def scheme_row_label(residents: float) -> str:
    """Name the scheme's row in an access table by the residents it adds.

    Parameters
    ----------
    residents
        The scheme's new residents (0 when it gives no dwellings).

    Returns
    -------
    str
        ``"Scheme (2,400 new residents)"``, or, without dwellings, a label saying its home
        points are weighted equally and add nobody.
    """
    if residents > 0:
        return f"Scheme ({residents:,.0f} new residents)"
    return "Scheme (no dwellings given: home points weighted equally, no residents added)"
