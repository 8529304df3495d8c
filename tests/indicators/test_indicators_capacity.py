import numpy as np
import pytest

from hiap.indicators.capacity import decay_weights, two_step_fca

INF = np.inf
# Three population points (rows) and two GP practices (columns), minutes.
COST = np.array([[5.0, 40.0], [20.0, 10.0], [INF, 25.0]])
SUPPLY = np.array([1.0, 2.0])
DEMAND = np.array([1000.0, 2000.0, 1000.0])


def test_plain_2sfca_by_hand() -> None:
    res = two_step_fca(COST, SUPPLY, DEMAND, catchment=30.0)
    # R_A = 1 / (1000 + 2000); R_B = 2 / (2000 + 1000) (population 1 is 40 min from B).
    assert res.supply_ratio == pytest.approx([1 / 3000, 2 / 3000])
    assert res.access * 1000 == pytest.approx([1 / 3, 1.0, 2 / 3])
    # Every practice is reached, so the population-weighted access adds up to the supply.
    assert (res.access * DEMAND).sum() == pytest.approx(SUPPLY.sum())


def test_enhanced_2sfca_stepped_weights_by_hand() -> None:
    res = two_step_fca(COST, SUPPLY, DEMAND, catchment=30.0, decay="stepped")
    # Zones 0-10, 10-20, 20-30 min weigh 1.00, 0.68, 0.22 (Luo & Qi 2009).
    r_a = 1 / (1000 * 1.0 + 2000 * 0.68)
    r_b = 2 / (2000 * 1.0 + 1000 * 0.22)
    assert res.supply_ratio == pytest.approx([r_a, r_b])
    assert res.access == pytest.approx([r_a, 0.68 * r_a + r_b, 0.22 * r_b])


def test_gaussian_decay_is_one_at_zero_and_zero_at_edge() -> None:
    w = decay_weights(np.array([0.0, 15.0, 30.0, 31.0, INF]), catchment=30.0, decay="gaussian")
    edge = np.exp(-0.5)
    assert w == pytest.approx([1.0, (np.exp(-0.125) - edge) / (1 - edge), 0.0, 0.0, 0.0])


def test_practice_nobody_reaches_gets_no_ratio() -> None:
    res = two_step_fca(np.array([[INF]]), np.array([1.0]), np.array([500.0]), catchment=30.0)
    assert res.supply_ratio.tolist() == [0.0] and res.access.tolist() == [0.0]


def test_bad_shapes_and_values_are_refused() -> None:
    with pytest.raises(ValueError, match="n_demand, n_supply"):
        two_step_fca(COST.T, SUPPLY, DEMAND, catchment=30.0)
    with pytest.raises(ValueError, match="negative"):
        two_step_fca(COST, -SUPPLY, DEMAND, catchment=30.0)
    with pytest.raises(ValueError, match="decay"):
        decay_weights(COST, catchment=30.0, decay="linear")  # type: ignore[arg-type]


def test_gp_capacity_on_the_street_grid(grid) -> None:
    import geopandas as gpd

    from hiap.indicators.capacity import gp_capacity

    from .conftest import homes_at, points_at

    gps = points_at((0, 0), (6, 6))
    pop = points_at((1, 0), (3, 3), (6, 4), (15, 6))
    pop = gpd.GeoDataFrame({"population": [1000.0, 2000.0, 1000.0, 777.0]}, geometry=pop.geometry)
    homes = homes_at(grid, (5, 6))
    # 10 min = 800 m. GP (0,0) reaches (1,0) at 100 m and (3,3) at 600 m; GP (6,6) reaches
    # (3,3) at 600 m, (6,4) at 200 m and the scheme's 500 new residents at 100 m. The point at
    # (15,6) is 900 m beyond the grid: off the network, left out.
    res = gp_capacity(grid, homes, gps, pop, new_residents=500.0, catchment_min=10.0)
    assert res is not None
    assert res.per_1000["2sfca"] == pytest.approx(1000 / 3500)
    assert res.practices == 1 and res.supply_kind == "practice count"
    assert res.dropped_population == 777.0
    assert res.areas["access_2sfca"].to_numpy() == pytest.approx(
        [1000 / 3000, 1000 / 3000 + 1000 / 3500, 1000 / 3500]
    )
    # One practice each side counts 1: "1 practice per N people" for the areas too.
    assert res.areas["practices_per_person_2sfca"].to_numpy() == pytest.approx(
        [1 / 3000, 1 / 3000 + 1 / 3500, 1 / 3500]
    )
    assert res.homes is not None
    assert res.homes["practices_per_person_2sfca"].to_numpy() == pytest.approx(1 / 3500)
    assert res.people_per_practice == pytest.approx(3500.0)


