"""Timetables for the public-transport router: GTFS and TransXChange into typed tables."""

from isochrones.gtfs.calendar import active_services, trips_on_date
from isochrones.gtfs.errors import FeedError, ScenarioError
from isochrones.gtfs.feed import Feed, empty_feed, load_feed, merge_feeds, validate_feed
from isochrones.gtfs.frequencies import expand_frequencies
from isochrones.gtfs.txc import load_transxchange

__all__ = [
    "Feed",
    "FeedError",
    "ScenarioError",
    "active_services",
    "empty_feed",
    "expand_frequencies",
    "load_feed",
    "load_transxchange",
    "merge_feeds",
    "trips_on_date",
    "validate_feed",
]
