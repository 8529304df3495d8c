import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from hiap.errors import DataError
from hiap.indicators.homes import snap_destinations
from hiap.indicators.neighbourhood import (
    bus_departures_per_hour,
    bus_stops_near,
    everyday_destinations,
    footway_share,
    intersection_density,
    weekday_service_date,
)
from hiap.indicators.walkgraph import WalkGraph
from isochrones.gtfs import load_feed

from .conftest import X0, Y0, grid_xy, homes_at, points_at


def test_intersection_density_counts_three_way_junctions(grid: WalkGraph) -> None:
    area = shapely.box(X0 - 50, Y0 - 50, X0 + 650, Y0 + 650)  # 0.49 km², the whole grid
    density, count = intersection_density(grid, area)
    assert count == 49 - 4  # every node but the four corners
    assert density == pytest.approx(45 / 0.49)


def test_intersection_density_only_inside_area(grid: WalkGraph) -> None:
    area = shapely.box(X0 - 50, Y0 - 50, X0 + 150, Y0 + 150)  # nodes (0,0),(0,1),(1,0),(1,1)
    assert intersection_density(grid, area)[1] == 3


def _streets() -> gpd.GeoDataFrame:
    line = shapely.LineString
    rows = [
        # 100 m road tagged with a pavement
        ("residential", True, False, False, line([(0, 0), (100, 0)])),
        # 100 m road with a separate footway drawn 5 m beside its first 50 m
        ("residential", False, False, False, line([(0, 100), (100, 100)])),
        ("footway", False, False, True, line([(0, 105), (50, 105)])),
        # 100 m road with nothing
        ("tertiary", False, False, False, line([(0, 200), (100, 200)])),
        # a cycle lane counts too, 100 m
        ("secondary", False, True, False, line([(0, 300), (100, 300)])),
        # service roads are not streets for this purpose
        ("service", False, False, False, line([(0, 400), (100, 400)])),
    ]
    frame = gpd.GeoDataFrame(
        rows, columns=["highway", "sidewalk", "cycleway", "is_path", "geometry"], crs=27700
    )
    return frame


def test_footway_share_by_hand() -> None:
    share, km = footway_share(_streets(), shapely.box(-10, -10, 110, 500))
    # 100 tagged + 50 alongside + 100 cycle lane out of 400 m of streets.
    assert km == pytest.approx(0.4)
    assert share == pytest.approx(250 / 400)


def test_footway_share_clips_to_area() -> None:
    share, km = footway_share(_streets(), shapely.box(-10, -10, 50, 150))
    assert km == pytest.approx(0.1)  # the first half of the first two roads
    assert share == pytest.approx(1.0)


def test_everyday_destinations_count(grid: WalkGraph) -> None:
    homes = homes_at(grid, (0, 0), (6, 6))
    dests = {
        "food_shop": snap_destinations(grid, points_at((0, 4)).geometry),  # 400 / 800 m
        "pharmacy": snap_destinations(grid, points_at((6, 0)).geometry),  # 600 / 600 m
        "gp": snap_destinations(grid, points_at((6, 5)).geometry),  # 1100 / 100 m
        "bus_stop": snap_destinations(grid, points_at((6, 6), (0, 1)).geometry),
    }
    counts, shares = everyday_destinations(grid, homes, dests)
    assert counts.tolist() == [3, 4]  # primary school and park missing everywhere
    assert shares["gp"] == pytest.approx(0.5)
    assert shares["park"] == 0.0


def test_bus_stop_share(grid: WalkGraph) -> None:
    homes = homes_at(grid, (0, 0), (0, 5))
    stops = snap_destinations(grid, points_at((0, 2)).geometry)
    assert bus_stops_near(grid, homes, stops) == pytest.approx(1.0)
    assert bus_stops_near(grid, homes, stops, within_m=250) == pytest.approx(0.5)


