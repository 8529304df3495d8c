import datetime as dt
from pathlib import Path

import pytest

from hiap.settings import get_settings
from isochrones.gtfs import FeedError, active_services, load_transxchange
from isochrones.gtfs.txc import bank_holidays_england

TXC = get_settings().data_dir / "transit" / "tnds_txc_ea_20-12_St_Ives_Town_Circular.xml"


def test_st_ives_town_circular() -> None:
    feed = load_transxchange(TXC)
    assert feed.routes["route_short_name"].tolist() == ["12"]
    assert len(feed.trips) == 5
    assert feed.stops["stop_id"].str.startswith("0500HSTIV").all()
    first = feed.stop_times.loc[feed.stop_times["trip_id"] == "VJ_20-12-_-y08-1-1-T0"]
    assert first["departure_s"].iloc[0] == 9 * 3600 + 55 * 60
    assert first["stop_id"].iloc[0] == first["stop_id"].iloc[-1] == "0500HSTIV002"
    assert first["arrival_s"].iloc[1] - first["departure_s"].iloc[0] == 180  # PT3M
    assert len(first) == 21
    # Monday to Friday, not between Christmas and New Year, not on bank holidays.
    sid = feed.trips["service_id"].iloc[0]
    assert active_services(feed, dt.date(2016, 12, 5)) == {sid}
    assert active_services(feed, dt.date(2016, 12, 10)) == set()
    assert active_services(feed, dt.date(2016, 12, 28)) == set()
    assert active_services(feed, dt.date(2017, 4, 14)) == set()  # Good Friday
    assert active_services(feed, dt.date(2017, 5, 15)) == set()  # after the period
    # The file has no stop locations: coordinates come from NaPTAN when given.
    assert feed.stops["stop_lat"].isna().all()
    coords = {code: (52.33, -0.07) for code in feed.stops["stop_id"]}
    located = load_transxchange(TXC, stop_coordinates=coords, require_coordinates=True)
    assert located.stops["stop_lat"].notna().all()
    with pytest.raises(FeedError, match="no valid coordinates"):
        load_transxchange(TXC, require_coordinates=True)


def test_bank_holidays() -> None:
    h = bank_holidays_england(2016)
    assert h["ChristmasDay"] == [dt.date(2016, 12, 27)]  # substitute: 25th was a Sunday
    assert h["BoxingDay"] == [dt.date(2016, 12, 26)]
    assert bank_holidays_england(2017)["GoodFriday"] == [dt.date(2017, 4, 14)]


def test_not_transxchange(tmp_path: Path) -> None:
    bad = tmp_path / "x.xml"
    bad.write_text("<kml/>")
    with pytest.raises(FeedError, match="not <TransXChange>"):
        load_transxchange(bad)
    bomb = tmp_path / "b.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    with pytest.raises(FeedError, match="cannot parse"):
        load_transxchange(bomb)
