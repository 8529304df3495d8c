"""Timetables for the public-transport router: GTFS and TransXChange into typed tables."""

from isochrones.gtfs.calendar import active_services, trips_on_date
from isochrones.gtfs.errors import FeedError, ScenarioError
from isochrones.gtfs.feed import Feed, empty_feed, load_feed, merge_feeds, validate_feed
from isochrones.gtfs.frequencies import expand_frequencies
from isochrones.gtfs.naptan import naptan_coordinates
from isochrones.gtfs.summary import FeedSummary, summarise_feed, trips_by_date, typical_date
from isochrones.gtfs.txc import load_transxchange, load_transxchange_files

__all__ = [
    "Feed",
    "FeedError",
    "FeedSummary",
    "ScenarioError",
    "active_services",
    "empty_feed",
    "expand_frequencies",
    "load_feed",
    "load_transxchange",
    "load_transxchange_files",
    "merge_feeds",
    "naptan_coordinates",
    "summarise_feed",
    "trips_by_date",
    "trips_on_date",
    "typical_date",
    "validate_feed",
]
