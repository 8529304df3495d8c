"""Access to healthcare: walk and public-transport times to GP surgeries and hospitals."""

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from hiap import attribution
from hiap.access import find_osm_extract
from hiap.access_runs import (
    GET_GTFS,
    TransitArea,
    busiest_hour,
    default_date,
    feed_stops,
    find_feeds,
    gp_capacity_table,
    scheme_transit_area,
)
from hiap.equity import equity_chart, times_by_imd_decile
from hiap.errors import HiapError
from hiap.exports import to_csv_bytes, to_geopackage_bytes
from hiap.indicators.capacity import capacity_sentences
from hiap.schemes import Scheme
from hiap.ui import access as cached
from hiap.ui.jobs import heavy_job
from hiap.ui.maps import st_folium
from hiap.ui.settings import app_settings
from hiap.ui.state import require_scheme
from hiap.viz.access_maps import access_map, capacity_map
from isochrones import summarise_access
from isochrones.errors import IsochronesError
from isochrones.gtfs.errors import FeedError

settings = app_settings()
DEMO = "Porto Alegre demo (public-transport sample)"
SCHEME_AREA = "Around the current scheme"
KINDS = {"GP surgeries": ["gp"], "Hospitals": ["hospital"], "Both": ["gp", "hospital"]}
KIND_LABEL = {"gp": "GP surgery", "hospital": "hospital", "healthcare": "healthcare facility"}
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
    "the window, median time)."
)

area_choice = st.radio("Area", [SCHEME_AREA, DEMO], horizontal=True, key="access.area")
mode = st.radio("Mode", ["Walk", "Public transport", "Both"], horizontal=True, key="access.mode")
bands = st.multiselect(
    "Isochrone bands (minutes)", [5, 10, 15, 20, 30, 45, 60], default=[5, 10, 15, 20, 30],
    key="access.bands",
)
wants_walk = mode in ("Walk", "Both")
wants_pt = mode in ("Public transport", "Both")
left, right = st.columns(2)
with left:
    if area_choice == SCHEME_AREA:
        kinds = KINDS[st.radio("Destination", list(KINDS), horizontal=True, key="access.to")]
        buffer_km = st.slider("Area around the scheme (km)", 0.5, 10.0, 2.0, 0.5, key="access.buffer")
        osm_choice, feed_choice = cached.uk_data_overrides(settings)
    else:
        kinds = ["healthcare"]
        st.caption("Destinations: hexagons holding at least one healthcare facility.")
bundle = None
if area_choice == DEMO:
    try:
        bundle = cached.demo_bundle(settings)
    except (HiapError, IsochronesError, FeedError) as error:
        st.error(str(error))
        st.stop()
