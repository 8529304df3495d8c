"""Access to healthcare: walk and public-transport times to GP surgeries and hospitals."""

import datetime as dt

import pandas as pd
import streamlit as st

from hiap import attribution
from hiap.access import AccessOptions, AccessResult
from hiap.access.capacity import capacity_points, gp_capacity_table
from hiap.access.feeds import GET_GTFS, busiest_hour, default_date, feed_stops
from hiap.access.output import access_layers
from hiap.access.summary import scheme_row_label
from hiap.equity import equity_chart, times_by_imd_decile
from hiap.errors import HiapError
from hiap.exports import to_csv_bytes, to_geopackage_bytes
from hiap.indicators.capacity import (
    capacity_sentences,
    list_pressure_text,
    people_per_practice_text,
)
from hiap.schemes import Scheme
from hiap.ui import cache
from hiap.ui.access import (
    DestinationChoice,
    destination_choice,
    destinations_table,
    keep_access_result,
    uk_data_overrides,
)
from hiap.ui.charts import st_chart
from hiap.ui.jobs import heavy_job
from hiap.ui.maps import st_folium
from hiap.ui.route_scheme import route_scheme_panel
from hiap.ui.settings import app_settings
from hiap.ui.state import require_scheme
from hiap.ui.text import plain
from hiap.viz.access_maps import access_map, capacity_map
from isochrones.errors import IsochronesError
from isochrones.gtfs.errors import FeedError
from isochrones.transit import FallbackWalk

settings = app_settings()
DEMO = "Porto Alegre demo (public-transport sample)"
SCHEME_AREA = "Around the current scheme"
KINDS = {"GP surgeries": ["gp"], "Hospitals": ["hospital"], "Both": ["gp", "hospital"]}
KIND_LABEL = {"gp": "GP surgery", "hospital": "hospital", "healthcare facility": "healthcare facility"}
MODES = {"Walk": "walk", "Public transport": "transit", "Both": "both"}
MODE_LABEL = {"walk": "Walking", "transit": "Public transport", "scenario": "Scenario"}
CAPACITY_CATCHMENT_MIN = 30.0  # why: the DfT JTS 30-minute band, as the gp_capacity_2sfca indicator
CAPACITY_SCORES = {"plain": "2sfca", "enhanced (Gaussian decay)": "gaussian"}
INDICATOR_COLUMNS = {
    "population": "Population",
    "pop_weighted_mean_time_min": "Mean time (min, pop-weighted)",
    "pop_share_within_15min": "Share within 15 min",
    "pop_share_within_30min": "Share within 30 min",
    "pop_weighted_reachable_30min": "Services within 30 min (pop-weighted)",
}

st.title("Access to healthcare")
st.caption(
    "Door-to-door times to the nearest GP surgery or hospital, on foot (street network at "
    "4.8 km/h, as the DfT Journey Time Statistics) and by public transport (every departure in "
    "the window, median time). Homes and services join the nearest street edge; the same "
    "engine gives `hiap access walk|transit` and the report the same numbers."
)

area_choice = st.radio("Area", [SCHEME_AREA, DEMO], horizontal=True, key="access.area")
mode = MODES[st.radio("Mode", list(MODES), horizontal=True, key="access.mode")]
bands = st.multiselect(
    "Isochrone bands (minutes)", [5, 10, 15, 20, 30, 45, 60], default=[5, 10, 15, 20, 30],
    key="access.bands",
)
osm_choice = feeds_choice = None
left, right = st.columns(2)
with left:
    if area_choice == SCHEME_AREA:
        kinds = KINDS[st.radio("Destination", list(KINDS), horizontal=True, key="access.to")]
        choice = destination_choice(kinds)
        if choice is None:
            st.error("Choose at least one class of hospital to count.")
            st.stop()
        buffer_km = st.slider("Area around the scheme (km)", 0.5, 10.0, 2.0, 0.5, key="access.buffer")
        osm_choice, feeds_choice = uk_data_overrides(settings)
        drive_roads = st.checkbox(
            "Accept a drive-roads-only extract as an approximation (results are labelled)",
            key="access.drive_roads",
        )
        # why: no offline walk network covers most of Cambridgeshire's bus corridors
        fallback = FallbackWalk()
        fallback_walk = st.checkbox(
            "Where no OSM extract covers the area, use the walking fallback: "
            f"{fallback.walk_label if mode == 'walk' else fallback.label} "
            "(labelled in every result)",
            key="access.fallback", disabled=mode == "both",
            help="Walking or public transport, one at a time (as `--fallback-walk`).",
        )
    else:
        kinds = ["healthcare facility"]
        buffer_km, drive_roads, choice, fallback_walk = 2.0, False, DestinationChoice(), False
        st.caption("Destinations: hexagons holding at least one healthcare facility.")
