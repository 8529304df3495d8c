"""Transport scenario: add a bus route or change a frequency, compare with the baseline."""

import datetime as dt

import geopandas as gpd
import pandas as pd
import streamlit as st

from hiap import attribution
from hiap.access import AccessOptions
from hiap.access.feeds import GET_GTFS, busiest_hour, default_date, feed_stops, find_gtfs_feeds
from hiap.equity import newly_within
from hiap.errors import HiapError
from hiap.exports import to_csv_bytes
from hiap.reports.evidence import ScenarioResult
from hiap.reports.scenario_file import scenario_result_csv
from hiap.scenario_inputs import (
    new_route,
    parse_scenario,
    route_from_drawings,
    route_from_file,
    scenario_layers,
    scenario_text,
)
from hiap.ui import cache
from hiap.ui.access import uk_data_overrides
from hiap.ui.jobs import heavy_job
from hiap.ui.maps import st_folium
from hiap.ui.route_scheme import route_scheme_panel
from hiap.ui.scenario import DESTINATIONS, keep_scenario_result
from hiap.ui.settings import app_settings
from hiap.ui.state import current_scheme, require_scheme
from hiap.ui.text import plain
from hiap.viz.access_maps import access_map, difference_map, draw_map
from isochrones.errors import IsochronesError
from isochrones.gtfs.errors import FeedError, ScenarioError
from isochrones.prioritise import route_service
from isochrones.scenarios import ChangeFrequency, Scenario

settings = app_settings()
DEMO = "Porto Alegre demo (public-transport sample)"
SCHEME_AREA = "Around the current scheme"
HOW = ["Draw a new route", "Upload a route file", "Change a route's frequency", "Load a saved scenario"]

st.title("Transport scenario")
st.caption(
    "Test a bus change before it is made: add a route (drawn on the map or uploaded) with its "
    "headway and hours, or run an existing route more often; then compare public-transport "
    "times to healthcare with the baseline timetable."
)

# why: around the scheme when one is chosen; the demo otherwise (no UK feed offline here)
area_choice = st.radio(
    "Area", [SCHEME_AREA, DEMO], index=0 if current_scheme() is not None else 1, horizontal=True,
    key="scenario.area",
)
BUFFER_KM = 5.0  # why: a bus trip to a GP may start well beyond the scheme
scheme = None
try:
    if area_choice == DEMO:
        demo = cache.demo_area(settings)
        osm_path, feed_paths = demo.osm_path, list(demo.feed_paths)
        origins_in, destinations_in, kind = demo.origins, demo.destinations, "healthcare"
        area_wgs84, area_attribution = demo.area_wgs84, list(demo.attribution)
    else:
        scheme = require_scheme()
        if scheme.boundary is None or scheme.boundary.empty:
            if scheme.lines is not None and not scheme.lines.empty:
                # why: a transport scheme is a route, tested against Cambridgeshire's own buses
                route_scheme_panel(settings, scheme, key="scenario.route")
            else:
                st.warning("This scheme has no boundary polygon; choose the Porto Alegre demo.")
            st.stop()
        osm_path, feed_choice = uk_data_overrides(settings)
        site = scheme.boundary.to_crs(27700).union_all().buffer(BUFFER_KM * 1000.0)
        site_ll = gpd.GeoSeries([site], crs=27700).to_crs(4326).iloc[0]
        feed_paths = feed_choice if feed_choice is not None else find_gtfs_feeds(settings, area=site_ll)
        origins_in = destinations_in = None
        kind = "gp"
        area_wgs84 = tuple(float(v) for v in site_ll.bounds)
        area_attribution = [attribution.OSM]
    feed = cache.CachedResources(settings).feed(feed_paths)
except (HiapError, IsochronesError, FeedError) as error:
    st.warning(plain(error))
    st.caption(f"The Porto Alegre demo shows the scenario tools at work. {GET_GTFS}")
    st.stop()
stops = feed_stops(feed)

