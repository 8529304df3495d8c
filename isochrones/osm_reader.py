"""Read walkable ways from a local OSM extract (PBF or XML) with libosmium.

The reading is done by pyosmium (libosmium in C++), which parses PBF and ``.osm`` XML alike and
resolves node locations on the fly, so a county extract is read in well under a second.

Which ways are walkable is decided by :func:`keeps_for_walking`, with one of two rule sets:

* ``"osmnx"`` replicates OSMnx's Overpass filter for the ``"walk"`` network type
  (``osmnx._overpass._get_network_filter("walk")`` with the default
  ``["access"!~"private"]``) tag by tag, including Overpass's unanchored regular expression
  matching (``"motor"`` excludes ``motorway`` and ``motorway_link``).
* ``"uk"`` (the default, :data:`WALK_FILTER_VERSION`) starts from the same rules and changes
  only what the law and mapping practice in England make wrong for walking. Rule by rule:

  ======================================  ===============  ==================================
  Way's tags                              OSMnx "walk"     UK walk filter (``"uk"``)
  ======================================  ===============  ==================================
  no ``highway`` tag                      dropped          dropped (same)
  ``area=yes``                            dropped          dropped (same)
  ``highway`` matching ``abandoned``,     dropped          dropped (same)
  ``bus_guideway``, ``construction``,
  ``motor`` (motorway, motorway_link),
  ``no``, ``planned``, ``platform``,
  ``proposed``, ``raceway``, ``razed``,
  ``rest_area``, ``services``
  ``highway=cycleway`` with ``foot=yes``  dropped          **kept**: a shared-use path
  / ``designated`` / ``permissive``                        (UK shared cycle/footways are
                                                           mostly tagged like this)
  ``highway=cycleway`` that is a public   dropped          **kept**: a right of way on foot
  right of way (below)
  other ``highway=cycleway``              dropped          dropped (same)
  ``highway=bridleway``                   kept             kept (same: walkers may use
                                                           bridleways in England and Wales)
  ``access=private`` (or                  dropped          **kept** when ``foot=yes`` /
  ``service=private``)                                     ``designated`` / ``permissive``
                                                           or a public right of way (the
                                                           more specific ``foot`` tag, and
                                                           the legal right, beat ``access``);
                                                           otherwise dropped (same)
  public right of way: ``designation=``   kept unless      kept unless ``foot=no`` /
  ``public_footpath``, ``public_bridle``  private          ``private``, also when
  ``way``, ``restricted_byway``,                           ``access=private``
  ``byway_open_to_all_traffic``,
  ``byway``, or a ``prow_ref`` tag
  ``foot`` containing ``no``              dropped          dropped (same)
  ``foot=private``                        **kept**         **dropped**: no public foot access
  ``sidewalk`` / ``sidewalk:both`` /      dropped          dropped (same: the footway is
  ``sidewalk:left`` / ``sidewalk:right``                   mapped as its own way)
  ``=separate``
  ``sidewalk=no``, trunk roads            kept             kept (same; the snapping rule of
                                                           :meth:`isochrones.WalkNetwork.snap`
                                                           keeps homes off them)
  anything else with ``highway``          kept             kept (same)
  ======================================  ===============  ==================================

  Multi-valued tags (``foot=yes;designated``) are split on ``;``. Every graph cache key
  includes :data:`WALK_FILTER_VERSION` and the rule set, so a graph built under older rules
  is never reused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any, Literal

import numpy as np
import osmium

from isochrones.errors import OsmFileError

__all__ = [
    "AVOIDED_HIGHWAYS",
    "DEFAULT_WALK_FILTER",
    "USEFUL_NODE_TAGS",
    "USEFUL_WAY_TAGS",
    "WALKWAY_HIGHWAYS",
    "WALK_FILTER_VERSION",
    "WalkFilter",
    "WalkWays",
    "avoid_snapping",
    "extract_bounds",
    "is_walkway",
    "keeps_for_walking",
    "read_tagged_points",
    "read_walk_ways",
]

logger = logging.getLogger(__name__)

# (tag, regex) pairs: a way is dropped when the tag is present and the regex matches anywhere in
# its value, which is what Overpass's ["key"!~"regex"] means (absent keys pass).
_EXCLUDE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("area", re.compile("yes")),
    ("access", re.compile("private")),
    (
        "highway",
        re.compile(
            "abandoned|bus_guideway|construction|cycleway|motor|no|planned|"
            "platform|proposed|raceway|razed|rest_area|services"
        ),
    ),
    ("foot", re.compile("no")),
    ("service", re.compile("private")),
    ("sidewalk", re.compile("separate")),
    ("sidewalk:both", re.compile("separate")),
    ("sidewalk:left", re.compile("separate")),
    ("sidewalk:right", re.compile("separate")),
)

WalkFilter = Literal["uk", "osmnx"]
"""Rule sets of :func:`keeps_for_walking`: the UK walk filter or OSMnx's own."""