demo = None
if area_choice == DEMO:
    try:
        demo = cache.demo_area(settings)
        demo_feed = cache.CachedResources(settings).feed(demo.feed_paths)
    except (HiapError, IsochronesError, FeedError) as error:
        st.error(plain(error))
        st.stop()
date, start, end, step = None, dt.time(7, 0), dt.time(10, 0), 5
with right:
    if mode != "walk":
        # why: the DfT JTS morning window by default; a sample feed's busiest hour otherwise
        first = busiest_hour(demo_feed) if demo is not None else dt.time(7, 0)
        date = st.date_input(
            "Date (empty: a Tuesday the feed runs)",
            value=default_date(demo_feed) if demo is not None else None, key="access.date",
        )
        start = st.time_input("Departures from", first, key="access.start")
        end = st.time_input("Departures until", dt.time(min(first.hour + 1, 23), 0), key="access.end")
        step = st.select_slider("Minutes between departures", [1, 2, 5, 10, 15], 5, key="access.step")

if st.button("Run access", type="primary", key="access.run"):
    st.session_state["access.ran"] = True
if not st.session_state.get("access.ran"):
    st.stop()
if not bands:
    st.error("Choose at least one isochrone band.")
    st.stop()
if mode != "walk" and end <= start:
    st.error("The departure window must end after it starts.")
    st.stop()


def options_for(to: str, residents: float) -> AccessOptions:
    """The options of this page's run (every widget that changes the answer)."""
    return AccessOptions(
        mode=mode, to=to, buffer_km=float(buffer_km), bands_min=tuple(float(b) for b in sorted(bands)),
        date=date, window=(start, end), step_min=float(step), new_residents=residents,
        accept_drive_roads=bool(drive_roads), max_snap_m=settings.origin_max_snap_m,
        hospital_classes=choice.hospital_classes if to == "hospital" else None,
        include_branches=choice.include_branches and to == "gp",
        fallback=FallbackWalk() if fallback_walk and mode != "both" else None,
    )


def show_indicators(rows: dict[str, pd.DataFrame | None]) -> None:
    """Show one indicator table row per labelled summary."""
    kept = {label: frame for label, frame in rows.items() if frame is not None and len(frame)}
    table = pd.concat([frame.iloc[[0]].assign(Area=label) for label, frame in kept.items()])
    shown = table.set_index("Area")[[c for c in INDICATOR_COLUMNS if c in table.columns]]
    st.dataframe(
        shown.rename(columns=INDICATOR_COLUMNS).style.format(
            {"Population": "{:,.0f}", "Share within 15 min": "{:.0%}", "Share within 30 min": "{:.0%}"},
            precision=1,
        ),
        width="stretch",
    )


def summary_sentence(overall: pd.DataFrame, label: str) -> str:
    """The indicator row as a sentence (a text alternative to the table, and what tests read)."""
    row = overall.iloc[0]
    return (
        f"{label}: mean {row['pop_weighted_mean_time_min']:.2f} min (population-weighted), "
        f"{row['pop_share_within_15min']:.1%} within 15 min, "
        f"{row['pop_share_within_30min']:.1%} within 30 min."
    )