with right:
    if wants_pt:
        # why: the DfT JTS morning window by default; a sample feed's busiest hour otherwise
        first = busiest_hour(bundle.feed) if bundle is not None else dt.time(7, 0)
        date = st.date_input(
            "Date", value=default_date(bundle.feed) if bundle is not None else None, key="access.date"
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
bands_min = tuple(float(b) for b in sorted(bands))


def show_indicators(rows: dict[str, pd.DataFrame]) -> None:
    """Show one indicator table row per labelled summary."""
    table = pd.concat([frame.iloc[[0]].assign(Area=label) for label, frame in rows.items()])
    shown = table.set_index("Area")[[c for c in INDICATOR_COLUMNS if c in table.columns]]
    st.dataframe(
        shown.rename(columns=INDICATOR_COLUMNS).style.format(
            {"Population": "{:,.0f}", "Share within 15 min": "{:.0%}", "Share within 30 min": "{:.0%}"},
            precision=1,
        ),
        width="stretch",
    )


def offer_downloads(layers: dict[str, gpd.GeoDataFrame], times: gpd.GeoDataFrame, stem: str) -> None:
    """Download buttons: every layer as GeoPackage, the per-origin times as CSV."""
    one, two = st.columns(2)
    one.download_button(
        "Download isochrones and times (GeoPackage)", to_geopackage_bytes(layers),
        file_name=f"{stem}.gpkg", mime="application/geopackage+sqlite3", key=f"gpkg-{stem}",
    )
    two.download_button(
        "Download per-origin times (CSV)", to_csv_bytes(times), file_name=f"{stem}.csv",
        mime="text/csv", key=f"csv-{stem}",
    )


def show_gp_capacity(scheme: Scheme, gps: gpd.GeoDataFrame, attribution_lines: list[str]) -> None:
    """The GP capacity (2SFCA) section: map of the LSOAs and the scheme's homes, and a table."""
    st.subheader("GP capacity (2SFCA)")
    residents = float(scheme.new_residents or 0.0)
    with heavy_job("measuring GP capacity"), st.status("GP practices per resident within a 30-minute walk (2SFCA)…") as status:
        try:
            capacity = cached.gp_capacity_cached(
                settings, str(settings.data_dir), area_wkb, str(osm), osm_digest, residents,
                CAPACITY_CATCHMENT_MIN, buffer_km * 1000.0,
            )
        except (HiapError, IsochronesError) as error:
            status.update(label="No GP capacity result", state="error")
            st.warning(str(error))
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
    score_label = (
        "Registered list places per 1,000 residents" if listed else "GP practices per 1,000 residents"
    )
    areas = capacity.areas[capacity.areas["complete"]]
    st_folium(
        capacity_map(
            areas, score_col=f"access_{score}", homes=capacity.homes, gps=gps, scheme=scheme,
            layer_label=f"{score_label} (2SFCA, {choice})",
            catchment_min=CAPACITY_CATCHMENT_MIN,
            attribution_lines=[*attribution_lines, "ONS mid-2020 LSOA population (OGL v3.0)"],
        ),
        height=480, use_container_width=True, returned_objects=[], key="capacity-map",
    )
    table = gp_capacity_table(capacity, score=score, scheme_label=f"Scheme ({residents:,.0f} new residents)")
    st.dataframe(
        table.rename(columns={"population": "Residents", "per_1000": score_label})
        .style.format({"Residents": "{:,.0f}", score_label: "{:,.0f}" if listed else "{:.3f}"}),
        width="stretch",
    )
    st.caption(
        f"{capacity.practices} practices within a {CAPACITY_CATCHMENT_MIN:.0f}-minute walk of the homes; "
        f"{capacity.dropped_population:,.0f} residents at LSOA centroids off the walk network left out. "
        "Areas are the LSOAs within the area around the scheme, population-weighted."
    )


def pt_date(feed: object) -> dt.date:
    """The chosen date, or a Tuesday the feed runs on."""
    return date if date is not None else default_date(feed)  # type: ignore[arg-type]


# ---------------------------------------------------------------- around a UK scheme
if area_choice == SCHEME_AREA:
    scheme = require_scheme()
    if scheme.boundary is None or scheme.boundary.empty:
        if scheme.lines is not None and not scheme.lines.empty:
            # why: a transport scheme is a route; its access effect is tested on the bus page
            st.info("This transport scheme is a route: test what it does for access to GPs and "
                    "hospitals on the Buses and health page.", icon=":material/route:")
            st.page_link("pages/buses.py", label="Test this route (Buses and health)",
                         icon=":material/airport_shuttle:")
        else:
            st.warning("This scheme has no boundary polygon; access is measured from a boundary.")
        st.stop()
    boundary = scheme.boundary.to_crs(27700)
    area = shapely.make_valid(shapely.union_all(boundary.geometry.to_numpy()))
    try:
        osm = osm_choice if osm_choice is not None else find_osm_extract(settings, area=area)
    except HiapError as error:
        st.error(f"{error} The walk network comes from OpenStreetMap: `hiap data download osm`.")
        st.stop()
    osm_digest = cached.digest(osm)
    area_wkb = shapely.to_wkb(area)
    stops = None
    transit_area: TransitArea | None = None
    if wants_pt:
        try:
            transit_area = scheme_transit_area(
                settings, boundary, osm_path=osm, buffer_km=buffer_km, feeds=feed_choice
            )
        except HiapError as error:
            st.warning(f"Public transport: {error}")
            st.caption("Try the Porto Alegre demo above to see the public-transport analysis at work.")
    if wants_walk:
        results = {}
        for kind in kinds:
            with heavy_job("routing"), st.status(f"Walking access to the nearest {KIND_LABEL[kind]}…", expanded=False) as status:
                try:
                    results[kind] = cached.walk_access_cached(
                        settings, str(settings.data_dir), area_wkb, kind, bands_min, buffer_km,
                        str(osm), osm_digest,
                    )
                except (HiapError, IsochronesError) as error:
                    status.update(label=f"No walking result for {KIND_LABEL[kind]}s", state="error")
                    st.warning(str(error))
                    continue
                status.update(label=f"Walking access to the nearest {KIND_LABEL[kind]}: done", state="complete")
        if not results:
            st.stop()
        shown_kind = st.radio(
            "Isochrones on the map", list(results), format_func=lambda k: KIND_LABEL[k] + "s",
            horizontal=True, key="access.shown",
        ) if len(results) > 1 else next(iter(results))
        result = results[shown_kind]
        st.caption(f"Walk network: {result.osm_path.name}, {len(result.origins)} LSOAs on it.")
        fmap = access_map(
            isochrones=result.isochrones, isochrone_label=f"Walking time to a {KIND_LABEL[shown_kind]}",
            origins=result.origins, origin_label="LSOAs by walking time", bands_min=bands_min,
            destinations={k: r.destinations for k, r in results.items()}, stops=stops,
            scheme=scheme, attribution_lines=result.attribution,
        )
        st_folium(fmap, height=520, use_container_width=True, returned_objects=[], key="access-map")

        st.subheader("Indicators")
        network = cached.area_walk_network(settings, str(osm), osm_digest, area_wkb, buffer_km)
        residents = scheme.new_residents or 0.0
        for kind, res in results.items():
            homes, scheme_row = cached.scheme_access_cached(
                network, f"{osm_digest}:{buffer_km}", boundary, res.destinations,
                f"{area_wkb.hex()}:{kind}", float(residents),
            )
            combined = pd.concat(
                [res.origins[["time_min", "population", *[c for c in res.origins if c.startswith("reachable_")]]],
                 homes[["time_min", "population", *[c for c in homes if c.startswith("reachable_")]]]],
                ignore_index=True,
            )
            st.markdown(f"**Walking to the nearest {KIND_LABEL[kind]}**")
            show_indicators({
                f"Scheme ({residents:,.0f} new residents)": scheme_row,
                "Surrounding area (LSOAs on the network)": res.overall,
                "Surrounding area with the scheme's residents": summarise_access(combined),
            })
            by_district = res.by_district.reset_index()
            st.caption(
                "By district: " + "; ".join(
                    f"{r.lad_name}: {r.pop_weighted_mean_time_min:.1f} min over {r.origins:.0f} LSOAs"
                    for r in by_district.itertuples()
                )
            )
        st.subheader("Equity: walking time by deprivation")
        table = times_by_imd_decile(result.origins)
        covered = int((table["origins"] > 0).sum())
        st.plotly_chart(
            equity_chart(table, title=f"Walking time to the nearest {KIND_LABEL[shown_kind]} by IMD decile",
                         mode_label="Walking time"),
            width="stretch",
        )
        st.info(
            f"The network ({result.osm_path.name}) covers {len(result.origins)} LSOAs in "
            f"{covered} of 10 IMD deciles; grey deciles have no LSOA on it. To compare whole "
            "districts, use a county extract: `hiap data download osm`."
        )
        offer_downloads(
            {"isochrones": result.isochrones, "origins": result.origins,
             "destinations": result.destinations, "scheme_homes": homes},
            result.origins, f"walk_{shown_kind}",
        )
        if "gp" in results:
            show_gp_capacity(scheme, results["gp"].destinations, result.attribution)
    if wants_pt and transit_area is not None:
        st.subheader("Public transport")
        st.info("A feed covers the scheme: " + ", ".join(p.name for p in transit_area.feed_paths))
        try:
            feed = cached.feed_resource(
                tuple(str(p) for p in transit_area.feed_paths),
                tuple(cached.digest(p) for p in transit_area.feed_paths),
            )
            network = cached.area_walk_network(settings, str(osm), osm_digest, area_wkb, buffer_km)
            day = pt_date(feed)
            with heavy_job("preparing the timetable"), st.status("Preparing the timetable…"):
                tn = cached.transit_network_resource(feed, str(transit_area.feed_paths), network, osm_digest, day)
            for kind in kinds:
                dest = transit_area.destinations[kind]
                times = cached.transit_times_cached(
                    tn, f"{transit_area.feed_paths}:{osm_digest}:{day}", transit_area.origins, dest,
                    f"{area_wkb.hex()}:{kind}", (start, end), float(step),
                )
                origins = transit_area.origins.join(times)
                st.markdown(f"**By public transport to the nearest {KIND_LABEL[kind]}** ({day:%A %d %B %Y})")
                show_indicators({"Surrounding area": summarise_access(origins)})
                st_folium(
                    access_map(origins=origins, isochrone_label="Public transport time",
                               bands_min=bands_min, destinations={kind: dest},
                               stops=feed_stops(feed), scheme=scheme,
                               attribution_lines=transit_area.attribution),
                    height=480, use_container_width=True, returned_objects=[], key=f"pt-map-{kind}",
                )
                st.plotly_chart(equity_chart(times_by_imd_decile(origins),
                                             title="Public transport time by IMD decile",
                                             mode_label="Public transport time"), width="stretch")
                offer_downloads({"origins": origins}, origins, f"pt_{kind}")
        except (HiapError, IsochronesError, FeedError) as error:
            st.error(str(error))
    st.caption(" · ".join(attribution.ALL))
    st.stop()

# ---------------------------------------------------------------- Porto Alegre demo
st.info(
    "No Cambridgeshire timetable (GTFS) is available offline here, so public transport is shown "
    "on r5r's Porto Alegre sample: origins are H3 hexagons with residents, destinations the "
    f"hexagons with a healthcare facility. For Cambridgeshire: {GET_GTFS}"
)
feeds_found = find_feeds(settings)
if bundle is None:
    st.stop()
demo, network, osm_digest = bundle.area, bundle.network, bundle.network_key
dest = demo.destinations["healthcare"]
origins = demo.origins
layers: dict[str, gpd.GeoDataFrame] = {}
iso = None
summaries: dict[str, pd.DataFrame] = {}
if wants_walk:
    walk = cached.walk_times_cached(network, osm_digest, origins, dest, "poa-healthcare")
    origins = origins.join(walk[["time_min"]].rename(columns={"time_min": "walk_min"}))
    iso = cached.walk_isochrones_cached(network, osm_digest, dest, "poa-healthcare", bands_min)
    layers["walk_isochrones"] = iso
    summaries["Walking"] = summarise_access(origins, time_col="walk_min")
stops = None
if wants_pt:
    feed = bundle.feed
    day = pt_date(feed)
    with heavy_job("preparing the timetable"), st.status(f"Preparing the timetable for {day:%A %d %B %Y}…") as status:
        tn = cached.transit_network_resource(feed, bundle.feed_key, network, osm_digest, day)
        status.update(label=f"Timetable for {day:%A %d %B %Y}: {tn.timetable.n_patterns:,} patterns",
                      state="complete")
    departures = int((dt.datetime.combine(day, end) - dt.datetime.combine(day, start)).seconds // 60 // step) + 1
    with heavy_job("routing"), st.status(f"Routing {len(demo.origins):,} origins × {departures} departures by public transport…") as status:
        pt = cached.transit_times_cached(
            tn, f"{bundle.feed_key}:{osm_digest}:{day}", demo.origins, dest, "healthcare",
            (start, end), float(step),
        )
        status.update(label="Public-transport routing: done", state="complete")
    origins = origins.join(pt.rename(columns={"time_min": "pt_min"}))
    summaries["Public transport"] = summarise_access(origins, time_col="pt_min")
    stops = feed_stops(feed)
time_col = "pt_min" if wants_pt else "walk_min"
mode_label = "Public transport time" if wants_pt else "Walking time"
st.subheader(f"{demo.name}: {len(origins):,} populated hexagons, {len(dest)} with healthcare")
st_folium(
    access_map(
        isochrones=iso,
        isochrone_label="Time (walk bands, public-transport hexagons)" if wants_walk and wants_pt else mode_label,
        origins=origins, origin_time_col=time_col, origin_label=f"Hexagons by {mode_label.lower()}",
        bands_min=bands_min, destinations={"healthcare": dest}, stops=stops,
        attribution_lines=demo.attribution,
    ),
    height=540, use_container_width=True, returned_objects=[], key="demo-map",
)
st.subheader("Indicators")
show_indicators(summaries)
st.caption("IMD deciles exist for England only, so the demo has no equity chart by deprivation.")
layers["origins"] = origins
layers["destinations"] = dest
offer_downloads(layers, origins, "porto_alegre_access")
st.caption(" · ".join(demo.attribution) + f" · GTFS feeds in the data directory: {len(feeds_found)}")