def _write_feed(folder: Path) -> Path:
    to_ll = pyproj.Transformer.from_crs(27700, 4326, always_xy=True)
    near_lon, near_lat = to_ll.transform(*grid_xy(3, 3))
    far_lon, far_lat = to_ll.transform(*grid_xy(60, 60))  # 5.6 km away
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test,https://x.org,Europe/London\n",
        "stops.txt": f"stop_id,stop_name,stop_lat,stop_lon\nN,Near,{near_lat},{near_lon}\nF,Far,{far_lat},{far_lon}\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR,A,1,One,3\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20250106,20251231\n",
    }
    trips = ["route_id,service_id,trip_id"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    # Every 20 minutes from 06:00 to 20:40: 3 an hour inside 07:00-19:00 at both stops,
    # plus an extra trip an hour at the far stop only.
    for k in range(45):
        minute = 6 * 60 + 20 * k
        t0 = f"{minute // 60:02d}:{minute % 60:02d}:00"
        t1 = f"{(minute + 15) // 60:02d}:{(minute + 15) % 60:02d}:00"
        trips.append(f"R,WK,T{k}")
        times += [f"T{k},{t0},{t0},N,1", f"T{k},{t1},{t1},F,2"]
    for k in range(12):
        t = f"{7 + k:02d}:30:00"
        trips.append(f"R,WK,X{k}")
        times += [f"X{k},{t},{t},F,1", f"X{k},{t},{t},F,2".replace(":30:", ":31:")]
    files["trips.txt"] = "\n".join(trips) + "\n"
    files["stop_times.txt"] = "\n".join(times) + "\n"
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_bus_departures_per_hour(tmp_path: Path, grid: WalkGraph) -> None:
    feed = load_feed(_write_feed(tmp_path))
    homes = homes_at(grid, (3, 1), (0, 0))  # 200 m and 600 m from the near stop
    service = bus_departures_per_hour(feed, grid, homes)
    assert service is not None
    assert service.date == dt.date(2025, 1, 6)  # the first weekday of the calendar: all equal
    assert service.stops == 1
    assert service.per_hour.tolist() == pytest.approx([3.0, 0.0])


def test_no_stop_in_reach_gives_none(tmp_path: Path, grid: WalkGraph) -> None:
    feed = load_feed(_write_feed(tmp_path))
    homes = homes_at(grid, (0, 0))
    assert bus_departures_per_hour(feed, grid, homes) is None
    assert np.isfinite(grid.x_m).all()


def test_service_date_is_the_busiest_weekday_of_the_feed(tmp_path: Path) -> None:
    folder = _write_feed(tmp_path)
    # Monday 6 January has no service (removed), and on Thursday 9 January an extra
    # service adds a trip: the busiest weekday, whatever day the test is run.
    (folder / "calendar_dates.txt").write_text(
        "service_id,date,exception_type\nWK,20250106,2\nXT,20250109,1\n"
    )
    with (folder / "trips.txt").open("a") as fh:
        fh.write("R,XT,EXTRA\n")
    with (folder / "stop_times.txt").open("a") as fh:
        fh.write("EXTRA,09:00:00,09:00:00,N,1\nEXTRA,09:10:00,09:10:00,F,2\n")
    feed = load_feed(folder)
    assert weekday_service_date(feed) == dt.date(2025, 1, 9)
    # Without the extra trip the first full weekday wins: Tuesday, since Monday is removed.
    (folder / "calendar_dates.txt").write_text("service_id,date,exception_type\nWK,20250106,2\n")
    assert weekday_service_date(load_feed(folder)) == dt.date(2025, 1, 7)


def test_service_date_needs_a_weekday_service(tmp_path: Path) -> None:
    folder = _write_feed(tmp_path)
    calendar = (folder / "calendar.txt").read_text().replace("WK,1,1,1,1,1,0,0", "WK,0,0,0,0,0,1,1")
    (folder / "calendar.txt").write_text(calendar)
    with pytest.raises(DataError, match="runs no trip on any weekday"):
        weekday_service_date(load_feed(folder))