how = st.radio("How to describe the scenario", HOW, horizontal=True, key="scenario.how")
scenario: Scenario | None = None
if how in HOW[:2]:
    one, two, three = st.columns(3)
    name = one.text_input("Route name", "New bus route", key="scenario.name")
    headway = two.number_input("Headway (minutes)", 2.0, 120.0, 10.0, 1.0, key="scenario.headway")
    speed = three.number_input("Average speed (km/h)", 5.0, 60.0, 18.0, 1.0, key="scenario.speed")
    first = one.time_input("First departure", dt.time(6, 0), key="scenario.first")
    last = two.time_input("Last departure", dt.time(22, 0), key="scenario.last")
    spacing = three.number_input("Stop spacing (m)", 150.0, 2000.0, 400.0, 50.0, key="scenario.spacing")
    line: list[tuple[float, float]] | None = None
    points: list[tuple[float, float]] = []
    if how == HOW[0]:
        st.caption("Draw the route with the line tool (double-click to finish); markers add stops.")
        drawn = st_folium(
            draw_map(area_wgs84, stops=stops), height=480, use_container_width=True,
            returned_objects=["all_drawings"], key="scenario-draw",
        )
        line, points = route_from_drawings((drawn or {}).get("all_drawings"))
    else:
        upload = st.file_uploader(
            "Route file (a line, optional stop points)", type=["geojson", "json", "gpkg", "kml"],
            key="scenario.route_file",
        )
        if upload is not None:
            try:
                line, points = route_from_file(upload.getvalue(), upload.name)
            except HiapError as error:
                st.error(plain(error))
    if line is not None:
        try:
            edit = new_route(
                line, stops=points, name=name, headway_min=headway, start=first, end=last,
                speed_kph=speed, stop_spacing_m=spacing,
            )
            scenario = Scenario(name=name, edits=[edit])
        except ValueError as error:
            st.error(f"The route is not usable: {plain(error)}")
    else:
        st.info("No route yet: draw a line on the map or upload a file.")
elif how == HOW[2]:
    routes = feed.routes.assign(
        label=feed.routes["route_short_name"].fillna("") + " " + feed.routes["route_long_name"].fillna("")
    ).sort_values("label")
    labels = dict(zip(routes["route_id"], routes["label"].str.strip(), strict=True))
    route_id = st.selectbox("Route", list(labels), format_func=lambda r: f"{labels[r]} ({r})",
                            key="scenario.route")
    service = route_service(feed, default_date(feed)).set_index("route_id")
    now = service.loc[route_id] if route_id in service.index else None
    if now is None:
        st.caption(f"Route {labels[route_id]} runs no trip on {default_date(feed)}.")
    else:
        every = "no regular headway" if pd.isna(now["headway_min"]) else (
            f"every {now['headway_min']:.0f} min (median, 07:00-19:00)")
        st.caption(f"Now, on {default_date(feed)}: {now['trips']} trip(s), first {now['first_departure']}, "
                   f"last {now['last_departure']}, {every}.")
    headway = st.number_input("New headway (minutes)", 2.0, 120.0, 5.0, 1.0, key="scenario.new_headway")
    span: tuple[dt.time | None, dt.time | None] = (None, None)
    if now is not None and (now["trips"] < 2 or now["first_departure"] == now["last_departure"]):
        # why: a frequency change keeps each pattern's own span; one trip has none to fill
        st.info(f"This route runs only at {now['first_departure']}: a new headway over its own "
                "span adds no trip, so the result would show no change. Give the hours it should "
                "run at the new headway.", icon=":material/schedule:")
        a, b = st.columns(2)
        span = (a.time_input("Run from", busiest_hour(feed), key="scenario.freq_start"),
                b.time_input("Run until", dt.time(min(busiest_hour(feed).hour + 2, 23), 0),
                             key="scenario.freq_end"))
    scenario = Scenario(
        name=f"{labels[route_id]} every {headway:g} min",
        edits=[ChangeFrequency(route_id=route_id, headway_min=headway, start=span[0], end=span[1])],
    )
else:
    upload = st.file_uploader("Scenario file", type=["json", "yaml", "yml"], key="scenario.file")
    if upload is not None:
        try:
            scenario = parse_scenario(upload.getvalue(), upload.name)
        except ScenarioError as error:
            st.error(plain(error))

if scenario is None:
    st.stop()
st.markdown(f"**Scenario:** {plain(scenario.name)} ({len(scenario.edits)} edit(s))")
save_json, save_yaml = st.columns(2)
save_json.download_button("Save scenario (JSON)", scenario_text(scenario, "json"),
                          file_name="scenario.json", mime="application/json", key="scenario.save_json")
save_yaml.download_button("Save scenario (YAML)", scenario_text(scenario, "yaml"),
                          file_name="scenario.yaml", mime="application/yaml", key="scenario.save_yaml")

one, two, three, four = st.columns(4)
date = one.date_input("Date", default_date(feed), key="scenario.date")
first_hour = busiest_hour(feed)  # why: sample feeds may run only part of the day
start = two.time_input("Departures from", first_hour, key="scenario.start")
end = three.time_input("Departures until", dt.time(min(first_hour.hour + 1, 23), 0), key="scenario.end")
step = four.select_slider("Minutes between departures", [1, 2, 5, 10, 15], 5, key="scenario.step")
threshold = st.slider("Threshold for 'within' (minutes)", 10, 60, 30, 5, key="scenario.threshold")

