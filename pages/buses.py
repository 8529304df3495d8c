"""Buses: Cambridgeshire's timetables, the Busway corridor to hospitals, which change helps most."""

from dataclasses import replace

import streamlit as st

from hiap.corridor import service_date_choice
from hiap.corridor.analysis import METHOD_NOTE, RAIL_NOTE, last_bus_table
from hiap.corridor.priorities import export_table, scheme_route
from hiap.errors import HiapError
from hiap.exports import to_csv_bytes
from hiap.ui import buses as cached
from hiap.ui.maps import st_folium
from hiap.ui.route_scheme import TARGETS, show_route_access
from hiap.ui.settings import app_settings
from hiap.ui.state import current_scheme
from hiap.ui.text import plain
from hiap.viz.bus_maps import corridor_map, priorities_map
from isochrones.errors import IsochronesError

settings = app_settings()
SOURCES = "Bus timetables: Traveline National Dataset; stops: NaPTAN (DfT). OGL v3."

st.title("Buses and health")
st.caption(
    "Cambridgeshire's own bus timetables (TransXChange) with NaPTAN stops: what runs on a day, "
    "public-transport times from the Busway corridor to acute hospitals and GP practices, "
    "and which service change would save residents the most time."
)
try:
    cambs = cached.cambs_feed(settings)
except HiapError as error:
    st.warning(plain(error))
    st.stop()

summary = cambs.summary
st.subheader("The timetables")
counts = summary.counts
st.markdown(
    f"{len(cambs.txc_files)} TransXChange files: **{counts['services']} services, "
    f"{counts['journey_patterns']} journey patterns, {counts['operating_profiles']} operating "
    f"profiles, {counts['trips']:,} trips, {counts['stops']} stops**."
)
typical = service_date_choice(cambs.feed)
date = st.date_input("Service day", typical.date, key="buses.date")
choice = service_date_choice(cambs.feed, date)
st.metric("Trips running that day", f"{choice.trips:,}", help=f"on {choice.routes} route(s)")
st.info(
    f"The normal timetable: {typical.why_typical} The 2020 files were issued in the first "
    "COVID-19 week, when many journeys ran only 24-29 March 2020.",
    icon=":material/event:",
)
with st.expander("Services, operating profiles and bank holidays"):
    st.dataframe(summary.services, hide_index=True, width="stretch")
    st.dataframe(
        choice.per_route.rename(columns={"trips": f"trips on {choice.date}"}),
        hide_index=True,
        width="stretch",
    )
    st.dataframe(summary.profiles.drop(columns=["service_id"]), hide_index=True, width="stretch")
    st.dataframe(summary.bank_holidays.head(200), hide_index=True, width="stretch")
    for warning in summary.warnings:
        st.caption(f"Note: {plain(warning)}")
if choice.trips == 0:
    st.warning(f"No bus runs on {choice.date}; pick {typical.date} for the normal timetable.")
    st.stop()

fallback = st.toggle(
    "Walk straight lines where no walk network exists (x 1.3, 4.8 km/h, at most 1.6 km to a stop)",
    value=True,  # why: the corridor demo; no walk network covers the corridor offline
    key="buses.fallback",
    help="No OpenStreetMap walk network covers the corridor offline. The fallback is labelled "
    "in every result, with the share of walking legs that used it.",
)

with st.expander("Method, and what is not included"):
    st.markdown(METHOD_NOTE)
    st.markdown(RAIL_NOTE)

corridor_tab, priorities_tab, route_tab = st.tabs(
    ["Busway corridor", "Which change helps most", "Test a scheme's route"]
)

with corridor_tab:
    step = st.select_slider("Minutes between departures", [1, 2, 5, 10], 1, key="buses.step")
    if st.button("Run the corridor analysis", type="primary", key="buses.run_corridor"):
        st.session_state["buses.corridor"] = (choice.date, fallback, step)
    if st.session_state.get("buses.corridor") == (choice.date, fallback, step):
        try:
            result = cached.corridor_result(
                settings, cambs, cached.corridor_config(choice.date, fallback, float(step))
            )
        except (HiapError, IsochronesError) as error:
            st.error(plain(error))
        else:
            for note in result.notes:
                st.caption(plain(note))
            window = st.radio(
                "Window",
                ["am", "interpeak"],
                horizontal=True,
                format_func={"am": "07:00-10:00", "interpeak": "10:00-13:00"}.get,
                key="buses.window",
            )
            target = st.radio(
                "To the nearest",
                ["hospital", "gp"],
                horizontal=True,
                format_func={"hospital": "acute hospital", "gp": "GP practice"}.get,
                key="buses.target",
            )
            column = f"{window}_{target}_p50_min"
            st_folium(
                corridor_map(
                    result.origins,
                    result.routes,
                    result.stops,
                    result.destinations,
                    column=column,
                    label=f"median minutes to the nearest {target}",
                ),
                height=520,
                use_container_width=True,
                returned_objects=[],
                key="buses-corridor-map",
            )
            st.markdown("**By IMD decile** (population-weighted median of the LSOA medians)")
            st.dataframe(result.by_decile.round(1), hide_index=True, width="stretch")
            st.markdown("**By district**")
            st.dataframe(result.by_district.round(1), hide_index=True, width="stretch")
            st.markdown(
                "**Last practical bus back**: the latest departure home from each LSOA's "
                "quickest acute hospital and GP practice (median by district; per LSOA in the "
                "table below and the CSV)."
            )
            st.dataframe(last_bus_table(result), hide_index=True, width="stretch")
            table = result.origins.drop(columns="geometry")
            st.dataframe(table.round(1), hide_index=True, width="stretch")
            st.download_button(
                "Download per-LSOA times (CSV)",
                to_csv_bytes(table),
                file_name="corridor_lsoas.csv",
                mime="text/csv",
                key="buses.corridor_csv",
            )
            st.caption(" · ".join(result.attribution))