def test_gp_capacity_margin_scores_the_areas_around_and_keeps_the_homes(grid) -> None:
    import geopandas as gpd

    from hiap.indicators.capacity import gp_capacity

    from .conftest import homes_at, points_at

    gps = points_at((0, 0), (6, 6))
    pop = points_at((1, 0), (3, 3), (6, 4))
    pop = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "lad_name": ["North", "North", "South"],
         "population": [1000.0, 2000.0, 1000.0]},
        geometry=pop.geometry,
    )
    homes = homes_at(grid, (5, 6))
    plain = gp_capacity(grid, homes, gps, pop, new_residents=500.0, catchment_min=10.0)
    wide = gp_capacity(grid, homes, gps, pop, new_residents=500.0, catchment_min=10.0, margin_m=500.0)
    assert plain is not None and wide is not None
    # the scheme's own score does not depend on the margin
    assert wide.per_1000 == pytest.approx(plain.per_1000)
    assert not plain.areas["complete"].any()  # one home: no area lies within 0 m of it
    # (1,0) is 721 m from the home, (3,3) 361 m, (6,4) 224 m
    assert wide.areas["complete"].tolist() == [False, True, True]
    assert wide.areas["code"].tolist() == ["A", "B", "C"]
    assert wide.homes is not None
    assert wide.homes["population"].sum() == pytest.approx(500.0)
    assert wide.homes["access_2sfca"].iloc[0] == pytest.approx(wide.per_1000["2sfca"])


def test_gp_capacity_with_list_sizes_in_planner_units(grid) -> None:
    import datetime as dt

    import geopandas as gpd

    from hiap.indicators.capacity import capacity_sentences, gp_capacity

    from .conftest import homes_at, points_at

    gps = points_at((0, 0), (6, 6)).assign(list_size=[2500.0, 3000.0])
    gps.attrs["list_date"] = dt.date(2026, 4, 1)
    pop = points_at((1, 0), (3, 3), (6, 4))
    pop = gpd.GeoDataFrame({"population": [1000.0, 2000.0, 1000.0]}, geometry=pop.geometry)
    homes = homes_at(grid, (5, 6))
    # as above: the homes reach only the practice at (6,6), whose 10-minute catchment holds
    # 2,000 + 1,000 residents plus the scheme's 500; its list holds 3,000 patients
    res = gp_capacity(grid, homes, gps, pop, new_residents=500.0, catchment_min=10.0)
    assert res is not None and res.supply_kind == "list size"
    assert res.per_1000["2sfca"] == pytest.approx(3000 / 3500 * 1000)
    assert res.list_pressure == pytest.approx(3500 / 3000)
    assert res.list_pressure_today == pytest.approx(1.0)
    assert res.people_per_practice == pytest.approx(3500.0)
    assert res.patients_per_practice == pytest.approx(3000.0)
    assert res.lists_filled == 0
    text = capacity_sentences(res)
    assert text[0].startswith("About 1 GP practice per 3,500 people within a 10-minute walk")
    assert "List pressure 1.17" in text[1] and "17 % above today's registered lists" in text[1]
    assert "(April 2026)" in text[1] and "without the scheme 1.00" in text[1]
    assert "3,000 registered patients" in text[2]
    assert text[-1].startswith("Method: two-step floating catchment")

    # a practice without a published list counts at the median of the others
    unknown = gps.assign(list_size=[2500.0, float("nan")])
    filled = gp_capacity(grid, homes, unknown, pop, new_residents=500.0, catchment_min=10.0)
    assert filled is not None and filled.lists_filled == 1
    assert filled.list_pressure == pytest.approx(3500 / 2500)
    assert "1 without a published list" in capacity_sentences(filled)[2]


def test_practice_count_reads_as_people_per_practice(grid) -> None:
    import geopandas as gpd

    from hiap.indicators.capacity import capacity_sentences, gp_capacity

    from .conftest import homes_at, points_at

    pop = points_at((1, 0), (3, 3), (6, 4))
    pop = gpd.GeoDataFrame({"population": [1000.0, 2000.0, 1000.0]}, geometry=pop.geometry)
    res = gp_capacity(
        grid, homes_at(grid, (5, 6)), points_at((0, 0), (6, 6)), pop,
        new_residents=500.0, catchment_min=10.0,
    )
    assert res is not None and np.isnan(res.list_pressure)
    text = capacity_sentences(res)
    # not "0.286 practices per 1,000 residents": 1 practice per 3,500 people
    assert text[0].startswith("About 1 GP practice per 3,500 people")
    assert not any("List pressure" in line for line in text)


def test_the_one_formatter_rounds_as_its_examples_say() -> None:
    # people per practice to 10 / 100 / 500; the Examples of the formatters run as doctests
    import doctest

    from hiap.indicators import capacity

    result = doctest.testmod(capacity, verbose=False)
    assert result.attempted >= 6 and result.failed == 0
    assert capacity.people_per_practice_text(9_949.0) == "9,900"
    assert capacity.people_per_practice_text(9_951.0) == "10,000"
    assert capacity.people_per_practice_text(0.0) == "no practice in reach"