def show_run(result: AccessResult, kind: str, scheme: Scheme | None, residents: float) -> None:
    """Warnings, map, indicators, equity chart and downloads of one run."""
    for warning in result.warnings:
        st.warning(plain(warning))
    times = result.origins
    label = KIND_LABEL.get(kind, kind)
    fmap = access_map(
        isochrones=result.isochrones,
        isochrone_label=f"Walking time to a {label}" if result.isochrones is not None else "Time",
        origins=times, origin_label=f"Areas by {MODE_LABEL[result.primary].lower()} time",
        bands_min=result.options.bands_min, destinations={kind: result.destinations},
        stops=feed_stops(cache.CachedResources(settings).feed(result.feed_paths)) if result.feed_paths else None,
        scheme=scheme, attribution_lines=result.attribution,
    )
    st_folium(fmap, height=500, use_container_width=True, returned_objects=[], key=f"access-map-{kind}")
    st.subheader("Indicators")
    for mode_name, summary in result.summaries.items():
        st.markdown(f"**{MODE_LABEL[mode_name]} to the nearest {label}**")
        st.caption(summary_sentence(summary.overall, f"Surrounding area ({len(times)} areas)"))
        rows: dict[str, pd.DataFrame | None] = {}
        if summary.scheme is not None:
            rows[scheme_row_label(residents)] = summary.scheme
        rows[f"Surrounding area ({len(times)} areas on the network)"] = summary.overall
        if summary.with_scheme is not None:
            rows["Surrounding area with the scheme's residents"] = summary.with_scheme
        show_indicators(rows)
        if summary.by_district is not None and len(summary.by_district):
            st.caption("By district: " + "; ".join(
                f"{name}: {row.pop_weighted_mean_time_min:.1f} min over {row.origins:.0f} areas"
                for name, row in summary.by_district.iterrows()
            ))
    if "imd_decile" in times.columns:
        st.subheader(f"Equity: {MODE_LABEL[result.primary].lower()} time by deprivation")
        table = times_by_imd_decile(times)
        st_chart(
            equity_chart(table, title=f"{MODE_LABEL[result.primary]} time to the nearest {label} by IMD decile",
                         mode_label=f"{MODE_LABEL[result.primary]} time"),
            width="stretch",
        )
        st.caption(
            f"{int((table['origins'] > 0).sum())} of 10 IMD deciles have an area on the network "
            f"({result.osm_path.name}); grey deciles have none."
        )
    with st.expander("How this was measured (parameters and data)"):
        st.table(pd.DataFrame({"Value": result.parameters}))
        st.caption(f"Destinations ({len(result.destinations)}):")
        st.dataframe(destinations_table(result), hide_index=True, width="stretch")
        if len(result.excluded):
            st.caption(f"Left out ({len(result.excluded)}), with the reason:")
            st.dataframe(result.excluded, width="stretch")
    one, two = st.columns(2)
    one.download_button(
        "Download the run (GeoPackage)", to_geopackage_bytes(access_layers(result)),
        file_name=f"access_{kind}.gpkg", mime="application/geopackage+sqlite3", key=f"gpkg-{kind}",
    )
    two.download_button(
        "Download per-origin times (CSV)", to_csv_bytes(times), file_name=f"access_{kind}.csv",
        mime="text/csv", key=f"csv-{kind}",
    )


def show_gp_capacity(scheme: Scheme, result: AccessResult) -> None:
    """The GP capacity (2SFCA) section: map of the LSOAs and the scheme's homes, and a table."""
    st.subheader("GP capacity (2SFCA)")
    residents = float(scheme.new_residents or 0.0)
    with heavy_job("measuring GP capacity"), st.status("People per GP practice within a 30-minute walk (2SFCA)…") as status:
        try:
            capacity = cache.gp_capacity_result(
                settings, scheme.boundary, osm_path=result.osm_path, new_residents=residents,
                catchment_min=CAPACITY_CATCHMENT_MIN, margin_m=float(buffer_km) * 1000.0,
            )
        except (HiapError, IsochronesError) as error:
            status.update(label="No GP capacity result", state="error")
            st.warning(plain(error))
            return
        status.update(label="GP capacity: done", state="complete")
    if capacity is None:
        st.info(f"No GP practice is within a {CAPACITY_CATCHMENT_MIN:.0f}-minute walk of the scheme's homes.")
        return
    choice = st.radio("Method", list(CAPACITY_SCORES), horizontal=True, key="access.capacity_method")
    score = CAPACITY_SCORES[choice]
    supply = (
        "registered list size" if capacity.supply_kind == "list size"
        else "a count of practices (NHS ODS epraccur has no list sizes), not GPs or patients"
    )
    st.caption(
        f"Two-step floating catchment: each practice's supply divided by the residents within a "
        f"{CAPACITY_CATCHMENT_MIN:.0f}-minute walk of it, summed over the practices within that walk "
        f"of each place (Luo & Wang 2003; enhanced: Gaussian distance decay, Dai 2010). "
        f"Supply is {supply}. The scheme's {residents:,.0f} new residents are added to the demand."
    )
    for sentence in capacity_sentences(capacity)[:-1]:
        st.markdown(f"- {sentence}")
    listed = capacity.supply_kind == "list size"
    label = f"People per GP practice within a {CAPACITY_CATCHMENT_MIN:.0f}-minute walk (2SFCA, {choice})"
    st_folium(
        capacity_map(
            capacity_points(capacity.areas[capacity.areas["complete"]], score=score, listed=listed),
            homes=None if capacity.homes is None else capacity_points(capacity.homes, score=score, listed=listed),
            gps=result.destinations, scheme=scheme, layer_label=label,
            catchment_min=CAPACITY_CATCHMENT_MIN,
            attribution_lines=[*result.attribution, "ONS mid-2020 LSOA population (OGL v3.0)"],
        ),
        height=480, use_container_width=True, returned_objects=[], key="capacity-map",
    )
    table = gp_capacity_table(capacity, score=score, scheme_label=scheme_row_label(residents))
    st.dataframe(  # the figures as the sentences, the indicators and the CLI show them
        pd.DataFrame({
            "Residents": table["population"].map("{:,.0f}".format),
            "About 1 GP practice per N people": table["people_per_practice"].map(
                lambda v: people_per_practice_text(v, catchment_min=CAPACITY_CATCHMENT_MIN)
            ),
            **({"List pressure": table["list_pressure"].map(list_pressure_text)} if listed else {}),
        }, index=table.index),
        width="stretch",
    )
    if choice != next(iter(CAPACITY_SCORES)):
        st.caption(
            "Enhanced: a sensitivity check with distance decay. The sentences above, the "
            "scheme's indicators and reports use the plain method."
        )
    st.caption(
        f"{capacity.practices} practices within a {CAPACITY_CATCHMENT_MIN:.0f}-minute walk of the homes; "
        f"{capacity.dropped_population:,.0f} residents at LSOA centroids off the walk network left out. "
        "Areas are the LSOAs within the area around the scheme, population-weighted."
    )