with priorities_tab:
    st.caption(
        "Each route's frequency doubled, its span to 22:00, a diversion or extension to each "
        "acute hospital and nearby unserved GP practice, and new stops where it passes people "
        "with none: ranked by the person-minutes saved to the nearest GP and acute hospital "
        "(07:00-10:00, 10:00-13:00 and 17:00-20:00). This takes a few minutes."
    )
    if st.button("Rank the candidate changes", type="primary", key="buses.run_rank"):
        st.session_state["buses.rank"] = (choice.date, fallback)
    if st.session_state.get("buses.rank") == (choice.date, fallback):
        try:
            ranked = cached.priorities_result(
                settings, cambs, cached.corridor_config(choice.date, fallback)
            )
        except (HiapError, IsochronesError) as error:
            st.error(plain(error))
        else:
            cached.remember_ranking(ranked)  # the assessment report adds it as a chapter
            st.markdown("**Current service on the day**")
            st.dataframe(ranked.service, hide_index=True, width="stretch")
            table = export_table(ranked)
            st.dataframe(table, hide_index=True, width="stretch")
            st.download_button(
                "Download the ranking (CSV)",
                to_csv_bytes(table),
                file_name="bus_priorities.csv",
                mime="text/csv",
                key="buses.rank_csv",
            )
            st_folium(
                priorities_map(ranked.table, ranked.routes, ranked.origins),
                height=480,
                use_container_width=True,
                returned_objects=[],
                key="buses-rank-map",
            )
            for note in ranked.notes:
                st.caption(plain(note))
            st.caption(
                "This ranking goes into the assessment report (HTML, PDF and Word) made in this "
                "session, as the chapter \"Which bus service change would help health most\"."
            )
            st.caption(SOURCES)

with route_tab:
    scheme = current_scheme()
    route = scheme_route(scheme.lines) if scheme is not None else None
    if route is None:
        st.info(
            "Choose a transport scheme with a route line on the Scheme page (for example "
            "the sample Fenland bus link) to test it here."
        )
    else:
        st.markdown(f"**{plain(route.name)}** ({len(route.line)} vertices)")
        st.caption(
            "Two questions about the route: how it ranks against other bus changes "
            "(person-minutes saved, \"Test this route\"), and how long trips are today and with "
            "it (before and after, \"Measure before and after\")."
        )
        one, two, three = st.columns(3)
        headway = one.number_input(
            "Headway (minutes)",
            5.0,
            120.0,
            float(route.headway_min),
            5.0,
            key="buses.route_headway",
        )
        first = two.time_input("First departure", route.first, key="buses.route_first")
        last = three.time_input("Last departure", route.last, key="buses.route_last")
        if st.button("Test this route", type="primary", key="buses.run_route"):
            st.session_state["buses.route"] = (
                choice.date,
                fallback,
                route.name,
                headway,
                first,
                last,
            )
        if st.session_state.get("buses.route") == (
            choice.date,
            fallback,
            route.name,
            headway,
            first,
            last,
        ):
            try:
                tested = cached.route_test_result(
                    settings,
                    cambs,
                    cached.corridor_config(choice.date, fallback),
                    replace(route, headway_min=float(headway), first=first, last=last),
                )
            except (HiapError, IsochronesError) as error:
                st.error(plain(error))
            else:
                st.markdown(
                    "**Person-minutes saved**: how this route ranks as a bus change, by the "
                    "ranking's measure (residents x minutes saved to the nearest GP and acute "
                    "hospital, 07:00-10:00, 10:00-13:00 and 17:00-20:00), comparable with the "
                    "candidates under \"Which change helps most\"."
                )
                st.dataframe(export_table(tested), hide_index=True, width="stretch")
                for note in tested.notes:
                    st.caption(plain(note))
                st.caption(SOURCES)
        st.markdown(
            "**Before and after**: how long the trip is today and with the route, to one "
            "destination, measured by the access engine: the same figures as the Access and "
            "Transport scenario pages and `hiap buses route-access` for this route and service."
        )
        to = st.radio(
            "To the nearest", list(TARGETS), horizontal=True, format_func=TARGETS.get,
            key="buses.route_to",
        )
        engine_args = (choice.date, fallback, route.name, headway, first, last, to)
        if st.button("Measure before and after", key="buses.run_route_access"):
            st.session_state["buses.route_access"] = engine_args
        if st.session_state.get("buses.route_access") == engine_args:
            show_route_access(
                settings, cambs, replace(route, headway_min=float(headway), first=first, last=last),
                date=choice.date, to=str(to), fallback=fallback, key="buses.route_access",
            )