if st.button("Run baseline and scenario", type="primary", key="scenario.run"):
    st.session_state["scenario.ran"] = scenario.model_dump_json()
if st.session_state.get("scenario.ran") != scenario.model_dump_json():
    st.stop()

options = AccessOptions(
    mode="transit", to=kind if kind != "healthcare" else "healthcare facility",
    buffer_km=BUFFER_KM, level="lsoa", date=date, window=(start, end), step_min=float(step),
)
try:
    with heavy_job("routing"), st.spinner("Routing the baseline and the scenario over the window…"):
        run = cache.access_result(
            settings, options, scheme=scheme.boundary if scheme is not None else None,
            area_label=scheme.name if scheme is not None else "Porto Alegre (demo)",
            osm_path=osm_path, feeds=feed_paths, origins=origins_in, destinations=destinations_in,
            scenario=scenario,
        )
except (HiapError, IsochronesError, FeedError, ScenarioError) as error:
    st.error(plain(error))
    st.stop()
for warning in run.warnings:
    st.warning(plain(warning))
with st.expander("How this was measured (parameters and data)"):
    st.table(pd.DataFrame({"Value": run.parameters}))
destinations = run.destinations
origins = run.origins.copy()
origins["base_min"] = origins["transit_min"]
origins["scenario_min"] = run.origins["scenario_min"]
origins["change_min"] = run.origins["change_min"]
lines, new_stops = scenario_layers(scenario, feed)

st.subheader("What changed")
groups = origins["imd_decile"] if "imd_decile" in origins.columns else None
table = newly_within(origins["base_min"], origins["scenario_min"], origins["population"],
                     groups=groups, threshold_min=float(threshold))
if groups is None:
    st.caption("IMD deciles exist for England only; the demo area is summarised as a whole.")
else:
    table.index.name = "imd_decile"
report_scheme = scheme.name if scheme is not None else None
result = ScenarioResult(name=scenario.name, table=table, threshold_min=float(threshold),
                        destination=DESTINATIONS.get(kind, f"a {kind}"), mode="public transport")
keep_scenario_result(result, scheme_name=report_scheme)
faster = int((origins["change_min"] < -0.5).sum())
c1, c2, c3 = st.columns(3)
c1.metric(f"Residents newly within {threshold} min", f"{table['newly_within'].sum():,.0f}")
c2.metric("Areas with a faster trip", f"{faster:,}")
# why: max(0.0, ...) so an unchanged result reads "0.0", never "-0.0"
c3.metric("Largest saving (min)", f"{max(0.0, -origins['change_min'].replace(float('-inf'), 0).min()):.1f}")
if faster == 0:
    st.caption("No area is faster: the change adds no departure that beats today's trips in this "
               "window (see the route's current service above).")
st.dataframe(
    table.rename(columns={
        "population": "Population", "within_before": f"Within {threshold} min before",
        "within_after": f"Within {threshold} min after", "newly_within": "Newly within",
        "no_longer_within": "No longer within", "net_change": "Net change",
    }).style.format("{:,.0f}"),
    width="stretch",
)

st.download_button("Download what changed (CSV)", scenario_result_csv(result),
                   file_name="scenario_result.csv", mime="text/csv", key="scenario.result_csv")
st.caption(
    f"Kept for the report of {plain(report_scheme)} (Saved work), or give this file to "
    "`hiap report --scenario-result`." if report_scheme is not None else
    "A demo scenario is not added to an assessment report; run one around a scheme for that."
)

view = st.radio("Maps", ["Difference layer", "Side by side"], horizontal=True, key="scenario.view")
if view == "Difference layer":
    st_folium(
        difference_map(origins, route_lines=lines, route_stops=new_stops, attribution_lines=run.attribution),
        height=520, use_container_width=True, returned_objects=[], key="scenario-diff",
    )
else:
    left, right = st.columns(2)
    for column, col, title in ((left, "base_min", "Baseline"), (right, "scenario_min", "Scenario")):
        with column:
            st.markdown(f"**{title}**")
            st_folium(
                access_map(origins=origins, origin_time_col=col, origin_label=f"{title}: time",
                           isochrone_label="Public transport time", bands_min=(10, 15, 20, 30, 45),
                           destinations={kind: destinations},
                           stops=new_stops, attribution_lines=run.attribution),
                height=460, use_container_width=True, returned_objects=[], key=f"scenario-{col}",
            )
changed = origins[origins["change_min"].abs() > 0.5]
st.download_button("Download per-origin changes (CSV)", to_csv_bytes(
    pd.DataFrame(origins.drop(columns="geometry")) if changed.empty else changed),
    file_name="scenario_changes.csv", mime="text/csv", key="scenario.csv")
st.caption(" · ".join(dict.fromkeys([*area_attribution, *run.attribution])))
