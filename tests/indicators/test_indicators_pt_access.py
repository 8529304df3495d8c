import datetime as dt
from pathlib import Path

import pyproj
import pytest

from hiap.indicators.access import pt_access
from hiap.indicators.walkgraph import WalkGraph
from isochrones.gtfs import load_feed

from .conftest import build_grid_graph, grid_xy, homes_at, points_at


def _line_feed(folder: Path) -> Path:
    """A bus every 10 minutes from (1,1) to (23,1), 5 minutes' ride, 06:30-11:00."""
    to_ll = pyproj.Transformer.from_crs(27700, 4326, always_xy=True)
    a_lon, a_lat = to_ll.transform(*grid_xy(1, 1))
    b_lon, b_lat = to_ll.transform(*grid_xy(23, 1))
    trips = ["route_id,service_id,trip_id"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for k in range(28):
        m = 6 * 60 + 30 + 10 * k
        t0, t1 = f"{m // 60:02d}:{m % 60:02d}:00", f"{(m + 5) // 60:02d}:{(m + 5) % 60:02d}:00"
        trips.append(f"R,WK,T{k}")
        times += [f"T{k},{t0},{t0},A,1", f"T{k},{t1},{t1},B,2"]
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nX,Test,https://x.org,Europe/London\n",
        "stops.txt": f"stop_id,stop_name,stop_lat,stop_lon\nA,A,{a_lat},{a_lon}\nB,B,{b_lat},{b_lon}\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR,X,1,One,3\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20250106,20251231\n",
        "trips.txt": "\n".join(trips) + "\n",
        "stop_times.txt": "\n".join(times) + "\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_bus_beats_a_half_hour_walk(tmp_path: Path) -> None:
    graph = WalkGraph.from_graph(build_grid_graph(25, 3))
    feed = load_feed(_line_feed(tmp_path))
    homes = homes_at(graph, (0, 1), (24, 0))
    gp = points_at((24, 1))
    res = pt_access(graph, homes, gp, feed, date=dt.date(2025, 1, 7))
    # Home (0,1): 75 s walk to stop A, wait, 5 min ride, 75 s walk to the GP. Leaving at
    # 0, 2, 4, 6 or 8 minutes past the ten, the bus is 10, 8, 6, 4 or 2 minutes away: trips of
    # 16.25, 14.25, 12.25, 10.25 and 8.25 minutes, whose median is 12.25 (walking: 30 min).
    # Home (24,0) walks 100 m to the GP: 1.25 minutes.
    assert res.minutes == pytest.approx([12.25, 1.25], abs=0.05)
    assert res.facilities_used == 1
