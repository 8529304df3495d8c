"""Route prioritisation on a hand-built feed where the best change is known."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from isochrones.gtfs import Feed, validate_feed
from isochrones.prioritise import candidate_changes, rank_candidates, route_service
from isochrones.scenarios import ExtendSpan, InsertStop, NewStop, Scenario, apply_scenario
from isochrones.transit import FallbackWalk

DAY = dt.date(2024, 1, 9)  # a Tuesday
HOSPITAL = (0.0, 52.0)  # lon, lat
VILLAGE_X = (0.0, 52.1)  # 11 km north: 1,000 residents, IMD decile 5
VILLAGE_Y = (0.15, 52.0)  # 10 km east: 100 residents, IMD decile 2


def spoke_feed() -> Feed:
    """Two hourly routes, X -> hospital and Y -> hospital, 30 minutes each, 06:00-20:00."""
    stops = pd.DataFrame(
        {
            "stop_id": ["X", "Y", "H"],
            "stop_name": ["Village X", "Village Y", "Hospital"],
            "stop_lat": [VILLAGE_X[1], VILLAGE_Y[1], HOSPITAL[1]],
            "stop_lon": [VILLAGE_X[0], VILLAGE_Y[0], HOSPITAL[0]],
        }
    )
    trips, st = [], []
    for route, start in (("RX", "X"), ("RY", "Y")):
        for hour in range(6, 21):
            tid = f"{route}-{hour}"
            trips.append(
                {
                    "trip_id": tid,
                    "route_id": route,
                    "service_id": "WK",
                    "direction_id": 0,
                    "shape_id": "",
                }
            )
            t0 = hour * 3600
            st.append(
                {
                    "trip_id": tid,
                    "stop_sequence": 1,
                    "stop_id": start,
                    "arrival_s": t0,
                    "departure_s": t0,
                }
            )
            st.append(
                {
                    "trip_id": tid,
                    "stop_sequence": 2,
                    "stop_id": "H",
                    "arrival_s": t0 + 1800,
                    "departure_s": t0 + 1800,
                }
            )
    feed = Feed(
        stops=stops,
        routes=pd.DataFrame(
            {
                "route_id": ["RX", "RY"],
                "agency_id": "",
                "route_short_name": ["X", "Y"],
                "route_long_name": "",
                "route_type": 3,
            }
        ),
        trips=pd.DataFrame(trips),
        stop_times=pd.DataFrame(st),
        calendar=pd.DataFrame(
            [
                {
                    "service_id": "WK",
                    "monday": True,
                    "tuesday": True,
                    "wednesday": True,
                    "thursday": True,
                    "friday": True,
                    "saturday": False,
                    "sunday": False,
                    "start_date": pd.Timestamp("2024-01-01"),
                    "end_date": pd.Timestamp("2024-12-31"),
                }
            ]
        ),
        calendar_dates=pd.DataFrame(columns=["service_id", "date", "exception_type"]),
        frequencies=pd.DataFrame(
            columns=["trip_id", "start_s", "end_s", "headway_s", "exact_times"]
        ),
        source="spokes",
    )
    return validate_feed(feed)


def test_route_service_reports_headway_and_span() -> None:
    svc = route_service(spoke_feed(), DAY).set_index("route_id")
    assert svc.loc["RX", "headway_min"] == 60
    assert svc.loc["RX", "first_departure"] == "06:00"
    assert svc.loc["RX", "last_departure"] == "20:00"


def test_best_change_is_the_busier_village_and_deprived_rank_differs() -> None:
    feed = spoke_feed()
    cands = [c for c in candidate_changes(feed, DAY) if c.kind in ("frequency", "span")]
    assert {c.candidate_id for c in cands} == {"RX:frequency", "RY:frequency", "RX:span", "RY:span"}
    ranking = rank_candidates(
        feed,
        DAY,
        cands,
        # A third, remote hamlet reaches no stop at all.
        origins_lonlat=np.array([VILLAGE_X, VILLAGE_Y, (0.6, 52.4)]),
        population=np.array([1000.0, 100.0, 50.0]),
        groups={"imd1_3": np.array([False, True, False])},
        destinations={"hospital": np.array([HOSPITAL])},
        windows={"am": (dt.time(7, 0), dt.time(10, 0))},
        fallback=FallbackWalk(),
        step_min=5.0,
    )
    table = ranking.table.set_index("candidate_id")
    assert table.index[0] == "RX:frequency"
    assert table.loc["RY:frequency", "rank_imd1_3"] == 1
    # Hourly -> half-hourly: the median wait falls from about 30 to about 15 minutes.
    assert table.loc["RX:frequency", "minutes_saved"] == pytest.approx(1000 * 15, rel=0.25)
    assert table.loc["RY:frequency", "minutes_saved_imd1_3"] == pytest.approx(100 * 15, rel=0.25)
    # Running until 22:00 changes nothing in a 07:00-10:00 window.
    assert table.loc["RX:span", "minutes_saved"] == 0
    # The hamlet reaches no stop of route X in the baseline, so it is not re-routed.
    assert table.loc["RX:frequency", "origins_rerouted"] == 2


def test_extend_span_and_insert_stop_edits() -> None:
    feed = spoke_feed()
    later = apply_scenario(
        feed,
        Scenario(name="s", edits=[ExtendSpan(route_id="RX", end=dt.time(22, 0), headway_min=60)]),
    )
    assert route_service(later, DAY).set_index("route_id").loc["RX", "last_departure"] == "22:00"
    mid = NewStop(stop_id="M", lat=52.05, lon=0.0, name="Halfway")
    edited = apply_scenario(
        feed, Scenario(name="m", edits=[InsertStop(route_id="RX", stop=mid, dwell_s=30)])
    )
    trip = edited.stop_times.loc[edited.stop_times["trip_id"] == "RX-8"]
    assert trip["stop_id"].tolist() == ["X", "M", "H"]
    # On the straight line: no detour, the halfway call at 8:15, 30 s of dwell added after it.
    assert trip["arrival_s"].tolist() == [8 * 3600, 8 * 3600 + 900, 8 * 3600 + 1830]
