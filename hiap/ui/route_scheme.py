"""The route test shown on the Access and Transport scenario pages for a transport scheme.

A transport scheme is a route line (the sample Fenland bus link), not a boundary: the pages
offer it as the route to test, add it to Cambridgeshire's own bus timetables and show
public-transport times along it today and with the route, measured by the one access engine
(:func:`hiap.corridor.route_access.scheme_route_access`, cached in :mod:`hiap.ui.buses`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from hiap.corridor import CambsFeed, service_date_choice
from hiap.corridor.priorities import SchemeRoute, scheme_route
from hiap.corridor.route_access import ROUTE_WINDOW, before_after, route_layers
from hiap.errors import HiapError
from hiap.exports import to_csv_bytes
from hiap.schemes import Scheme
from hiap.settings import Settings
from hiap.ui import buses as cached
from hiap.ui.maps import st_folium
from hiap.ui.text import plain
from hiap.viz.bus_maps import corridor_map
from isochrones.errors import IsochronesError

__all__ = ["TARGETS", "route_scheme_panel", "show_route_access"]

SOURCES = (
    "Bus timetables: Traveline National Dataset; stops: NaPTAN (DfT); LSOAs: ONS; practices "
    "and hospitals: NHS ODS. Contains public sector information licensed under the Open "
    "Government Licence v3.0."
)
TARGETS = {"gp": "GP practice", "hospital": "acute hospital (type 1 A&E)"}


def route_scheme_panel(settings: Settings, scheme: Scheme, *, key: str) -> None:
    """Offer a transport scheme's route as the route to test, run it and show before/after.

    Parameters
    ----------
    settings
        The app's settings.
    scheme
        A scheme with a route line (``scheme.lines``).
    key
        Prefix of the widget keys (one per page).
    """
    route = scheme_route(scheme.lines)
    if route is None:
        st.warning("This scheme has neither a boundary polygon nor a route line to test.")
        return
    st.subheader(f"Test the route: {plain(route.name)}")
    st.caption(
        "This transport scheme is a bus route. hiap adds it to Cambridgeshire's own bus "
        "timetables (TransXChange, NaPTAN stops) both ways, with a stop every 800 m, and "
        "measures public-transport times from the LSOAs within 2 km of it to the nearest GP "
        "practice or acute hospital, today and with the route, with the same access engine as "
        "every other time in hiap."
    )
    try:
        cambs = cached.cambs_feed(settings)
    except HiapError as error:
        st.warning(plain(error))
        return
    typical = service_date_choice(cambs.feed)
    one, two, three, four = st.columns(4)
    headway = one.number_input(
        "Headway (minutes)", 5.0, 120.0, float(route.headway_min), 5.0, key=f"{key}.headway"
    )
    first = two.time_input("First departure", route.first, key=f"{key}.first")
    last = three.time_input("Last departure", route.last, key=f"{key}.last")
    date = four.date_input("Service day", typical.date, key=f"{key}.date")
    to = st.radio(
        "To the nearest", list(TARGETS), horizontal=True, format_func=TARGETS.get,
        key=f"{key}.to",
    )
    fallback = st.toggle(
        "Walk straight lines where no walk network exists (x 1.3, 4.8 km/h, at most 1.6 km "
        "to a stop)",
        value=True,  # why: no offline walk network covers rural Cambridgeshire
        key=f"{key}.fallback",
        help="Labelled in the results, with the share of walking legs that used it.",
    )
    tested = replace(route, headway_min=float(headway), first=first, last=last)
    args = (tested, date, to, fallback)
    if st.button("Test this route", type="primary", key=f"{key}.run"):
        st.session_state[f"{key}.args"] = args
    if st.session_state.get(f"{key}.args") != args:
        return
    if not isinstance(date, dt.date):  # pragma: no cover - a single date input
        return
    show_route_access(settings, cambs, tested, date=date, to=str(to), fallback=fallback, key=key)
    st.caption(
        "How this route ranks against other bus changes (person-minutes saved to the nearest GP "
        "and acute hospital over three time windows) is a different question: the Buses page's "
        "\"Test a scheme's route\" tab answers it, and shows these before/after figures too."
    )


def show_route_access(
    settings: Settings,
    cambs: CambsFeed,
    route: SchemeRoute,
    *,
    date: dt.date,
    to: str,
    fallback: bool,
    key: str,
) -> None:
    """Run a route through the access engine and show its before/after, map and tables.

    The one view of the engine's route test: the Access, Transport scenario and Buses pages
    all show it, with the same figures as ``hiap buses route-access``.

    Parameters
    ----------
    settings
        The app's settings.
    cambs
        Cambridgeshire's bus timetables (:func:`hiap.ui.buses.cambs_feed`).
    route
        The route with its service (headway, first and last departure).
    date
        The service day.
    to
        ``"gp"`` or ``"hospital"``.
    fallback
        Whether walks go in straight lines where no walk network exists.
    key
        Prefix of the widget keys.
    """
    config = cached.corridor_config(date, fallback, step_min=5.0)
    try:
        with st.spinner("Routing along the route, today and with it…"):
            result = cached.route_access_result(settings, cambs, config, route, to)
    except (HiapError, IsochronesError) as error:
        st.error(plain(error))
        return
    table = before_after(result)
    median = table.iloc[0]
    within = table.iloc[2]
    a, b, c = st.columns(3)
    a.metric("Median minutes today", f"{median['Today']:.1f}")
    b.metric("With the route", f"{median['With the route']:.1f}",
             delta=f"{median['Change']:+.1f} min", delta_color="inverse")
    c.metric("Residents newly within 60 min", f"{within['Change']:,.0f}")
    st.markdown(
        f"**Today and with the route** (public transport and walking to the nearest "
        f"{TARGETS[to]}, {ROUTE_WINDOW[0]:%H:%M}-{ROUTE_WINDOW[1]:%H:%M}, "
        "population-weighted; the same figures as `hiap buses route-access`)"
    )
    st.dataframe(table.round(1), hide_index=True, width="stretch")
    origins, line, stops, dest = route_layers(result, route)
    st_folium(
        corridor_map(origins, line, stops, dest, column="scenario_min",
                     label=f"minutes to the nearest {TARGETS[to]} with the route"),
        height=460, use_container_width=True, returned_objects=[], key=f"{key}-map",
    )
    per_lsoa = result.origins.drop(columns="geometry")[
        [c for c in ("code", "name", "lad_name", "imd_decile", "population", "transit_min",
                     "scenario_min", "change_min") if c in result.origins]
    ]
    st.caption("Per LSOA (the map's text alternative): minutes today, with the route, change.")
    st.dataframe(per_lsoa.round(1), hide_index=True, width="stretch")
    st.download_button(
        "Download per-LSOA times (CSV)", to_csv_bytes(per_lsoa), file_name="route_test.csv",
        mime="text/csv", key=f"{key}.csv",
    )
    for warning in result.warnings:
        st.caption(f"Note: {plain(warning)}")
    if result.fallback_share is not None:
        st.caption(f"{result.fallback_share:.0%} of walking legs used the straight-line fallback.")
    with st.expander("Parameters"):
        st.dataframe(
            {"Parameter": list(result.parameters), "Value": list(result.parameters.values())},
            hide_index=True, width="stretch",
        )
    st.caption(SOURCES)
