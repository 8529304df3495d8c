"""The assessment of a real scheme: Hampton (Peterborough), ActDev site boundary, OSM 2012."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.indicators import IndicatorReport, assess_indicators
from hiap.indicators.run import NETWORK_MARGIN_M
from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from isochrones.network import WalkNetwork, build_walk_graph

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[IndicatorReport, IndicatorReport]:
    cache = tmp_path_factory.mktemp("cache")
    settings = get_settings(environ={"HIAP_CACHE_DIR": str(cache)})
    scheme = load_sample_scheme("actdev-hampton", settings)
    cold = assess_indicators(scheme, settings=settings)
    warm = assess_indicators(scheme, settings=settings)  # from the caches
    return cold, warm


def test_values_are_plausible(runs: tuple[IndicatorReport, IndicatorReport]) -> None:
    rep, _ = runs
    v = rep.values()
    assert v["dwellings_per_ha"] == pytest.approx(6900 / 235.76, rel=1e-3)
    # Suburban UK street networks: about 50-150 junctions per km² (walk networks with paths).
    assert 40 <= v["intersection_density_per_km2"] <= 250
    # The NHS list has practices in and around Hampton; a walk of minutes, not hours.
    assert 3 <= v["gp_walk_min"] <= 30
    # Same conventions as `hiap access walk`: edge snapping, 4.8 km/h, said in the method.
    gp = next(r for r in rep.results if r.id == "gp_walk_min")
    assert "nearest street edge" in gp.method and "4.8 km/h" in gp.method
    assert v["gp_count_30min_walk"] >= 1
    assert 0 <= v["everyday_destinations_800m"] <= 6
    for r in rep.results:
        if r.unit == "share":
            assert 0.0 <= r.value <= 1.0, r.id
    # The 2012 extract maps a 73 ha park and a 15 ha nature reserve by the site: most homes
    # reach 10 ha within 1 km.
    assert v["gi_neighbourhood_10ha_1km_share"] >= 0.5
    # "about 1 GP practice per N people"; registered list places per 1,000 residents (NHS
    # Digital list sizes) in the details, read as a list pressure of 1000 / value in the notes
    gp_capacity = rep.get("gp_capacity_2sfca")
    assert gp_capacity is not None and gp_capacity.unit == "people per practice"
    assert 1_000 < v["gp_capacity_2sfca"] < 100_000
    assert 100 < gp_capacity.details["list_places_per_1000"] < 3000
    assert gp_capacity.details["list_pressure"] == pytest.approx(
        1000 / gp_capacity.details["list_places_per_1000"], rel=1e-3
    )
    assert rep.points > 300


def test_missing_timetable_is_explained(runs: tuple[IndicatorReport, IndicatorReport]) -> None:
    rep, _ = runs
    reasons = {u.id: u.reason for u in rep.unavailable}
    for ind in ("gp_pt_min", "hospital_pt_min", "bus_frequency_per_hour"):
        assert "hiap data download gtfs" in reasons[ind]


def test_results_are_stable(runs: tuple[IndicatorReport, IndicatorReport]) -> None:
    cold, warm = runs
    assert cold.values() == warm.values()
    assert [u.id for u in cold.unavailable] == [u.id for u in warm.unavailable]


def test_a_shared_network_gives_the_same(
    runs: tuple[IndicatorReport, IndicatorReport], tmp_path: Path
) -> None:
    cold, _ = runs
    settings = get_settings(environ={"HIAP_CACHE_DIR": str(tmp_path)})
    scheme = load_sample_scheme("actdev-hampton", settings)
    graph = build_walk_graph(
        settings.data_dir / "osm" / "peterborough_hampton_2012.osm",
        area=scheme.footprint,
        margin_m=NETWORK_MARGIN_M,
    )
    network = WalkNetwork.from_graph(graph)  # as the app shares it: street counts recounted
    shared = assess_indicators(scheme, settings=settings, network=network)
    assert shared.values() == cold.values()


def test_sources_are_attributed(runs: tuple[IndicatorReport, IndicatorReport]) -> None:
    rep, _ = runs
    text = " ".join(rep.sources)
    assert "© OpenStreetMap contributors, ODbL 1.0" in text
    assert "Open Government Licence v3.0" in text
    assert Path(get_settings().data_dir / "osm" / "peterborough_hampton_2012.osm").name in text