DEFAULT_WALK_FILTER: WalkFilter = "uk"
"""The rule set used unless a caller asks for another."""

WALK_FILTER_VERSION = "uk-1"
"""Version of the UK rules; bump it whenever :func:`keeps_for_walking` changes."""

_FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
_FOOT_REFUSED = frozenset({"no", "private"})
_PROW_DESIGNATIONS = frozenset(
    {
        "public_footpath",
        "public_bridleway",
        "restricted_byway",
        "byway_open_to_all_traffic",
        "byway",
    }
)

AVOIDED_HIGHWAYS: frozenset[str] = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
"""Road classes no home, surgery or stop is attached to while another way is near (they stay
in the network: a walk may still follow a trunk road's verge where nothing else is mapped)."""

WALKWAY_HIGHWAYS: frozenset[str] = frozenset(
    {"footway", "path", "pedestrian", "steps", "cycleway", "bridleway", "track", "corridor"}
)
"""OSM ``highway`` values only (or mainly) walked or cycled: a walk network without any is a
drive-only export (:func:`is_walkway`)."""

USEFUL_WAY_TAGS: tuple[str, ...] = (
    "access",
    "area",
    "bridge",
    "designation",
    "est_width",
    "foot",
    "highway",
    "junction",
    "landuse",
    "lanes",
    "maxspeed",
    "name",
    "oneway",
    "ref",
    "service",
    "sidewalk",
    "sidewalk:both",
    "tunnel",
    "width",
)
"""Way tags copied onto edges: OSMnx's default ``settings.useful_tags_way`` plus ``foot``,
``designation``, ``sidewalk`` and ``sidewalk:both``, which the walk filter and the snapping
rule read."""

USEFUL_NODE_TAGS: tuple[str, ...] = ("highway", "junction", "railway", "ref")
"""Node tags copied onto nodes (OSMnx's default ``settings.useful_tags_node``)."""


def _values(value: str | None) -> set[str]:
    """Split a multi-valued OSM tag (``yes;designated``) into its lower-case values."""
    if value is None:
        return set()
    return {part.strip().lower() for part in value.split(";") if part.strip()}


def keeps_for_walking(tags: Mapping[str, str], *, rules: WalkFilter = DEFAULT_WALK_FILTER) -> bool:
    """Tell whether a way with these tags belongs to the walk network.

    Parameters
    ----------
    tags
        The way's OSM tags.
    rules
        ``"uk"`` (default): the UK walk filter of this module's table; ``"osmnx"``: exactly
        OSMnx's ``"walk"`` network type.

    Returns
    -------
    bool
        True when the way has a ``highway`` tag and the rule set keeps it.
    """
    if rules not in ("uk", "osmnx"):
        raise ValueError(f"rules must be 'uk' or 'osmnx', got {rules!r}.")
    if "highway" not in tags:
        return False
    failing = {
        key
        for key, pattern in _EXCLUDE_PATTERNS
        if (value := tags.get(key)) is not None and pattern.search(value)
    }
    if rules == "osmnx":
        return not failing
    foot = _values(tags.get("foot"))
    if foot & _FOOT_REFUSED:
        return False
    right_of_way = bool(_values(tags.get("designation")) & _PROW_DESIGNATIONS) or "prow_ref" in tags
    may_walk = bool(foot & _FOOT_ALLOWED) or right_of_way
    waived: set[str] = set()
    if may_walk:
        # a shared-use path or a right of way is walkable whatever the general access says
        waived |= {"access", "service"}
        if tags["highway"] == "cycleway":
            waived.add("highway")
    return not (failing - waived)


