"""Timetables around an area, the Porto Alegre demo area, default window and date."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from hiap.access.demo import porto_alegre_demo
from hiap.access.feeds import busiest_hour, default_date, find_gtfs_feeds
from hiap.errors import DataError
from hiap.settings import get_settings
from isochrones.gtfs import load_feed

SETTINGS = get_settings()
POA = SETTINGS.data_dir / "transit" / "porto_alegre"
pytestmark = pytest.mark.skipif(not (POA / "poa_eptc.zip").is_file(), reason="Porto Alegre sample missing")


def test_feeds_are_found_by_their_stops() -> None:
    porto_alegre = shapely.box(-51.25, -30.1, -51.15, -30.0)
    assert POA / "poa_eptc.zip" in find_gtfs_feeds(SETTINGS, area=porto_alegre)
    peterborough = shapely.box(-0.3, 52.5, -0.2, 52.6)
    found = []
    try:
        found = find_gtfs_feeds(SETTINGS, area=peterborough)
    except DataError as error:
        assert "hiap data download gtfs" in str(error)
    assert POA / "poa_eptc.zip" not in found


def test_porto_alegre_demo_area() -> None:
    area = porto_alegre_demo(SETTINGS)
    assert len(area.origins) == 1124 and (area.origins["population"] > 0).all()
    assert len(area.destinations) == 117
    assert area.origins.crs == area.destinations.crs == "EPSG:4326"


def test_default_window_and_date_follow_the_feed() -> None:
    feed = load_feed(POA / "poa_eptc.zip")
    assert busiest_hour(feed) == dt.time(13, 0)  # the sample runs 11:00-16:00 only
    day = default_date(feed, today=dt.date(2026, 11, 23))
    assert day == dt.date(2019, 4, 16) and day.weekday() == 1
    assert default_date(feed, today=dt.date(2019, 5, 8)) == dt.date(2019, 5, 14)