# ---------------------------------------------------------------- around a UK scheme
if area_choice == SCHEME_AREA:
    scheme = require_scheme()
    if scheme.boundary is None or scheme.boundary.empty:
        if scheme.lines is not None and not scheme.lines.empty:
            # why: a transport scheme is a route: test it against Cambridgeshire's own buses
            route_scheme_panel(settings, scheme, key="access.route")
        else:
            st.warning("This scheme has no boundary polygon; access is measured from a boundary.")
        st.stop()
    residents = float(scheme.new_residents or 0.0)
    results: dict[str, AccessResult] = {}
    for kind in kinds:
        try:
            with heavy_job("routing"), st.spinner(f"Access to the nearest {KIND_LABEL[kind]}: network, routing, indicators…"):
                results[kind] = cache.access_result(
                    settings, options_for(kind, residents), scheme=scheme.boundary,
                    area_label=scheme.name, osm_path=osm_choice, feeds=feeds_choice,
                )
        except (HiapError, IsochronesError, FeedError) as error:
            st.warning(f"No result for {KIND_LABEL[kind]}s: {plain(error)}")
            if mode != "walk":
                st.caption(f"The Porto Alegre demo shows public transport at work. {GET_GTFS}")
    if not results:
        st.stop()
    if "gp" in results and results["gp"].options.walks:
        keep_access_result(results["gp"], scheme_name=scheme.name, scheme_digest=cache.scheme_digest(scheme))
    shown = st.radio(
        "Destination shown", list(results), format_func=lambda k: KIND_LABEL[k] + "s",
        horizontal=True, key="access.shown",
    ) if len(results) > 1 else next(iter(results))
    show_run(results[shown], shown, scheme, residents)
    if "gp" in results and results["gp"].options.walks:
        show_gp_capacity(scheme, results["gp"])
    st.caption(" · ".join(attribution.ALL))
    st.stop()

# ---------------------------------------------------------------- Porto Alegre demo
assert demo is not None
st.info(
    "No Cambridgeshire timetable (GTFS) is available offline here, so public transport is shown "
    "on r5r's Porto Alegre sample: origins are H3 hexagons with residents, destinations the "
    f"hexagons with a healthcare facility. For Cambridgeshire: {GET_GTFS}"
)
try:
    with heavy_job("routing"), st.spinner("Porto Alegre: walk network, timetable and routing…"):
        result = cache.access_result(
            settings, options_for("healthcare facility", 0.0), area_label=demo.name,
            osm_path=demo.osm_path, feeds=list(demo.feed_paths), origins=demo.origins,
            destinations=demo.destinations,
        )
except (HiapError, IsochronesError, FeedError) as error:
    st.error(plain(error))
    st.stop()
st.subheader(f"{demo.name}: {len(result.origins):,} populated hexagons, {len(result.destinations)} with healthcare")
show_run(result, "healthcare facility", None, 0.0)
if mode != "walk":
    st.caption(f"Bus stops in the feed: {len(feed_stops(demo_feed)):,}.")
st.caption("IMD deciles exist for England only, so the demo has no equity chart by deprivation.")
st.caption(" · ".join(demo.attribution))
