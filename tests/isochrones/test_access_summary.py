"""Access indicators on hand-made tables and on a real network."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from isochrones import RoutingInputError, WalkNetwork
from isochrones.access_summary import origin_access, summarise_access
from isochrones.travel_times import nearest_destination


def test_summary_by_hand() -> None:
    table = pd.DataFrame(
        {
            "time_min": [10.0, 20.0, 40.0, np.inf],
            "population": [100, 300, 100, 500],
            "district": ["a", "a", "b", "b"],
            "reachable_15min": [1, 0, 0, 0],
        }
    )
    overall = summarise_access(table, bands_min=[15, 30]).loc["all"]
    assert overall["origins"] == 4 and overall["population"] == 1000
    assert overall["unreachable_origins"] == 1
    # Means are over the three reachable origins only; the shares count all 1,000 residents.
    assert overall["mean_time_min"] == pytest.approx(70 / 3)
    assert overall["pop_weighted_mean_time_min"] == pytest.approx((1000 + 6000 + 4000) / 500)
    assert overall["pop_share_within_15min"] == pytest.approx(0.1)
    assert overall["pop_share_within_30min"] == pytest.approx(0.4)
    assert overall["pop_weighted_reachable_15min"] == pytest.approx(0.1)
    by = summarise_access(table, by="district", bands_min=[15, 30])
    assert by.loc["a", "pop_weighted_mean_time_min"] == pytest.approx(17.5)
    assert by.loc["b", "pop_share_within_30min"] == 0
    assert np.isnan(summarise_access(table.iloc[3:], bands_min=[15]).loc["all", "mean_time_min"])
    unweighted = summarise_access(table, population_col=None, bands_min=[15])
    assert unweighted.loc["all", "pop_share_within_15min"] == pytest.approx(0.25)


def test_summary_errors() -> None:
    with pytest.raises(RoutingInputError, match="missing"):
        summarise_access(pd.DataFrame({"time_min": [1.0]}), by="lad_code")
    with pytest.raises(RoutingInputError, match="negative"):
        summarise_access(pd.DataFrame({"time_min": [1.0], "population": [-1]}))
    # A missing population would make every share NaN: refused, with the row named.
    gap = pd.DataFrame({"time_min": [1.0, 2.0, 3.0], "population": [10.0, np.nan, 5.0]})
    with pytest.raises(RoutingInputError, match=r"1 missing .*index \[1\]"):
        summarise_access(gap)
    with pytest.raises(RoutingInputError, match="missing"):
        summarise_access(gap.assign(population=["10", "x", "5"]))


def test_origin_access_on_hampton(hampton_net: WalkNetwork) -> None:
    rng = np.random.default_rng(3)
    o = rng.choice(hampton_net.n_nodes, 30, replace=False)
    d = rng.choice(hampton_net.n_nodes, 3, replace=False)
    origins = gpd.GeoDataFrame(
        {"population": rng.integers(100, 1000, 30)},
        geometry=shapely.points(hampton_net.x[o] + 5, hampton_net.y[o]),
        crs="EPSG:27700",
    )
    dests = gpd.GeoDataFrame(
        geometry=shapely.points(hampton_net.x[d], hampton_net.y[d]), crs="EPSG:27700"
    )
    access = origin_access(hampton_net, origins, dests)
    t, nearest = nearest_destination(hampton_net, dests).for_points(hampton_net.snap(origins))
    np.testing.assert_allclose(access["time_min"], t / 60)
    assert (access["nearest"] == nearest).all()
    # counts agree with the nearest time: at least one reachable iff nearest within the band
    for band in (15, 30, 45, 60):
        assert ((access[f"reachable_{band}min"] > 0) == (access["time_min"] <= band)).all()
    summary = summarise_access(access.join(origins[["population"]]))
    assert 0 < summary.loc["all", "pop_weighted_mean_time_min"] < 60


def test_straight_line_access_is_the_stretched_straight_line() -> None:
    from isochrones.access_summary import straight_line_access

    origins = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.0, 0.0], [0.0, 3000.0]), crs=27700)
    dests = gpd.GeoDataFrame(geometry=gpd.points_from_xy([300.0, 0.0], [400.0, 4000.0]), crs=27700)
    table = straight_line_access(origins, dests, circuity=1.3, speed_kph=4.8, bands_min=(10, 30))
    # 3-4-5: 500 m x 1.3 = 650 m at 80 m a minute; the second origin is 1,000 m from the other.
    assert table["time_min"].tolist() == pytest.approx([650 / 80, 1300 / 80])
    assert table["nearest"].tolist() == [0, 1]
    assert table["reachable_10min"].tolist() == [1, 0]
    assert table["reachable_30min"].tolist() == [1, 1]  # the far pairs are 42.5 and 65 min
    assert not table["excluded"].any()
