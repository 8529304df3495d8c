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
import struct
import sys
import tempfile
import time
from pathlib import Path

from _common import load_note

# why: the GeoPackage writer the security tests use, not a second copy of it
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hiap.errors import UnsafeUploadError
from hiap.schemes import read_scheme
from hiap.settings import get_settings
from tests.security import hostile


def empty_collections_gpkg(path: Path, members: int) -> bytes:
    """Write a one-feature GeoPackage of ``members`` empty collections; return its bytes."""
    wkb = struct.pack("<BII", 1, 7, members) + struct.pack("<BII", 1, 7, 0) * members
    blob = b"GP" + bytes([0, 1]) + struct.pack("<i", 27700) + wkb
    return hostile.gpkg(path, rows=[(blob,)])


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
