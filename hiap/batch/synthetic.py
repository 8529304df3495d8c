"""Synthetic regions for trying and benchmarking ``hiap batch`` without national data.

Each region is written to files the way real data arrives, so the batch reads it exactly as
it reads a real region: an OSM extract (``<name>.osm.pbf``: a street grid of residential
streets and footways) and a GTFS feed (``<name>_gtfs.zip``: bus lines along every
``bus_every``-th grid line, both directions, a stop at every junction). The populated origins
(LSOA-like points with a population and an IMD decile), GP practices and hospitals are
returned as frames in EPSG:27700.

Use :func:`synthetic_region` for one region (the tests use two tiny ones) and
:func:`synthetic_england` for the England-scale benchmark (about 33,000 origins over nine
regions laid out across Great Britain's grid).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from hiap.batch.partition import BatchRegion
from isochrones import BNG_CRS

__all__ = ["BUS_SPEED_KPH", "synthetic_england", "synthetic_region"]

BUS_SPEED_KPH = 20.0
"""Scheduled speed of the synthetic buses (stop to stop)."""

_TO_LONLAT = pyproj.Transformer.from_crs(BNG_CRS, "EPSG:4326", always_xy=True)


def _write_grid_pbf(path: Path, x0_m: float, y0_m: float, n: int, spacing_m: float) -> None:
    """Write an ``n`` x ``n`` street grid; every third street is a footway."""
    import osmium

    ix, iy = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    lon, lat = _TO_LONLAT.transform(x0_m + ix.ravel() * spacing_m, y0_m + iy.ravel() * spacing_m)
    ids = np.arange(n * n, dtype=np.int64).reshape(n, n) + 1
    tmp = path.with_name(path.name + ".tmp.pbf")
    tmp.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(tmp))
    try:
        for nid, x, y in zip(ids.ravel().tolist(), lon.tolist(), lat.tolist(), strict=True):
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=(x, y)))
        wid = 0
        for line in range(n):
            kind = "footway" if line % 3 == 2 else "residential"
            for refs in (ids[line, :], ids[:, line]):
                wid += 1
                writer.add_way(osmium.osm.mutable.Way(
                    id=wid, nodes=refs.tolist(), tags={"highway": kind}
                ))
    finally:
        writer.close()
    tmp.replace(path)


def _write_grid_gtfs(
    path: Path, x0_m: float, y0_m: float, n: int, spacing_m: float, *, bus_every: int,
    headway_min: int, first_hour: int, last_hour: int,
) -> None:
    """Write bus lines along every ``bus_every``-th grid line (both ways, stop per junction)."""
    lines = range(bus_every // 2, n, bus_every)
    hop_s = round(spacing_m / (BUS_SPEED_KPH / 3.6))
    stop_rows, trip_rows, time_rows = [], [], []
    for i in range(n):
        for j in range(n):
            lon, lat = _TO_LONLAT.transform(x0_m + i * spacing_m, y0_m + j * spacing_m)
            stop_rows.append(f"s{i}_{j},Stop {i}/{j},{lat:.7f},{lon:.7f}")
    routes = []
    starts = range(first_hour * 3600, last_hour * 3600 + 1, headway_min * 60)
    for axis in ("x", "y"):
        for line in lines:
            route = f"{axis}{line}"
            routes.append(f"{route},A,{route},3")
            stops = [f"s{k}_{line}" if axis == "x" else f"s{line}_{k}" for k in range(n)]
            for direction, seq in (("a", stops), ("b", stops[::-1])):
                for start in starts:
                    trip = f"{route}{direction}{start}"
                    trip_rows.append(f"{route},WK,{trip}")
                    for k, stop in enumerate(seq):
                        t = start + k * hop_s
                        hhmmss = f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
                        time_rows.append(f"{trip},{hhmmss},{hhmmss},{stop},{k + 1}")
    tables = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
        "A,Synthetic buses,https://example.org,Europe/London\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + "\n".join(stop_rows) + "\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_type\n" + "\n".join(routes) + "\n",
        "trips.txt": "route_id,service_id,trip_id\n" + "\n".join(trip_rows) + "\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        + "\n".join(time_rows) + "\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in tables.items():
            zf.writestr(name, text)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def _points(
    rng: np.random.Generator, count: int, x0_m: float, y0_m: float, side_m: float, prefix: str
) -> gpd.GeoDataFrame:
    # why: rounded to the metre, so a region rebuilt from the same seed has the same digests
    xy = np.round(rng.uniform(0.0, side_m, size=(count, 2)) + np.array([x0_m, y0_m]))
    codes = [f"{prefix}{k:05d}" for k in range(count)]
    return gpd.GeoDataFrame(
        {"code": codes, "name": codes}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=BNG_CRS
    )


def synthetic_region(
    folder: Path,
    name: str,
    *,
    x0_m: float,
    y0_m: float,
    size_km: float,
    spacing_m: float = 250.0,
    lsoas: int = 100,
    gps: int = 15,
    hospitals: int = 2,
    bus_every: int = 4,
    headway_min: int = 15,
    seed: int = 0,
) -> BatchRegion:
    """Write one synthetic region's extract and feed and return it as a :class:`BatchRegion`.

    Parameters
    ----------
    folder
        Where ``<name>.osm.pbf`` and ``<name>_gtfs.zip`` are written (reused when present).
    name
        The region's name (also the prefix of its codes).
    x0_m, y0_m
        South-west corner in EPSG:27700.
    size_km
        Side of the square region.
    spacing_m
        Street spacing of the grid.
    lsoas, gps, hospitals
        How many origins, GP practices and hospitals to place at random in the region.
    bus_every
        A bus line runs along every this many grid lines (each way, both axes).
    headway_min
        Minutes between buses on a line, 05:00-12:00.
    seed
        Random seed of the points (the same seed gives the same region).

    Returns
    -------
    BatchRegion
        Origins with ``code``, ``name``, ``population``, ``imd_decile`` and ``lad_name``; GP
        practices and hospitals with ``code`` and ``name``; the extract and feed paths.
    """
    folder.mkdir(parents=True, exist_ok=True)
    side_m = size_km * 1000.0
    n = int(side_m // spacing_m) + 1
    osm = folder / f"{name}.osm.pbf"
    feed = folder / f"{name}_gtfs.zip"
    if not osm.is_file():
        _write_grid_pbf(osm, x0_m, y0_m, n, spacing_m)
    if not feed.is_file():
        _write_grid_gtfs(feed, x0_m, y0_m, n, spacing_m, bus_every=bus_every,
                         headway_min=headway_min, first_hour=5, last_hour=12)
    rng = np.random.default_rng(seed)
    origins = _points(rng, lsoas, x0_m, y0_m, side_m, f"{name}-L")
    origins["population"] = rng.integers(1000, 3000, size=lsoas).astype(float)
    origins["imd_decile"] = rng.integers(1, 11, size=lsoas)
    # four districts per region, split by quadrant
    east = origins.geometry.x.to_numpy() >= x0_m + side_m / 2
    north = origins.geometry.y.to_numpy() >= y0_m + side_m / 2
    origins["lad_name"] = pd.Series(
        [f"{name} {'N' if nn else 'S'}{'E' if e else 'W'}" for nn, e in zip(north, east, strict=True)],
        dtype="string",
    )
    gp = _points(rng, gps, x0_m, y0_m, side_m, f"{name}-G")
    hospital = _points(rng, hospitals, x0_m, y0_m, side_m, f"{name}-H")
    return BatchRegion(
        name=name, origins=origins, destinations={"gp": gp, "hospital": hospital},
        osm_path=osm, feed_paths=(feed,),
    )


def synthetic_england(
    folder: Path, *, regions: int = 9, lsoas: int = 33_000, size_km: float = 60.0,
    spacing_m: float = 500.0, seed: int = 2026,
) -> list[BatchRegion]:
    """Write ``regions`` synthetic regions holding ``lsoas`` origins in all.

    England has about 33,000 LSOAs (2011), 6,300 GP practices and some 180 type 1 A&E sites;
    each region gets its share of each, on a ``size_km`` square street grid of ``spacing_m``
    blocks with its own bus feed, laid out 100 km apart over Great Britain's grid.

    Parameters
    ----------
    folder
        Where the extracts and feeds are written (reused when present).
    regions
        How many regions.
    lsoas
        Origins over all regions.
    size_km, spacing_m
        Each region's side and street spacing.
    seed
        Base random seed.

    Returns
    -------
    list of BatchRegion
        The regions, in order.
    """
    out = []
    per_row = int(np.ceil(np.sqrt(regions)))
    for k in range(regions):
        x0 = 300_000.0 + (k % per_row) * 100_000.0
        y0 = 150_000.0 + (k // per_row) * 100_000.0
        out.append(synthetic_region(
            folder, f"R{k + 1}", x0_m=x0, y0_m=y0, size_km=size_km, spacing_m=spacing_m,
            lsoas=lsoas // regions + (1 if k < lsoas % regions else 0),
            gps=round(6_300 / regions), hospitals=round(180 / regions), seed=seed + k,
        ))
    return out
