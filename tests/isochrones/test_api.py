"""One runnable example per public name of ``isochrones`` (the package's front page).

Each test reads as the example a user would copy: real Hampton streets for walking, the tiny
hand-made GTFS feed for public transport (its answers are worked out in test_raptor_hand.py).
"""

from __future__ import annotations

import datetime as dt
import doctest
from pathlib import Path

import numpy as np
import pytest

import isochrones
from hiap.settings import get_settings
from tests.isochrones.gtfs.tiny import write_feed

PUBLIC = {
    "build_walk_network",
    "WalkNetwork",
    "nearest_destination",
    "od_matrix",
    "isochrone_polygons",
    "load_feed",
    "build_transit_network",
    "TransitNetwork",
    "window_travel_times",
    "Scenario",
    "apply_scenario",
    "IsochronesError",
}


def test_the_public_names_are_exported_and_documented() -> None:
    assert set(isochrones.__all__) >= PUBLIC
    for name in PUBLIC:
        obj = getattr(isochrones, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
        assert f":{'class' if isinstance(obj, type) else 'func'}:`{name}`" in isochrones.__doc__


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_docstring_examples_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The numpydoc Examples of each public name, run as doctests: the walking ones on a
    # network they build, the public-transport ones on the Porto Alegre train feed, read
    # from the folder it sits in.
    obj = getattr(isochrones, name)
    assert "Examples\n    --------" in (obj.__doc__ or ""), f"{name} has no Examples section"
    monkeypatch.chdir(get_settings().data_dir / "transit" / "porto_alegre")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = doctest.DocTestFinder().find(obj, name, globs={})
    assert sum(len(t.examples) for t in tests) > 0
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {name} failed (output above)"


@pytest.fixture(scope="module")
def hampton(hampton_osm: Path, tmp_path_factory: pytest.TempPathFactory) -> isochrones.WalkNetwork:
    return isochrones.build_walk_network(hampton_osm, cache_dir=tmp_path_factory.mktemp("nets"))


def test_walk_examples(hampton: isochrones.WalkNetwork) -> None:
    # build_walk_network -> WalkNetwork: British National Grid metres, nodes and edges
    assert hampton.n_nodes > 1000 and hampton.crs.to_epsg() == 27700
    mid = np.argmin(np.hypot(hampton.x - np.median(hampton.x), hampton.y - np.median(hampton.y)))
    centre = np.array([[hampton.x[mid], hampton.y[mid]]])  # a street corner
    gp = centre + np.array([[400.0, 0.0]])
    # nearest_destination: seconds from every node to the nearest of the destinations
    surface = isochrones.nearest_destination(hampton, gp, cutoff_min=30)
    seconds, which = surface.for_points(hampton.snap(centre))
    # at least the crow-fly 400 m at 4.8 km/h (80 m a minute), in seconds
    assert which[0] == 0 and 400 / 80 * 60 <= seconds[0] <= 30 * 60
    # od_matrix: door-to-door walking seconds, origins x destinations
    od = isochrones.od_matrix(hampton, centre, np.vstack([gp, centre]))
    assert od.shape == (1, 2) and od[0, 1] == 0 and od[0, 0] == pytest.approx(seconds[0])
    # isochrone_polygons: nested bands, the larger one containing the smaller
    bands = isochrones.isochrone_polygons(hampton, centre, bands_min=[5, 10])
    assert bands["band_min"].tolist() == [5, 10]
    assert bands.geometry.iloc[1].contains(bands.geometry.iloc[0].buffer(-1))


def test_transit_examples(tmp_path: Path) -> None:
    # load_feed -> build_transit_network (a Tuesday; straight-line walking without streets)
    feed = isochrones.load_feed(write_feed(tmp_path / "tiny"))
    net = isochrones.build_transit_network(feed, dt.date(2024, 1, 2))
    assert isinstance(net, isochrones.TransitNetwork)
    stop = {sid: i for i, sid in enumerate(feed.stops["stop_id"])}
    a, d = net.stop_xy[stop["A"]], net.stop_xy[stop["D"]]
    # window_travel_times: A -> D leaving 07:55-08:00: route 1 at 08:00 to C (08:20), too
    # tight for the 08:20:30 with the 60 s change, so route 2 at 08:25 to D (08:40)
    res = isochrones.window_travel_times(
        net, a, d, window=(dt.time(7, 55), dt.time(8, 0)), max_walk_min=5
    )
    assert res.min_s[0, 0] == 40 * 60
    # Scenario + apply_scenario: without route 2 the change at C is gone
    no_r2 = isochrones.Scenario(
        name="no route 2", edits=[{"kind": "remove_route", "route_id": "R2"}]
    )
    cut = isochrones.build_transit_network(
        isochrones.apply_scenario(feed, no_r2), dt.date(2024, 1, 2)
    )
    later = isochrones.window_travel_times(
        cut, a, d, window=(dt.time(7, 55), dt.time(8, 0)), max_walk_min=5
    )
    assert later.min_s[0, 0] > res.min_s[0, 0]


def test_error_example(hampton: isochrones.WalkNetwork) -> None:
    # every error is an IsochronesError and a built-in error, and says how to fix it
    with pytest.raises(isochrones.IsochronesError, match="cutoff_min must be positive"):
        isochrones.od_matrix(hampton, [[0.0, 0.0]], [[1.0, 1.0]], cutoff_min=-1)
    with pytest.raises(ValueError):
        isochrones.od_matrix(hampton, [[0.0, 0.0]], [[1.0, 1.0]], cutoff_min=0)
