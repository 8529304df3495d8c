"""Points of interest, greenspace and street lines from an OpenStreetMap extract.

One pass of libosmium (through pyosmium) over a ``.osm``/``.osm.pbf`` file gives four
GeoDataFrames in British National Grid (EPSG:27700):

- ``pois``: one row per (feature, category), e.g. a school, a fast-food outlet, a bus stop;
  polygons (school grounds, supermarket buildings) keep their polygon so that distances from
  a school are measured from its grounds;
- ``greenspace``: accessible greenspace polygons (see :data:`GREENSPACE_TAGS`), dissolved into
  sites when they touch, with their area in hectares;
- ``streets``: every ``highway=*`` way as a line with flags for footways and cycleways;
- ``water``: lakes, ponds, reservoirs and river areas as polygons, and rivers, streams, canals
  and drains as lines (see :data:`WATER_AREA_TAGS`, :data:`WATERWAY_LINES`), for base maps.

Which greenspace counts
-----------------------
Natural England's ANGSt (*Nature Nearby*, NE265, 2010) counts "accessible natural greenspace":
places where human control and activities are not intensive so that a feeling of naturalness
predominates, open to the public (parks, country parks, nature reserves, commons, village
greens, accessible woodland). The Green Infrastructure Framework (Natural England, 2023) uses
the same notion of publicly accessible greenspace for its size-and-proximity standards.
OpenStreetMap cannot tell how *natural* a park feels, so we take the tags whose meaning is
"open green space the public may enter": ``leisure=park|garden|nature_reserve|common``,
``landuse=recreation_ground|village_green``, and woodland (``natural=wood``,
``landuse=forest``) only when tagged open (``access=yes|permissive|designated``), because most
English woodland is private. We leave out ``landuse=grass`` (mostly verges and amenity strips
too small and not meant for use), farmland, meadows, golf courses, cemeteries and sports
pitches on their own, and anything tagged ``access=private|no``. This is an approximation of
ANGSt's definition and reports say so.

Results are cached as GeoParquet under ``settings.cache_dir / "osm_features"`` keyed by the
SHA-256 digest of the file, so an extract is read once.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
import pyproj
import shapely
from osmium.osm import mutable

from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.cache import file_digest

__all__ = [
    "EXTRACTOR_VERSION",
    "GREENSPACE_TAGS",
    "WATERWAY_LINES",
    "WATER_AREA_TAGS",
    "OsmFeatures",
    "extract_osm_features",
    "file_digest",
]

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = 2
"""Bump when the tag rules change, so cached extracts are rebuilt."""

BNG = "EPSG:27700"

GREENSPACE_TAGS: dict[str, frozenset[str]] = {
    "leisure": frozenset({"park", "garden", "nature_reserve", "common"}),
    "landuse": frozenset({"recreation_ground", "village_green"}),
}
"""Tags that make a polygon accessible greenspace unless tagged private."""

WATER_AREA_TAGS: dict[str, frozenset[str]] = {
    "natural": frozenset({"water"}),
    "waterway": frozenset({"riverbank", "dock"}),
    "landuse": frozenset({"reservoir", "basin"}),
}
"""Tags that make an area open water on a base map (lakes, ponds, reservoirs, river areas)."""

WATERWAY_LINES = frozenset({"river", "stream", "canal", "drain", "ditch"})
"""``waterway=*`` values drawn as water lines on a base map."""

_WOODLAND = {("natural", "wood"), ("landuse", "forest")}
_OPEN_ACCESS = frozenset({"yes", "permissive", "designated", "public"})
_CLOSED_ACCESS = frozenset({"private", "no", "customers", "military"})
_FOOD_SHOPS = frozenset({"supermarket", "convenience", "greengrocer"})
_SPORTS = frozenset(
    {"pitch", "sports_centre", "fitness_centre", "track", "swimming_pool", "sports_hall"}
)
_PATHS = frozenset(
    {"footway", "cycleway", "path", "pedestrian", "steps", "bridleway", "track", "living_street"}
)
_SIDEWALK_YES = frozenset({"both", "left", "right", "yes", "separate"})
_CYCLEWAY_NO = frozenset({"no", "none", "opposite"})
_PRIMARY_NAME = re.compile(r"\b(primary|infant|infants|junior|first school)\b", re.IGNORECASE)

POI_CATEGORIES: tuple[str, ...] = (
    "gp",
    "hospital",
    "pharmacy",
    "school",
    "fast_food",
    "supermarket",
    "greengrocer",
    "convenience",
    "market",
    "bus_stop",
    "playground",
    "sports",
)


@dataclass(frozen=True)
class OsmFeatures:
    """What an OSM extract says about destinations, greenspace and streets (EPSG:27700).

    Parameters
    ----------
    pois
        Columns ``category``, ``kind`` (the OSM tag value), ``name``, ``primary``
        (schools that OSM or their name mark as primary), ``osm_id``, geometry.
    greenspace
        Accessible greenspace sites: ``area_ha``, ``kinds`` (tag values dissolved in), geometry.
    streets
        Every highway way: ``highway``, ``sidewalk`` and ``cycleway`` (bool: OSM tags one),
        ``is_path`` (a dedicated footway/cycleway/path), ``osm_id``, geometry.
    water
        Open water: ``kind`` (the tag, e.g. ``natural=water``, ``waterway=river``), ``name``,
        ``osm_id``, geometry (polygons for areas, lines for waterways).
    source
        Attribution and date sentence for the extract.
    digest
        SHA-256 of the extract file.
    bounds
        The extent of the extract's streets (minx, miny, maxx, maxy) in EPSG:27700.
    """

    pois: gpd.GeoDataFrame
    greenspace: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    source: str
    digest: str
    bounds: tuple[float, float, float, float]

    def of(self, *categories: str) -> gpd.GeoDataFrame:
        """Return the points of interest in any of ``categories`` (one row per feature)."""
        rows = self.pois[self.pois["category"].isin(categories)]
        return rows.drop_duplicates("osm_id")


def extract_osm_features(path: Path | str, *, settings: Settings) -> OsmFeatures:
    """Read destinations, greenspace and streets from an OSM extract, cached by digest.

    Parameters
    ----------
    path
        An OSM XML (``.osm``) or PBF (``.osm.pbf``) file.
    settings
        Where the cache lives (``settings.cache_dir``).

    Returns
    -------
    OsmFeatures
        The four layers in EPSG:27700 with the extract's source sentence.

    Raises
    ------
    DataError
        When the file is missing or not a readable OSM file.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"OSM extract {path.name} not found. Put an .osm.pbf of the area in the data "
            "directory (hiap data status lists what is expected)."
        )
    digest = file_digest(path)
    folder = settings.cache_dir / "osm_features" / f"v{EXTRACTOR_VERSION}-{digest[:32]}"
    names = ("pois", "greenspace", "streets", "water")
    meta_file = folder / "meta.json"
    if meta_file.is_file() and all((folder / f"{n}.parquet").is_file() for n in names):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        frames = [gpd.read_parquet(folder / f"{n}.parquet") for n in names]
        bounds = tuple(float(v) for v in meta["bounds"])
        pois, green, streets, water = frames
        return OsmFeatures(
            pois, green, streets, water, str(meta["source"]), digest, bounds  # type: ignore[arg-type]
        )

    features = _extract(path, digest)
    tmp = Path(tempfile.mkdtemp(dir=_ensure(folder.parent)))
    try:
        for name in names:
            getattr(features, name).to_parquet(tmp / f"{name}.parquet")
        meta_text = json.dumps({"source": features.source, "bounds": list(features.bounds)})
        (tmp / "meta.json").write_text(meta_text, encoding="utf-8")
        if folder.exists():  # another process won the race; theirs is as good as ours
            shutil.rmtree(tmp)
        else:
            tmp.rename(folder)
    except OSError as exc:  # a read-only cache must not stop the assessment
        logger.warning("could not cache OSM features in the cache folder %s: %s", folder.name, exc)
        shutil.rmtree(tmp, ignore_errors=True)
    return features


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _extract(path: Path, digest: str) -> OsmFeatures:
    try:
        return _scan(path, path, digest)
    except RuntimeError as exc:
        if "out of order" not in str(exc):
            raise DataError(f"{path.name} is not a readable OSM file: {exc}") from exc
    # Area assembly needs objects sorted by type then id; API exports often are not.
    logger.info("%s is not sorted; sorting a temporary copy", path.name)
    with tempfile.TemporaryDirectory() as tmpdir:
        sorted_path = Path(tmpdir) / "sorted.osm.pbf"
        _write_sorted(path, sorted_path)
        return _scan(sorted_path, path, digest)