def _tag_values(value: Any) -> list[str]:
    """Split an edge attribute into values (a merged, simplified edge holds a list)."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple | set) else [value]
    return [part.strip().lower() for item in items for part in str(item).split(";")]


def is_walkway(data: dict[str, Any]) -> bool:
    """Tell whether an edge with these attributes runs (at least partly) on a walkway.

    Parameters
    ----------
    data
        The edge's attributes (``highway``: a list on edges merged by simplification, where
        any walkway part makes the edge count).

    Returns
    -------
    bool
        True when any ``highway`` value is in :data:`WALKWAY_HIGHWAYS`.
    """
    return bool(WALKWAY_HIGHWAYS.intersection(_tag_values(data.get("highway"))))


def avoid_snapping(data: dict[str, Any]) -> bool:
    """Tell whether points should not attach to an edge with these attributes.

    Parameters
    ----------
    data
        The edge's attributes (``highway``, ``foot``, ``sidewalk``, ``sidewalk:both``; lists on
        edges merged by simplification, where any avoided part makes the edge avoided).

    Returns
    -------
    bool
        True for motorway/trunk roads and their links, and ways tagged ``foot=no`` or
        ``sidewalk=no`` (``none``, or ``sidewalk:both=no``).
    """
    if AVOIDED_HIGHWAYS.intersection(_tag_values(data.get("highway"))):
        return True
    if "no" in _tag_values(data.get("foot")):
        return True
    sidewalk = _tag_values(data.get("sidewalk")) + _tag_values(data.get("sidewalk:both"))
    return bool({"no", "none"}.intersection(sidewalk))


@dataclass(frozen=True)
class WalkWays:
    """The walkable ways of an extract, as flat arrays.

    Attributes
    ----------
    node_ids
        OSM ids of every node used by a kept way (unique, sorted).
    lon, lat
        Their WGS84 coordinates, aligned with ``node_ids``.
    node_tags
        Useful tags of the nodes that carry any, by OSM id.
    seg_u, seg_v
        OSM node ids at the two ends of each way segment (consecutive nodes of a way).
    seg_way
        Index into ``ways`` of the way each segment belongs to.
    ways
        One dict per kept way: ``osmid`` and its useful tags (empty when read without tags).
    way_avoided
        Per kept way: True when points should not attach to it (:func:`avoid_snapping`),
        computed even without tags so the array build keeps the snapping rule.
    way_walkway
        Per kept way: True when it is a walkway (:func:`is_walkway`), computed even without
        tags, so the array build can tell a drive-only extract.
    """

    node_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    node_tags: dict[int, dict[str, str]]
    seg_u: np.ndarray
    seg_v: np.ndarray
    seg_way: np.ndarray
    ways: list[dict[str, Any]]
    way_avoided: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    way_walkway: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def read_walk_ways(
    osm_path: str | Path, *, rules: WalkFilter = DEFAULT_WALK_FILTER, with_tags: bool = True
) -> WalkWays:
    """Read the walkable ways of an OSM extract.

    Parameters
    ----------
    osm_path
        A ``.osm.pbf``, ``.osm`` (XML) or ``.osm.bz2``/``.osm.gz`` file.
    rules
        The walk filter's rule set (see :func:`keeps_for_walking`).
    with_tags
        Also collect node tags and way attributes (for a networkx graph). ``False`` skips
        them (``node_tags`` and ``ways`` come back empty): only ways reach Python, which is
        what :func:`isochrones.network_arrays.build_walk_network` needs.

    Returns
    -------
    WalkWays
        Nodes, segments and way attributes of the ways kept by the walk filter. Segments
        whose node has no location in the file (a way cut by the extract) are left out.

    Raises
    ------
    OsmFileError
        When the file is missing or libosmium cannot read it.
    """
    path = Path(osm_path)
    if not path.is_file():
        raise OsmFileError(
            f"OSM extract not found: {path}. Pass the path of a .osm.pbf or .osm file "
            "(for example a Geofabrik county extract)."
        )
    node_tags: dict[int, dict[str, str]] = {}
    # Flat per-reference lists (a node shared by ways appears more than once); numpy makes
    # them unique at the end, far cheaper than a dict insert per reference.
    ref_ids: list[int] = []
    ref_lon: list[float] = []
    ref_lat: list[float] = []
    seg_u: list[int] = []
    seg_v: list[int] = []
    seg_way: list[int] = []
    avoided: list[bool] = []
    walkway: list[bool] = []
    ways: list[dict[str, Any]] = []
    n_ways = 0
    # The location handler stores every node's coordinates before the filters run, so ways
    # still get full geometry while Python sees only the objects it needs.
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        processor = processor.with_locations()
        if with_tags:
            processor = processor.with_filter(osmium.filter.EmptyTagFilter())
        else:
            processor = processor.with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            processor = processor.with_filter(osmium.filter.KeyFilter("highway"))
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                useful = {k: obj.tags[k] for k in USEFUL_NODE_TAGS if k in obj.tags}
                if useful:
                    node_tags[obj.id] = useful
                continue
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = obj.tags
            if "highway" not in tags:
                continue
            tag_dict = {t.k: t.v for t in tags}
            if not keeps_for_walking(tag_dict, rules=rules):
                continue
            refs: list[int] = []
            for nd in obj.nodes:
                loc = nd.location
                if loc.valid():
                    ref_ids.append(nd.ref)
                    ref_lon.append(loc.lon)
                    ref_lat.append(loc.lat)
                    refs.append(nd.ref)
                else:
                    # A missing node breaks the way: a -1 marker stops segments across it.
                    refs.append(-1)
            # OSMnx drops consecutive duplicate node references before pairing them up.
            refs = [key for key, _ in groupby(refs)]
            added = False
            for a, b in pairwise(refs):
                if a == -1 or b == -1:
                    continue
                seg_u.append(a)
                seg_v.append(b)
                seg_way.append(n_ways)
                added = True
            if added:
                n_ways += 1
                avoided.append(avoid_snapping(tag_dict))
                walkway.append(is_walkway(tag_dict))
                if with_tags:
                    way: dict[str, Any] = {"osmid": obj.id}
                    way.update({k: tag_dict[k] for k in USEFUL_WAY_TAGS if k in tag_dict})
                    ways.append(way)
    except RuntimeError as exc:
        raise OsmFileError(
            f"Cannot read OSM extract {path}: {exc}. Check that it is an OSM PBF or XML file."
        ) from exc
    node_ids, first = np.unique(np.asarray(ref_ids, dtype=np.int64), return_index=True)
    lon = np.asarray(ref_lon, dtype=np.float64)[first]
    lat = np.asarray(ref_lat, dtype=np.float64)[first]
    tag_ids = np.sort(np.fromiter(node_tags, dtype=np.int64, count=len(node_tags)))
    used_tags = {int(n): node_tags[int(n)] for n in tag_ids[np.isin(tag_ids, node_ids)]}
    logger.info("read %d walkable ways, %d nodes from %s", n_ways, len(node_ids), path)
    return WalkWays(
        node_ids=node_ids,
        lon=lon,
        lat=lat,
        node_tags=used_tags,
        seg_u=np.asarray(seg_u, dtype=np.int64),
        seg_v=np.asarray(seg_v, dtype=np.int64),
        seg_way=np.asarray(seg_way, dtype=np.int64),
        ways=ways,
        way_avoided=np.asarray(avoided, dtype=bool),
        way_walkway=np.asarray(walkway, dtype=bool),
    )


def read_tagged_points(
    osm_path: str | Path, *, tags: Sequence[tuple[str, str]] = (("amenity", "doctors"),)
) -> list[dict[str, Any]]:
    """Read the nodes and ways carrying any of some tags, as points.

    Ways are placed at the mean of their node locations (enough to snap a surgery or hospital
    building to the street network). Multipolygon relations are not assembled.

    Parameters
    ----------
    osm_path
        A ``.osm.pbf`` or ``.osm`` extract.
    tags
        ``(key, value)`` pairs; an object matching any of them is returned.

    Returns
    -------
    list of dict
        One dict per object: ``osm_type`` (``"node"``/``"way"``), ``osm_id``, ``name`` (or
        None), ``lon``, ``lat`` and the matching ``key``/``value``.

    Raises
    ------
    OsmFileError
        When the file is missing or unreadable.
    """
    path = Path(osm_path)
    if not path.is_file():
        raise OsmFileError(f"OSM extract not found: {path}.")
    wanted = set(tags)
    found: list[dict[str, Any]] = []
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.TagFilter(*tags))
        )
        for obj in processor:
            match = next(((t.k, t.v) for t in obj.tags if (t.k, t.v) in wanted), None)
            if match is None:
                continue
            if isinstance(obj, osmium.osm.Node):
                lon, lat, kind = obj.location.lon, obj.location.lat, "node"
            elif isinstance(obj, osmium.osm.Way):
                locs = [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()]
                if not locs:
                    continue
                lon = sum(p[0] for p in locs) / len(locs)
                lat = sum(p[1] for p in locs) / len(locs)
                kind = "way"
            else:
                continue
            found.append(
                {
                    "osm_type": kind,
                    "osm_id": obj.id,
                    "name": obj.tags.get("name"),
                    "lon": lon,
                    "lat": lat,
                    "key": match[0],
                    "value": match[1],
                }
            )
    except RuntimeError as exc:
        raise OsmFileError(f"Cannot read OSM extract {path}: {exc}.") from exc
    return found


def extract_bounds(osm_path: str | Path) -> tuple[float, float, float, float] | None:
    """Return the bounding box an extract declares in its header (lon/lat), if any.

    Parameters
    ----------
    osm_path
        A ``.osm.pbf`` or ``.osm`` extract.

    Returns
    -------
    tuple of float or None
        ``(min_lon, min_lat, max_lon, max_lat)``, or None when the header has no box.
    """
    try:
        reader = osmium.io.Reader(str(osm_path), osmium.osm.NOTHING)
        try:
            box = reader.header().box()
        finally:
            reader.close()
    except RuntimeError as exc:
        raise OsmFileError(f"Cannot read OSM extract {osm_path}: {exc}.") from exc
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
