"""The whole assessment on a made-up neighbourhood whose answers are worked out by hand.

A 7 x 7 street grid with 90 m blocks is written as an OSM file together with a park, a
school, two takeaways, a supermarket, a playground and a bus stop; the scheme is the
180 m x 180 m square holding the four grid nodes (4,1), (5,1), (4,2) and (5,2), which
become its home points. Distances are counted in blocks of 90 m, so every one is at least
10 m from any threshold and rounding in the projection cannot flip an answer.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from hiap.indicators import assess_indicators
from hiap.indicators.results import INDICATOR_IDS
from hiap.schemes.models import Scheme, SchemeMetadata
from hiap.settings import get_settings
from isochrones.gtfs import load_feed
from tests.isochrones.gtfs.tiny import one_route, write_feed

from .conftest import TO_LL, OsmWriter

STEP = 90.0
X0, Y0 = 499_950.0, 299_970.0  # multiples of 90, so home points fall on grid nodes
N = 7


def _xy(i: float, j: float) -> tuple[float, float]:
    return X0 + i * STEP, Y0 + j * STEP


def _write_osm(path: Path) -> Path:
    osm = OsmWriter()
    grid = {(i, j): osm.node(*_xy(i, j)) for i in range(N) for j in range(N)}
    wid = 1000
    for j in range(N):  # rows; row 1 has pavements tagged
        tags = {"highway": "residential"} | ({"sidewalk": "both"} if j == 1 else {})
        osm.way(wid := wid + 1, [grid[(i, j)] for i in range(N)], tags)
    for i in range(N):
        osm.way(wid := wid + 1, [grid[(i, j)] for j in range(N)], {"highway": "residential"})
    x6, y1 = _xy(6, 1)
    # 2.5 ha park 10 m east of node (6,1): its only street node within 20 m.
    osm.area(wid := wid + 1, (x6 + 10, y1 - 50, x6 + 260, y1 + 50), {"leisure": "park"})
    # Left out on purpose: a private garden, amenity grass and a wood without public access.
    osm.area(wid := wid + 1, (X0 + 100, Y0 - 400, X0 + 400, Y0 - 100), {"leisure": "park", "access": "private"})
    osm.area(wid := wid + 1, (X0 - 400, Y0, X0 - 100, Y0 + 300), {"landuse": "grass"})
    osm.area(wid := wid + 1, (X0 - 400, Y0 + 400, X0 - 100, Y0 + 700), {"natural": "wood"})
    osm.node(*_xy(3, 3), {"amenity": "school", "name": "Grid Primary School"})
    osm.node(*_xy(3, 5), {"amenity": "fast_food", "name": "Near chips"})
    osm.node(*_xy(6, 5), {"amenity": "fast_food", "name": "Far chips"})
    osm.node(*_xy(0, 5), {"shop": "supermarket"})
    osm.node(*_xy(4, 5), {"leisure": "playground"})
    osm.node(*_xy(2, 0), {"highway": "bus_stop"})
    return osm.write(path)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("synthetic")
    (tmp / "data").mkdir()
    settings = get_settings(
        environ={"HIAP_DATA_DIR": str(tmp / "data"), "HIAP_CACHE_DIR": str(tmp / "cache")}
    )
    x0, y0 = _xy(4, 1)
    site = shapely.box(x0 - 45, y0 - 45, x0 + STEP + 45, y0 + STEP + 45)
    scheme = Scheme(
        metadata=SchemeMetadata(name="Grid", dwellings=81, source="test"),
        boundary=gpd.GeoDataFrame(geometry=[site], crs=27700),
    )
    messages: list[str] = []
    osm_path = _write_osm(tmp / "grid.osm")
    rep = assess_indicators(
        scheme,
        settings=settings,
        osm_path=osm_path,
        spacing_m=STEP,
        progress=lambda f, m: messages.append(m),
    )
    assert messages[-1] == "Done"
    (tmp / "feed").mkdir()
    feed = load_feed(_write_feed(tmp / "feed"))
    with_feed = assess_indicators(
        scheme, settings=settings, osm_path=osm_path, spacing_m=STEP, feed=feed
    )
    return rep, site, with_feed


def _write_feed(folder: Path) -> Path:
    """One stop at grid node (5,0) with a bus every 15 minutes, 06:00-21:00 on weekdays."""
    lon, lat = TO_LL.transform(*_xy(5, 0))
    stops = [("S", "Stop", lon, lat), ("E", "End", lon, lat + 0.01)]
    return write_feed(folder, one_route(stops, first_min=6 * 60, headway_min=15, trips=61, ride_min=3))


def test_every_indicator_is_measured_or_explained(report) -> None:
    rep, _, _ = report
    ids = [r.id for r in rep.results] + [u.id for u in rep.unavailable]
    assert sorted(ids) == sorted(INDICATOR_IDS)
    assert rep.points == 4


def test_hand_computed_values(report) -> None:
    rep, site, _ = report
    v = rep.values()
    assert v["dwellings_per_ha"] == pytest.approx(81 / 3.24)
    # Park entry (6,1): homes 90, 180, 180, 270 m away.
    assert v["angst_2ha_300m_share"] == pytest.approx(1.0)
    assert v["gi_local_2ha_300m_share"] == pytest.approx(1.0)
    assert v["gi_doorstep_05ha_200m_share"] == pytest.approx(0.75)
    assert v["gi_neighbourhood_10ha_1km_share"] == 0.0
    assert v["angst_20ha_2km_share"] == 0.0
    # One takeaway 180 m from the school; the other 450 m.
    assert v["takeaways_400m_schools"] == 1
    # Both takeaways within 800 m of every home; the supermarket of three: 2/(1+1) median.
    assert v["fast_food_to_healthy_ratio"] == pytest.approx(1.0)
    assert v["playground_400m_share"] == pytest.approx(0.75)  # (5,1) is 450 m away
    assert v["sports_800m_share"] == 0.0
    assert v["bus_stop_400m_share"] == pytest.approx(0.75)  # (5,2) is 450 m away
    # Food shop (3 homes), primary school, bus stop, park; no pharmacy or GP: median 4.
    assert v["everyday_destinations_800m"] == 4
    # All 45 junctions of three or more streets (the corners have two) lie in the buffer.
    assert v["intersection_density_per_km2"] == pytest.approx(45 / (site.buffer(400).area / 1e6))
    # Streets within 100 m of the site (x 315-495 m, y 45-225 m from the grid origin): rows
    # y = 90, 180 and columns x = 360, 450 run 215-540 m; rows y = 0, 270 and columns x = 270,
    # 540 pass 45 m beyond the site, where the buffer's rounded corner reaches sqrt(100² - 45²)
    # further. Only row 1 (y = 90) has pavements tagged.
    reach = (100**2 - 45**2) ** 0.5
    outer, inner = 540 - (315 - reach), 540 - 215
    assert v["footway_share"] == pytest.approx(inner / (4 * outer + 4 * inner), rel=2e-3)


def test_missing_data_is_explained(report) -> None:
    rep, _, _ = report
    reasons = {u.id: u.reason for u in rep.unavailable}
    assert "hiap data download gtfs" in reasons["bus_frequency_per_hour"]
    assert "hiap data download gtfs" in reasons["gp_pt_min"]
    assert "not found" in reasons["gp_walk_min"]
    assert "not found" in reasons["gp_capacity_2sfca"]


def test_results_carry_method_source_and_attribution(report) -> None:
    rep, _, _ = report
    for r in rep.results:
        assert r.method and r.source
        if r.id != "dwellings_per_ha":
            assert "OpenStreetMap" in r.source
    assert "edits up to 2024-05-01" in rep.sources[0]
    frame = rep.to_frame()
    assert len(frame) == len(INDICATOR_IDS)


def test_with_a_feed(report) -> None:
    rep, _, with_feed = report
    # Every home is within 270 m of the stop, which has 4 departures an hour.
    assert with_feed.values()["bus_frequency_per_hour"] == pytest.approx(4.0)
    reasons = {u.id: u.reason for u in with_feed.unavailable}
    assert "could be loaded" in reasons["gp_pt_min"]  # no GP data in this data directory
    same = {k: v for k, v in with_feed.values().items() if k != "bus_frequency_per_hour"}
    assert same == rep.values()


def test_names_units_directions_follow_the_catalogue(report) -> None:
    from hiap.checklists import load_indicators

    catalogue = load_indicators()
    rep, _, _ = report
    for r in rep.results:
        ind = catalogue.get(r.id)
        assert ind is not None, r.id
        assert r.unit == ind.unit
        assert r.higher_is_better == (ind.direction == "higher_is_better")
        if ind.minimum is not None:
            assert r.value >= ind.minimum
        if ind.maximum is not None:
            assert r.value <= ind.maximum


def test_hospital_means_acute_with_type_1_ae_not_a_nearer_private_clinic(tmp_path: Path) -> None:
    # As `hiap access walk`: "hospital" means acute with a type 1 A&E (hiap's classification,
    # by ODS code). A private hospital (Nuffield's code) at node (4,0) is 90-270 m from the
    # homes; the acute one (Hinchingbrooke's code) at (0,6) at least 810 m: it is the one used.
    data = tmp_path / "data"
    (data / "health").mkdir(parents=True)
    rows = ["OrganisationCode,OrganisationName,Sector,Postcode,Latitude,Longitude"]
    for code, name, sector, ij in (
        ("NT209", "Grid Clinic", "Independent Sector", (4, 0)),
        ("RGN90", "Grid General", "Independent Sector", (0, 6)),
    ):
        lon, lat = TO_LL.transform(*_xy(*ij))
        rows.append(f"{code},{name},{sector},PE1 1AA,{lat},{lon}")
    (data / "health" / "hospitals_test_CB_PE.csv").write_text("\n".join(rows) + "\n")
    settings = get_settings(
        environ={"HIAP_DATA_DIR": str(data), "HIAP_CACHE_DIR": str(tmp_path / "cache")}
    )
    x0, y0 = _xy(4, 1)
    scheme = Scheme(
        metadata=SchemeMetadata(name="Grid", dwellings=81, source="test"),
        boundary=gpd.GeoDataFrame(
            geometry=[shapely.box(x0 - 45, y0 - 45, x0 + STEP + 45, y0 + STEP + 45)], crs=27700
        ),
    )
    rep = assess_indicators(
        scheme, settings=settings, osm_path=_write_osm(tmp_path / "grid.osm"), spacing_m=STEP
    )
    hospital = next(r for r in rep.results if r.id == "hospital_walk_min")
    # not the clinic's 90-270 m: the acute hospital is at least 810 m (10.1 min) away
    assert hospital.value > 800 / 80
    assert hospital.details["hospitals_counted"] == 1
    assert any("type 1 A&E" in note for note in hospital.notes)
    assert "type 1 A&E" in hospital.method


def test_homes_off_every_street_are_left_out_of_the_walk_indicators(tmp_path: Path) -> None:
    # The site reaches 765 m east of the grid's last street (column 6): its home points more
    # than 500 m from it (the three eastmost columns, two rows) are left out by the engine's
    # one rule and weigh nothing in the median; the others are timed as usual.
    import numpy as np

    from hiap.indicators.homes import weighted_quantile
    from hiap.indicators.run import assess_at_homes

    data = tmp_path / "data"
    (data / "health").mkdir(parents=True)
    lon, lat = TO_LL.transform(*_xy(0, 6))
    (data / "health" / "hospitals_test_CB_PE.csv").write_text(
        "OrganisationCode,OrganisationName,Sector,Postcode,Latitude,Longitude\n"
        f"RGN90,Grid General,Independent Sector,PE1 1AA,{lat},{lon}\n"
    )
    settings = get_settings(
        environ={"HIAP_DATA_DIR": str(data), "HIAP_CACHE_DIR": str(tmp_path / "cache")}
    )
    x4, y1 = _xy(4, 1)
    x6, _ = _xy(6, 1)
    scheme = Scheme(
        metadata=SchemeMetadata(name="Grid east", dwellings=81, source="test"),
        boundary=gpd.GeoDataFrame(
            geometry=[shapely.box(x4 - 45, y1 - 45, x6 + 8 * STEP + 45, y1 + STEP + 45)], crs=27700
        ),
    )
    rep, homes = assess_at_homes(
        scheme, settings=settings, osm_path=_write_osm(tmp_path / "grid.osm"), spacing_m=STEP
    )
    minutes = homes["hospital_walk_min"].to_numpy(float)
    beyond = (homes.geometry.x - x6).to_numpy() > 500
    assert beyond.sum() == 6
    assert np.isnan(minutes[beyond]).all() and np.isfinite(minutes[~beyond]).all()
    hospital = rep.get("hospital_walk_min")
    assert hospital is not None
    kept = homes["weight"].to_numpy(float) * ~beyond
    assert hospital.value == pytest.approx(weighted_quantile(minutes[~beyond], kept[~beyond], 0.5), abs=1e-3)
    assert any("6 of the scheme's 22 home points" in note for note in hospital.notes)
