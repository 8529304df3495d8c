"""What each network or timetable file in the data directory covers, read from the file itself.

A file's name says little ("rutland-latest.osm.pbf" in a Cambridgeshire tool, a Porto Alegre
feed in ``transit/``), so ``hiap data status`` and the Data sources page describe each file by
what is in it:

- OSM extracts: the hull of the extract's nodes (for an Overpass download of a network, the
  network's hull) against the six district boundaries, so the share of each district covered;
  the places named in it (``place=city|town|village``); and whether it holds paths at all (an
  OSMnx "drive" download has no footways, so it is no walk network).
- GTFS feeds: agencies, number of routes, and the hull of the stops against the districts.
- TransXChange files: the services (line, description, operator, operating period), how many
  stops, their localities and, with NaPTAN in the data directory, the stops in each district.

A file that covers none of the six districts is a *sample* (e.g. the Porto Alegre test data of
r5r), not the region's data. Results are cached in ``cache_dir/data_coverage`` under the file's
path, size and modification time, so the status is quick after the first look.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hiap.settings import Settings

__all__ = ["Coverage", "file_coverage", "files_coverage"]

logger = logging.getLogger(__name__)

_CACHE_VERSION = 2
_PATH_HIGHWAYS = frozenset(
    {"footway", "path", "cycleway", "pedestrian", "steps", "bridleway"}
)
_PLACE_RANK = {"city": 0, "town": 1, "village": 2, "suburb": 3, "hamlet": 4}
_MOSTLY_IN_REGION = 0.5


@dataclass(frozen=True)
class Coverage:
    """What one file covers.

    Parameters
    ----------
    summary
        One line for people: places, services, districts covered.
    district_share
        District name -> share (0 to 1) of the district's area inside the file's hull; only
        the districts it touches. Empty for TransXChange (a route is no area: the summary
        counts its stops in each district instead).
    region_share
        Share (0 to 1) of the file's hull (or stops) inside the six districts.
    notes
        Caveats, e.g. ``"drive network only: no footways, paths or cycleways"``.
    """

    summary: str
    district_share: Mapping[str, float] = field(default_factory=dict)
    region_share: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def is_sample(self) -> bool:
        """Whether the file lies outside the six districts (a sample, not the region's data)."""
        return self.region_share == 0.0

    def label(self) -> str:
        """Return the summary with the district shares and notes, for a table cell."""
        parts = [self.summary]
        if self.district_share:
            shares = ", ".join(
                f"{name} {share:.0%}" if share >= 0.005 else f"{name} <1%"
                for name, share in sorted(self.district_share.items(), key=lambda kv: -kv[1])
            )
            parts.append(f"districts covered: {shares}")
        if self.is_sample:
            parts.append("SAMPLE: outside Cambridgeshire and Peterborough, not the region's data")
        elif self.region_share < _MOSTLY_IN_REGION:
            parts.append(f"mostly outside the region ({self.region_share:.0%} inside)")
        parts.extend(self.notes)
        return "; ".join(parts)


def _districts(settings: Settings) -> list[tuple[str, object]]:
    """Return the six districts as ``(name, polygon in EPSG:27700)``; empty without boundaries."""
    from hiap.data.population import load_districts
    from hiap.errors import DataError

    try:
        frame = load_districts(settings)
    except DataError as exc:
        logger.info("no district boundaries for coverage: %s", exc)
        return []
    return list(zip(frame["lad_name"].astype(str), frame.geometry, strict=True))


def _to_bng(lon: Iterable[float], lat: Iterable[float]) -> tuple[object, object]:
    import numpy as np
    import pyproj

    to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = to_bng.transform(np.asarray(list(lon), float), np.asarray(list(lat), float))
    return x, y


def _hull_shares(
    lon: list[float], lat: list[float], districts: list[tuple[str, object]]
) -> tuple[dict[str, float], float]:
    """Share of each district inside the points' convex hull, and the hull's share in the region."""
    import shapely

    if len(lon) < 3 or not districts:
        return {}, 0.0
    x, y = _to_bng(lon, lat)
    hull = shapely.convex_hull(shapely.multipoints(shapely.points(x, y)))
    if hull.area == 0:
        return {}, 0.0
    shares: dict[str, float] = {}
    inside = 0.0
    for name, polygon in districts:
        overlap = hull.intersection(polygon).area
        if overlap > 0:
            shares[name] = overlap / polygon.area  # type: ignore[attr-defined]
            inside += overlap
    return shares, min(inside / hull.area, 1.0)


def _osm_coverage(path: Path, districts: list[tuple[str, object]]) -> Coverage:
    import osmium

    lon: list[float] = []
    lat: list[float] = []
    places: list[tuple[int, str]] = []
    highways: Counter[str] = Counter()

    class _Scan(osmium.SimpleHandler):
        def node(self, node: osmium.osm.Node) -> None:
            place = node.tags.get("place")
            if place in _PLACE_RANK and node.tags.get("name"):
                places.append((_PLACE_RANK[place], node.tags["name"]))

        def way(self, way: osmium.osm.Way) -> None:
            highway = way.tags.get("highway")
            if not highway:
                return
            highways[highway] += 1
            # The hull of the street network, not of every node: a county extract also holds
            # the far-away nodes of boundary relations and long ways that cross its edge.
            for ref in way.nodes:
                if ref.location.valid():
                    lon.append(ref.location.lon)
                    lat.append(ref.location.lat)

    _Scan().apply_file(str(path), locations=True)
    shares, region = _hull_shares(lon, lat, districts)
    names = [name for _, name in sorted(set(places))][:5]
    where = f"places: {', '.join(names)}" if names else "no named places"
    n_ways = sum(highways.values())
    notes: list[str] = []
    paths = sum(n for kind, n in highways.items() if kind in _PATH_HIGHWAYS)
    if n_ways and paths == 0:
        notes.append(
            "drive network only: no footways, paths or cycleways, so walking times on it are "
            "along roads only"
        )
    summary = f"OSM extract, {n_ways:,} highway ways; {where}"
    return Coverage(summary, shares, region, tuple(notes))


def _gtfs_coverage(path: Path, districts: list[tuple[str, object]]) -> Coverage:
    import csv
    import io

    with zipfile.ZipFile(path) as zf:
        names = {Path(n).name: n for n in zf.namelist()}

        def rows(member: str) -> list[dict[str, str]]:
            if member not in names:
                return []
            with zf.open(names[member]) as fh:
                return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig")))

        agencies = sorted({r.get("agency_name", "").strip() for r in rows("agency.txt")} - {""})
        routes = rows("routes.txt")
        stops = rows("stops.txt")
    lon, lat = [], []
    for stop in stops:
        try:
            lon.append(float(stop["stop_lon"]))
            lat.append(float(stop["stop_lat"]))
        except (KeyError, TypeError, ValueError):
            continue
    shares, region = _hull_shares(lon, lat, districts)
    who = ", ".join(agencies) or "no agency named"
    summary = f"GTFS feed of {who}: {len(routes):,} routes, {len(stops):,} stops"
    if lon:
        summary += f" around lon {sum(lon) / len(lon):.2f}, lat {sum(lat) / len(lat):.2f}"
    return Coverage(summary, shares, region)


def _txc_coverage(
    path: Path, districts: list[tuple[str, object]], stop_points: Mapping[str, tuple[float, float]]
) -> Coverage:
    from defusedxml import ElementTree

    root = ElementTree.parse(path).getroot()
    # TransXChange elements are namespaced; match on the local name.
    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    stops: list[str] = []
    localities: Counter[str] = Counter()
    services: list[str] = []
    operators: set[str] = set()
    periods: list[str] = []
    for element in root.iter():
        tag = local(element.tag)
        if tag == "AnnotatedStopPointRef":
            for child in element:
                if local(child.tag) == "StopPointRef" and child.text:
                    stops.append(child.text.strip())
                elif local(child.tag) == "LocalityName" and child.text:
                    localities[child.text.strip()] += 1
        elif tag == "Service":
            line = description = ""
            for sub in element.iter():
                sub_tag = local(sub.tag)
                if sub_tag == "LineName" and not line and sub.text:
                    line = sub.text.strip()
                elif sub_tag == "Description" and not description and sub.text:
                    description = sub.text.strip()
                elif sub_tag in ("StartDate", "EndDate") and sub.text:
                    periods.append(sub.text.strip())
            services.append(f"{line} ({description})" if description else line)
        elif tag in ("OperatorShortName", "TradingName") and element.text:
            operators.add(element.text.strip())
    places = [name for name, _ in localities.most_common(6)]
    summary = f"TransXChange: service {', '.join(s for s in services if s) or '(unnamed)'}"
    if operators:
        summary += f", {', '.join(sorted(operators))}"
    if periods:
        summary += f", {min(periods)} to {max(periods)}"
    summary += f"; {len(stops):,} stops"
    if places:
        summary += f" in {', '.join(places)}"
    # A bus service covers a corridor, not an area: count its stops in each district instead
    # (district_share stays empty, so no one reads a route as covering a district's area).
    region = 0.0
    located = [stop_points[s] for s in stops if s in stop_points]
    if located and districts:
        import shapely

        x, y = _to_bng([lon for _, lon in located], [lat for lat, _ in located])
        points = shapely.points(x, y)
        by_district: dict[str, int] = {}
        for name, polygon in districts:
            n = int(shapely.contains(polygon, points).sum())
            if n:
                by_district[name] = n
        region = sum(by_district.values()) / len(located)
        summary += "; stops by district: " + ", ".join(
            f"{name} {n}" for name, n in sorted(by_district.items(), key=lambda kv: -kv[1])
        )
    elif stops:
        # Without NaPTAN, the ATCO area of the stop codes: 050 Cambridgeshire, 059 Peterborough.
        region = sum(s[:3] in ("050", "059") for s in stops) / len(stops)
    return Coverage(summary, {}, region)


def _naptan(settings: Settings) -> dict[str, tuple[float, float]]:
    paths = sorted(settings.data_dir.glob("transit/**/*naptan*Stops*.csv"))
    if not paths:
        return {}
    from isochrones.gtfs.naptan import naptan_coordinates

    try:
        return naptan_coordinates(paths)
    except Exception as exc:  # an unreadable NaPTAN file only costs the per-district counts
        logger.info("NaPTAN unreadable for coverage: %s", exc)
        return {}


def file_coverage(
    path: Path,
    districts: list[tuple[str, object]],
    *,
    stop_points: Mapping[str, tuple[float, float]] | None = None,
) -> Coverage | None:
    """Describe what one OSM extract, GTFS feed or TransXChange file covers.

    Parameters
    ----------
    path
        The file (``.osm``, ``.osm.pbf``, GTFS ``.zip`` or TransXChange ``.xml``).
    districts
        ``(name, polygon in EPSG:27700)`` of the districts to measure against.
    stop_points
        ATCO code -> ``(lat, lon)`` from NaPTAN, to place TransXChange stops.

    Returns
    -------
    Coverage or None
        ``None`` for other kinds of file, or one that cannot be read (its status says so).
    """
    name = path.name.lower()
    try:
        if name.endswith((".osm.pbf", ".osm")):
            return _osm_coverage(path, districts)
        if name.endswith(".zip"):
            return _gtfs_coverage(path, districts)
        if name.endswith(".xml"):
            return _txc_coverage(path, districts, stop_points or {})
    except Exception as exc:  # a damaged file: say so instead of failing the whole status
        logger.info("could not read %s for coverage: %s", path, exc)
        return Coverage("could not be read (damaged or not this format)")
    return None


def _cache_key(path: Path) -> str:
    stat = path.stat()
    text = f"{_CACHE_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def files_coverage(paths: Iterable[Path], settings: Settings) -> dict[Path, Coverage]:
    """Describe every network or timetable file among ``paths``, cached by path, size and time.

    Parameters
    ----------
    paths
        Files of the data directory (others than OSM, GTFS and TransXChange are skipped).
    settings
        Gives the data directory (district boundaries, NaPTAN) and the cache folder.

    Returns
    -------
    dict
        Path -> :class:`Coverage` for the files that could be described.
    """
    wanted = [p for p in paths if p.name.lower().endswith((".osm.pbf", ".osm", ".zip", ".xml"))]
    cache_dir = Path(settings.cache_dir) / "data_coverage"
    result: dict[Path, Coverage] = {}
    todo: list[tuple[Path, Path]] = []
    for path in wanted:
        cached = cache_dir / f"{_cache_key(path)}.json"
        try:
            raw = json.loads(cached.read_text(encoding="utf-8"))
            raw["notes"] = tuple(raw.get("notes", ()))
            result[path] = Coverage(**raw)
        except (OSError, ValueError, TypeError):
            todo.append((path, cached))
    if todo:
        districts = _districts(settings)
        stops = _naptan(settings) if any(p.suffix.lower() == ".xml" for p, _ in todo) else {}
        for path, cached in todo:
            coverage = file_coverage(path, districts, stop_points=stops)
            if coverage is None:
                continue
            result[path] = coverage
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(asdict(coverage)), encoding="utf-8")
            except OSError:  # a read-only cache only costs speed
                logger.info("could not cache coverage of %s", path)
    return result