def _write_sorted(src: Path, dst: Path) -> None:
    nodes: list[mutable.Node] = []
    ways: list[mutable.Way] = []
    rels: list[mutable.Relation] = []
    for o in osmium.FileProcessor(str(src)):
        if isinstance(o, osmium.osm.Changeset):
            continue
        tags = {t.k: t.v for t in o.tags}
        if isinstance(o, osmium.osm.Node):
            loc = osmium.osm.Location(o.location.lon, o.location.lat)
            nodes.append(mutable.Node(o, tags=tags, location=loc))
        elif isinstance(o, osmium.osm.Way):
            ways.append(mutable.Way(o, tags=tags, nodes=[n.ref for n in o.nodes]))
        elif isinstance(o, osmium.osm.Relation):
            members = [(m.type, m.ref, m.role) for m in o.members]
            rels.append(mutable.Relation(o, tags=tags, members=members))
    with osmium.SimpleWriter(str(dst)) as writer:
        for n in sorted(nodes, key=lambda x: x.id or 0):
            writer.add_node(n)
        for w in sorted(ways, key=lambda x: x.id or 0):
            writer.add_way(w)
        for r in sorted(rels, key=lambda x: x.id or 0):
            writer.add_relation(r)


def _poi_categories(tags: dict[str, str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    amenity = tags.get("amenity", "")
    shop = tags.get("shop", "")
    leisure = tags.get("leisure", "")
    healthcare = tags.get("healthcare", "")
    if amenity == "doctors" or healthcare == "doctor":
        out.append(("gp", amenity or healthcare))
    if amenity == "hospital" or healthcare == "hospital":
        out.append(("hospital", "hospital"))
    if amenity == "pharmacy" or healthcare == "pharmacy":
        out.append(("pharmacy", "pharmacy"))
    if amenity == "school":
        out.append(("school", "school"))
    if amenity == "fast_food":
        out.append(("fast_food", tags.get("cuisine", "fast_food")))
    if shop in _FOOD_SHOPS:
        out.append((shop, shop))
    if amenity == "marketplace":
        out.append(("market", amenity))
    bus_platform = tags.get("public_transport") == "platform" and tags.get("bus") == "yes"
    if tags.get("highway") == "bus_stop" or bus_platform or amenity == "bus_station":
        out.append(("bus_stop", tags.get("highway") or amenity or "platform"))
    if leisure == "playground":
        out.append(("playground", leisure))
    if leisure in _SPORTS:
        out.append(("sports", leisure))
    if tags.get("access", "") in _CLOSED_ACCESS and leisure:
        # A private pitch or playground is no use to the public; shops and GPs keep theirs.
        out = [c for c in out if c[0] not in ("playground", "sports")]
    return out


def _greenspace_kind(tags: dict[str, str]) -> str | None:
    access = tags.get("access", "")
    if access in _CLOSED_ACCESS:
        return None
    for key, values in GREENSPACE_TAGS.items():
        if tags.get(key, "") in values:
            return f"{key}={tags[key]}"
    for key, value in _WOODLAND:
        if tags.get(key) == value and access in _OPEN_ACCESS:
            return f"{key}={value}"
    return None


def _water_kind(tags: dict[str, str]) -> str | None:
    for key, values in WATER_AREA_TAGS.items():
        if tags.get(key, "") in values:
            return f"{key}={tags[key]}"
    return None


def _is_primary(tags: dict[str, str]) -> bool:
    isced = tags.get("isced:level", "")
    if isced:
        return any(part.strip().startswith("1") for part in re.split(r"[;,]", isced))
    return bool(_PRIMARY_NAME.search(tags.get("name", "")))


def _scan(path: Path, original: Path, digest: str) -> OsmFeatures:
    wkb = osmium.geom.WKBFactory()
    poi_rows: list[dict[str, object]] = []
    green_rows: list[dict[str, object]] = []
    street_rows: list[dict[str, object]] = []
    water_rows: list[dict[str, object]] = []
    minx = miny = float("inf")
    maxx = maxy = float("-inf")
    newest = 0.0
    for obj in osmium.FileProcessor(str(path)).with_areas().with_locations():
        if isinstance(obj, osmium.osm.Changeset):
            continue
        newest = max(newest, obj.timestamp.timestamp() if obj.timestamp else 0.0)
        if isinstance(obj, osmium.osm.Node) and obj.location.valid():
            loc = obj.location
            minx, maxx = min(minx, loc.lon), max(maxx, loc.lon)
            miny, maxy = min(miny, loc.lat), max(maxy, loc.lat)
        tags = {t.k: t.v for t in obj.tags}
        if not tags or isinstance(obj, osmium.osm.Relation):
            continue  # relations come back as areas when they are multipolygons
        if isinstance(obj, osmium.osm.Way):
            if "highway" in tags and len(obj.nodes) >= 2:
                try:
                    line = wkb.create_linestring(obj)
                except RuntimeError:  # nodes missing from a clipped extract
                    continue
                street_rows.append(_street_row(obj.id, tags, line))
            elif tags.get("waterway") in WATERWAY_LINES and len(obj.nodes) >= 2:
                try:
                    line = wkb.create_linestring(obj)
                except RuntimeError:
                    continue
                water_rows.append(
                    {"kind": f"waterway={tags['waterway']}", "name": tags.get("name", ""),
                     "osm_id": f"w{obj.id}", "geometry": line}
                )  # fmt: skip
            continue  # closed ways come back as areas below
        cats = _poi_categories(tags)
        is_area = isinstance(obj, osmium.osm.Area)
        green = _greenspace_kind(tags) if is_area else None
        water = _water_kind(tags) if is_area else None
        if not cats and green is None and water is None:
            continue
        try:
            if isinstance(obj, osmium.osm.Node):
                geom, osm_id = wkb.create_point(obj), f"n{obj.id}"
            else:
                geom, osm_id = wkb.create_multipolygon(obj), _area_id(obj)
        except RuntimeError:
            continue
        for category, kind in cats:
            poi_rows.append(
                {
                    "category": category,
                    "kind": kind,
                    "name": tags.get("name", ""),
                    "primary": category == "school" and _is_primary(tags),
                    "osm_id": osm_id,
                    "geometry": geom,
                }
            )
        if green is not None:
            green_rows.append({"kind": green, "name": tags.get("name", ""), "geometry": geom})
        if water is not None:
            water_rows.append(
                {"kind": water, "name": tags.get("name", ""), "osm_id": osm_id, "geometry": geom}
            )

    if minx == float("inf"):
        raise DataError(f"{original} holds no nodes: is it an OSM extract?")
    pois = _frame(poi_rows, ["category", "kind", "name", "primary", "osm_id"])
    streets = _frame(street_rows, ["highway", "sidewalk", "cycleway", "is_path", "osm_id"])
    greenspace = _dissolve_greenspace(_frame(green_rows, ["kind", "name"]))
    water = _frame(water_rows, ["kind", "name", "osm_id"])
    if streets.empty:
        to_bng = pyproj.Transformer.from_crs("EPSG:4326", BNG, always_xy=True)
        bounds = tuple(float(v) for v in to_bng.transform_bounds(minx, miny, maxx, maxy))
    else:  # stray nodes of long relations would stretch a node-based extent
        bounds = tuple(float(v) for v in streets.total_bounds)
    dated = datetime.fromtimestamp(newest, tz=UTC).date().isoformat() if newest else "unknown"
    source = (
        f"OpenStreetMap (© OpenStreetMap contributors, ODbL 1.0) extract {original.name}, "
        f"edits up to {dated}"
    )
    return OsmFeatures(pois, greenspace, streets, water, source, digest, bounds)  # type: ignore[arg-type]


def _area_id(obj: osmium.osm.Area) -> str:
    return f"w{obj.orig_id()}" if obj.from_way() else f"r{obj.orig_id()}"


def _street_row(way_id: int, tags: dict[str, str], geom: str) -> dict[str, object]:
    sidewalk_tags = [
        tags.get(k, "") for k in ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")
    ]
    cycle_tags = [v for k, v in tags.items() if k == "cycleway" or k.startswith("cycleway:")]
    return {
        "highway": tags["highway"],
        "sidewalk": any(v in _SIDEWALK_YES for v in sidewalk_tags),
        "cycleway": any(v and v not in _CYCLEWAY_NO for v in cycle_tags),
        "is_path": tags["highway"] in _PATHS,
        "osm_id": f"w{way_id}",
        "geometry": geom,
    }


def _frame(rows: list[dict[str, object]], columns: list[str]) -> gpd.GeoDataFrame:
    if not rows:
        return gpd.GeoDataFrame(columns=[*columns, "geometry"], geometry="geometry", crs=BNG)
    df = pd.DataFrame(rows)
    geoms = shapely.from_wkb(df.pop("geometry").map(bytes.fromhex).to_numpy())
    return gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4326").to_crs(BNG)


def _dissolve_greenspace(green: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge greenspace polygons that overlap or touch (within 5 m) into sites."""
    if green.empty:
        return gpd.GeoDataFrame({"area_ha": [], "kinds": [], "name": []}, geometry=[], crs=BNG)
    geoms = shapely.make_valid(green.geometry.to_numpy())
    # A park drawn next to a wood, or split by a path, is one site to the person using it.
    grown = shapely.buffer(geoms, 2.5)
    merged = shapely.get_parts(shapely.union_all(grown))
    site_of = shapely.STRtree(merged).query(shapely.point_on_surface(geoms), predicate="intersects")
    site_idx = pd.Series(site_of[1], index=site_of[0]).groupby(level=0).first()
    frame = green.assign(site=site_idx.reindex(range(len(green))).to_numpy(), geometry=geoms)
    rows = []
    for _, part in frame.groupby("site"):
        geom = shapely.union_all(part.geometry.to_numpy())
        names = sorted({n for n in part["name"] if n})
        rows.append(
            {
                "area_ha": float(geom.area) / 1e4,
                "kinds": ";".join(sorted(set(part["kind"]))),
                "name": "; ".join(names),
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)
