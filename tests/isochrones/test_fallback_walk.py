"""The straight-line walking fallback: used only outside the walk network, and counted."""

import numpy as np
import pytest

from isochrones.errors import RoutingInputError
from isochrones.transit import FallbackWalk, walk_legs_flagged
from tests.isochrones.test_transit import SPEED, grid_network


def test_fallback_only_for_points_outside_the_network() -> None:
    net = grid_network()  # 1.1 km square of 100 m streets from (300000, 5760000)
    inside = np.array([[300_000.0, 5_760_000.0]])
    targets = np.array(
        [
            [300_300.0, 5_760_400.0],  # on the grid: 700 m of streets
            [302_600.0, 5_760_000.0],  # 1.5 km east of the grid's edge: outside
        ]
    )
    fb = FallbackWalk(circuity=1.3, max_access_m=5000.0, outside_network_m=1000.0)
    legs, n_fb = walk_legs_flagged(inside, targets, max_min=60, network=net, fallback=fb)
    frame = legs.to_frame().set_index("target")
    assert frame.loc[0, "seconds"] == round(700 / SPEED)  # the network, not the fallback
    # the far target: straight 2,600 m x 1.3 at 4.8 km/h
    assert frame.loc[1, "seconds"] == round(2600 * 1.3 / SPEED)
    assert n_fb == 1


def test_fallback_caps_access_but_not_walking_all_the_way() -> None:
    a = np.array([[0.0, 0.0]])
    b = np.array([[1000.0, 0.0], [2000.0, 0.0]])
    fb = FallbackWalk(max_access_m=1500.0)
    capped, n_capped = walk_legs_flagged(a, b, max_min=60, fallback=fb)
    assert capped.to_frame()["target"].tolist() == [0]  # 2,600 m path > 1,500 m cap
    assert n_capped == 1
    direct, n_direct = walk_legs_flagged(a, b, max_min=60, fallback=fb, fallback_cap=False)
    assert direct.to_frame()["target"].tolist() == [0, 1]
    assert n_direct == 2


def test_no_fallback_is_the_plain_walk() -> None:
    legs, n_fb = walk_legs_flagged(np.zeros((1, 2)), np.array([[100.0, 0.0]]), max_min=5)
    assert n_fb == 0 and legs.to_frame()["seconds"].tolist() == [round(100 / SPEED)]


def test_bad_fallback_settings_say_what_is_wrong() -> None:
    with pytest.raises(RoutingInputError, match="circuity must be at least 1"):
        FallbackWalk(circuity=0.8)
