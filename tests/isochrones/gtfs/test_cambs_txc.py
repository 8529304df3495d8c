"""Cambridgeshire's own TNDS TransXChange files + NaPTAN: counts, dates, a timed journey."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from hiap.settings import get_settings
from isochrones.gtfs import (
    Feed,
    load_transxchange_files,
    naptan_coordinates,
    summarise_feed,
    trips_by_date,
    typical_date,
)
from isochrones.raptor import Legs, build_timetable, earliest_arrival
from isochrones.transit import (
    FallbackWalk,
    _to_xy,
    build_transit_network,
    window_travel_times,
)

TRANSIT = get_settings().data_dir / "transit"


def _txc_files() -> list[Path]:
    return [
        *sorted((TRANSIT / "tnds_txc_ea").glob("*.xml")),
        TRANSIT / "tnds_txc_ea_20-12_St_Ives_Town_Circular.xml",
    ]


@pytest.fixture(scope="module")
def cambs() -> Feed:
    coords = naptan_coordinates(sorted((TRANSIT / "naptan").glob("*.csv")))
    return load_transxchange_files(_txc_files(), stop_coordinates=coords)


def test_feed_counts_match_the_files(cambs: Feed) -> None:
    summary = summarise_feed(cambs)
    trips = summary.services.set_index("name")["trips"].to_dict()
    # VehicleJourney counts of the five files (SOURCES.md: 937, 186, 6, 34; St Ives 12: 5)
    assert trips == {"B|the busway": 937, "6|Citi": 186, "45": 6, "1A": 34, "12": 5}
    assert summary.counts["services"] == 5
    assert summary.counts["stops"] == 336
    assert summary.counts["operating_profiles"] == 21
    assert cambs.stops[["stop_lat", "stop_lon"]].notna().all().all()
    holidays = summary.bank_holidays
    good_friday = holidays.loc[holidays["date"] == dt.date(2020, 4, 10)]
    # The Busway's weekday timetable does not run on Good Friday; a Sunday-like profile does.
    assert not good_friday.loc[good_friday["service_id"] == "20-B-A-y08-1:7f134cbe", "runs"].any()
    assert good_friday["runs"].any()


def test_service_date_matters_and_the_normal_weekday_is_chosen(cambs: Feed) -> None:
    counts = trips_by_date(cambs, dt.date(2020, 3, 24), dt.date(2020, 3, 31)).set_index("date")
    # The first COVID-19 week runs a different timetable from the following weeks.
    assert counts.loc[dt.date(2020, 3, 24), "trips"] == 207
    assert counts.loc[dt.date(2020, 3, 31), "trips"] == 273
    day, why = typical_date(cambs)
    assert day == dt.date(2020, 3, 31)
    assert "273 trips" in why and "207" in why


def test_st_ives_to_huntingdon_on_busway_b_equals_the_timetable(cambs: Feed) -> None:
    day = dt.date(2020, 3, 31)
    tt = build_timetable(cambs, day)
    ids = list(tt.stop_ids)
    st_ives, huntingdon = ids.index("0500HSTIV014"), ids.index("0500HHUNT035")
    n = tt.n_stops
    access = Legs.from_pairs([0], [st_ives], [0], n_sources=1, n_targets=n)
    egress = Legs.from_pairs([huntingdon], [0], [0], n_sources=n, n_targets=1)
    none = Legs.from_pairs([], [], [], n_sources=n, n_targets=n)
    # Busway B leaves St Ives Bus Station at 09:00 and reaches Huntingdon Bus Station (stop
    # 0500HHUNT035) at 09:36 on a normal weekday (VehicleJourney VJ_20-B-A-y08-1-289-T0).
    arrival = earliest_arrival(tt, access, none, egress, 9 * 3600)
    assert int(arrival[0, 0]) == 9 * 3600 + 36 * 60
    # One minute later the next bus is the 09:10, arriving 09:45.
    later = earliest_arrival(tt, access, none, egress, 9 * 3600 + 60)
    assert int(later[0, 0]) == 9 * 3600 + 45 * 60


def test_fallback_legs_are_flagged_on_the_real_feed(cambs: Feed) -> None:
    net = build_transit_network(
        cambs,
        dt.date(2020, 3, 31),
        fallback=FallbackWalk(),
        time_window_s=(9 * 3600, 11 * 3600),
    )
    stops = cambs.stops.set_index("stop_id")
    st_ives = _to_xy(
        np.array([stops.loc["0500HSTIV014", "stop_lon"]]),
        np.array([stops.loc["0500HSTIV014", "stop_lat"]]),
        net.crs,
    )
    hunt = _to_xy(
        np.array([stops.loc["0500HHUNT035", "stop_lon"]]),
        np.array([stops.loc["0500HHUNT035", "stop_lat"]]),
        net.crs,
    )
    res = window_travel_times(
        net, st_ives, hunt, window=(dt.time(9, 0), dt.time(9, 0)), max_walk_min=30
    )
    # No walk network: every walking leg is the labelled fallback.
    assert res.fallback_share["all"] == 1.0
    assert res.fallback_share["access"] == 1.0
    # The 09:00 bus (36 min to stop HHUNT035; the bays of Huntingdon bus station are a few
    # metres apart, so alighting at the first of them is a little quicker), not a 2-hour walk.
    assert 34 * 60 <= res.min_s[0, 0] <= 36 * 60 + 120
