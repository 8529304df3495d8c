"""What a GeoPackage built to exhaust the reader costs before hiap refuses it.

One feature whose geometry is a collection of N empty GeometryCollections (9 bytes each, so a
million is a 9 MB blob, under the 50 MB upload limit): nothing to draw, but shapely builds one
object per member. hiap's GeoPackage reader counts parts in its WKB walk and refuses the blob
at the collection's declared count (10,000 rings and parts per upload), before shapely sees it.

Prints the CPU and wall time of :func:`hiap.schemes.read_scheme` on the file, the growth of
the process's peak memory while reading (the file is built first), and the refusal. Session
2026-12-02 #3, load 1.3, one million members: 2.65 s CPU and +307 MB with the code before the
walk counted parts (6ffd47c~1, run with ``PYTHONPATH`` at a ``git archive`` of it); 0.02 s
and +0 MB after.

Usage::

    python benchmarks/hostile_geometry.py [--members 1000000]
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import struct
import tempfile
import time
from contextlib import closing
from pathlib import Path

from _common import load_note

from hiap.errors import UnsafeUploadError
from hiap.schemes import read_scheme
from hiap.settings import get_settings

BNG_WKT = (
    'PROJCS["OSGB 1936 / British National Grid",GEOGCS["OSGB 1936",DATUM["OSGB_1936",'
    'SPHEROID["Airy 1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["latitude_of_origin",49],PARAMETER["central_meridian",-2],'
    'PARAMETER["scale_factor",0.9996012717],PARAMETER["false_easting",400000],'
    'PARAMETER["false_northing",-100000],UNIT["metre",1]]'
)


def empty_collections_gpkg(path: Path, members: int) -> bytes:
    """Write a one-feature GeoPackage of ``members`` empty collections; return its bytes."""
    wkb = struct.pack("<BII", 1, 7, members) + struct.pack("<BII", 1, 7, 0) * members
    blob = b"GP" + bytes([0, 1]) + struct.pack("<i", 27700) + wkb
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(
            "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, "
            "organization TEXT, organization_coordsys_id INTEGER, definition TEXT, "
            "description TEXT);"
            "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, "
            "srs_id INTEGER);"
            "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
            "geometry_type_name TEXT, srs_id INTEGER, z TINYINT, m TINYINT);"
            "CREATE TABLE site (fid INTEGER PRIMARY KEY, geom BLOB);"
        )
        db.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('BNG', 27700, 'EPSG', 27700, ?, '')",
            (BNG_WKT,),
        )
        db.execute("INSERT INTO gpkg_contents VALUES ('site', 'features', 27700)")
        db.execute("INSERT INTO gpkg_geometry_columns VALUES ('site', 'geom', 'GEOMETRY', 27700, 0, 0)")
        db.execute("INSERT INTO site (geom) VALUES (?)", (blob,))
    return path.read_bytes()


def main() -> None:
    """Build the file, read it once, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hiap-bench-") as tmp:
        data = empty_collections_gpkg(Path(tmp) / "collections.gpkg", args.members)
        settings = get_settings(environ={}, data_dir=Path(tmp), cache_dir=Path(tmp) / "cache")
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            read_scheme(data, filename="collections.gpkg", settings=settings)
            outcome = "read (not refused)"
        except UnsafeUploadError as error:
            outcome = f"refused: {error}"
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024
    print(f"{args.members:,} empty collections in one feature ({len(data) / 1e6:.1f} MB file)")
    print(f"read_scheme: {cpu:.2f} s CPU, {wall:.2f} s wall, peak memory +{grown_mb:.0f} MB")
    print(outcome[:160])
    print(load_note())


if __name__ == "__main__":
    main()
