"""Public-transport travel times over a departure window, indicators and isochrones.

Which function to use when:

* :func:`build_transit_network` -- once per feed and date: lays out the timetable, places the
  stops in a metric CRS, links them to the walk network (snapping) and computes walking
  transfers between stops within ``max_transfer_min`` on that network (or along straight
  lines when no network is given).
* :func:`window_travel_times` -- origin x destination (or origin -> nearest destination)
  travel times for every departure minute of a window with range-RAPTOR, summarised per origin
  as minimum, percentiles (as R5/r5py) and the "planned departure" percentiles that leave out
  the wait at the origin. Walking all the way is always an option.
* :func:`transit_indicators` -- JTS-style indicators from the per-origin result.
* :func:`transit_isochrones` -- bands of equal median travel time from a point, as polygons.

Every walking leg (access, egress, transfer, direct) is door to door: the straight-line
snap distance at both ends is walked at the network speed, as in :mod:`isochrones.travel_times`.
The CRS is a parameter: pick a local UTM zone (:func:`local_utm_crs`) outside Great Britain.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree

from isochrones._dijkstra import bounded_pairs
from isochrones.access_summary import summarise_access
from isochrones.errors import RoutingInputError
from isochrones.gtfs.feed import Feed
from isochrones.network import WALK_SPEED_KPH, Snapped, WalkNetwork, kph_to_mps

# The walk isochrones' edge builder, reused so both kinds of polygon are drawn alike.
from isochrones.polygons import edges_polygon, reachable_lines
from isochrones.raptor import INF, Legs, Timetable, build_timetable, range_raptor
from isochrones.travel_times import JTS_BANDS_MIN

__all__ = [
    "DEFAULT_WINDOW",
    "FallbackWalk",
    "TransitNetwork",
    "WindowTimes",
    "build_transit_network",
    "local_utm_crs",
    "lonlat_to_xy",
    "transit_indicators",
    "transit_isochrones",
    "walk_legs",
    "walk_legs_flagged",
    "window_travel_times",
]

logger = logging.getLogger(__name__)

DEFAULT_WINDOW: tuple[dt.time, dt.time] = (dt.time(7, 0), dt.time(10, 0))
"""The DfT Journey Time Statistics morning window."""


def local_utm_crs(lon: float, lat: float) -> pyproj.CRS:
    """Return the WGS84 UTM zone CRS containing a point (e.g. EPSG:32722 for Porto Alegre).

    Parameters
    ----------
    lon, lat
        A point of the study area, in degrees.

    Returns
    -------
    pyproj.CRS
        A metric CRS.

    Raises
    ------
    RoutingInputError
        When the point is not a longitude/latitude (e.g. metres given as degrees).
    """
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise RoutingInputError(
            f"({lon:g}, {lat:g}) is not a longitude/latitude in degrees; reproject the points "
            "to WGS84 (EPSG:4326) first."
        )
    zone = min(int((lon + 180) // 6) + 1, 60)
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def _to_xy(lon: np.ndarray, lat: np.ndarray, crs: pyproj.CRS | str) -> np.ndarray:
    tr = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.column_stack([x, y])


@dataclass(frozen=True)
class FallbackWalk:
    """Walking where no street network covers a point: straight line x circuity.

    An explicit, labelled approximation for places outside every available walk network
    (rural Cambridgeshire has no offline walk extract). A leg is walked along the straight
    line stretched by ``circuity`` (1.3: the usual ratio of street to crow-fly distance in
    English towns and villages) at ``speed_kph``; access and egress legs longer than
    ``max_access_m`` (path metres) are dropped. With a network, only points farther than
    ``outside_network_m`` from it use the fallback; results report the share of their legs
    that did (:attr:`WindowTimes.fallback_share`).

    Attributes
    ----------
    circuity
        Path metres per straight-line metre (at least 1).
    speed_kph
        Walking speed.
    max_access_m
        Longest fallback access or egress walk, path metres.
    outside_network_m
        A point farther than this from the walk network counts as outside it.
    """

    circuity: float = 1.3
    speed_kph: float = WALK_SPEED_KPH
    max_access_m: float = 1600.0
    outside_network_m: float = 1000.0

    def __post_init__(self) -> None:
        problems = []
        if not self.circuity >= 1.0:
            problems.append(f"circuity must be at least 1, got {self.circuity!r}")
        if not self.speed_kph > 0:
            problems.append(f"speed_kph must be positive, got {self.speed_kph!r}")
        if not self.max_access_m > 0:
            problems.append(f"max_access_m must be positive, got {self.max_access_m!r}")
        if not self.outside_network_m >= 0:
            problems.append(f"outside_network_m must be >= 0, got {self.outside_network_m!r}")
        if problems:
            raise RoutingInputError("FallbackWalk: " + "; ".join(problems) + ".")

    @property
    def label(self) -> str:
        """How the fallback walks, for result tables and maps."""
        return (
            f"straight line x {self.circuity:g} at {self.speed_kph:g} km/h, "
            f"access/egress at most {self.max_access_m:,.0f} m (no walk network)"
        )

    @property
    def walk_label(self) -> str:
        """How the fallback walks on a walking run, where no access/egress cap applies."""
        return (
            f"straight line x {self.circuity:g} at {self.speed_kph:g} km/h "
            "(no walk network, no isochrones)"
        )


def _straight_pairs(
    from_xy: np.ndarray, to_xy: np.ndarray, limit_m: float, circuity: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source, target and path metres of straight-line legs up to ``limit_m`` path metres."""
    if not (len(from_xy) and len(to_xy)):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    mat = cKDTree(from_xy).sparse_distance_matrix(
        cKDTree(to_xy), limit_m / circuity, output_type="coo_matrix"
    )
    return mat.row.astype(np.int64), mat.col.astype(np.int64), mat.data * circuity


def walk_legs_flagged(
    from_xy: np.ndarray,
    to_xy: np.ndarray,
    *,
    max_min: float,
    network: WalkNetwork | None = None,
    fallback: FallbackWalk | None = None,
    speed_kph: float = WALK_SPEED_KPH,
    fallback_cap: bool = True,
    exclude_self: bool = False,
    from_snap: Snapped | None = None,
    to_snap: Snapped | None = None,
) -> tuple[Legs, int]:
    """Compute walking legs and count how many used the :class:`FallbackWalk`.

    Parameters
    ----------
    from_xy, to_xy, max_min, network, speed_kph, exclude_self, from_snap, to_snap
        As :func:`walk_legs`.
    fallback
        Walk straight lines x circuity for points outside ``network`` (for every point when
        ``network`` is ``None``); ``None`` keeps :func:`walk_legs`'s behaviour.
    fallback_cap
        Apply ``fallback.max_access_m`` (access and egress legs; not walking all the way).

    Returns
    -------
    tuple
        The legs and the number of them walked by the fallback.
    """
    if fallback is None:
        legs = walk_legs(
            from_xy,
            to_xy,
            max_min=max_min,
            network=network,
            speed_kph=speed_kph,
            exclude_self=exclude_self,
            from_snap=from_snap,
            to_snap=to_snap,
        )
        return legs, 0
    if not max_min > 0:
        raise RoutingInputError(f"max_min must be positive, got {max_min!r}.")
    from_xy = np.asarray(from_xy, float).reshape(-1, 2)
    to_xy = np.asarray(to_xy, float).reshape(-1, 2)
    fb_speed = kph_to_mps(fallback.speed_kph)
    fb_limit = max_min * 60.0 * fb_speed
    if fallback_cap:
        fb_limit = min(fb_limit, fallback.max_access_m)
    if network is None:
        out_src = np.ones(len(from_xy), bool)
        out_dst = np.ones(len(to_xy), bool)
    else:
        from_snap = network.snap(from_xy) if from_snap is None else from_snap
        to_snap = network.snap(to_xy) if to_snap is None else to_snap
        out_src = from_snap.distance_m > fallback.outside_network_m
        out_dst = to_snap.distance_m > fallback.outside_network_m
    parts_s: list[np.ndarray] = []
    parts_t: list[np.ndarray] = []
    parts_sec: list[np.ndarray] = []
    n_fallback = 0
    in_s, in_t = np.flatnonzero(~out_src), np.flatnonzero(~out_dst)
    if network is not None and len(in_s) and len(in_t):
        inner = walk_legs(
            from_xy[in_s],
            to_xy[in_t],
            max_min=max_min,
            network=network,
            speed_kph=speed_kph,
            from_snap=None if from_snap is None else from_snap.subset(in_s),
            to_snap=None if to_snap is None else to_snap.subset(in_t),
        ).to_frame()
        parts_s.append(in_s[inner["source"].to_numpy()])
        parts_t.append(in_t[inner["target"].to_numpy()])
        parts_sec.append(inner["seconds"].to_numpy(float))
    # Every pair with at least one end outside the network: the fallback.
    for src_idx, dst_idx in (
        (np.flatnonzero(out_src), np.arange(len(to_xy))),
        (in_s, np.flatnonzero(out_dst)),
    ):
        r, c, metres = _straight_pairs(
            from_xy[src_idx], to_xy[dst_idx], fb_limit, fallback.circuity
        )
        parts_s.append(src_idx[r])
        parts_t.append(dst_idx[c])
        parts_sec.append(metres / fb_speed)
        n_fallback += len(r)
    src = np.concatenate(parts_s) if parts_s else np.zeros(0, np.int64)
    dst = np.concatenate(parts_t) if parts_t else np.zeros(0, np.int64)
    sec = np.concatenate(parts_sec) if parts_sec else np.zeros(0)
    is_fb = np.zeros(len(src), bool)
    is_fb[len(src) - n_fallback :] = True
    if exclude_self:
        keep = src != dst
        src, dst, sec, is_fb = src[keep], dst[keep], sec[keep], is_fb[keep]
    legs = Legs.from_pairs(src, dst, sec, n_sources=len(from_xy), n_targets=len(to_xy))
    # Network and fallback pairs never overlap; count distinct fallback pairs, as the legs do.
    n_pairs = np.unique(src[is_fb] * max(len(to_xy), 1) + dst[is_fb]).size
    return legs, int(n_pairs)


def lonlat_to_xy(lonlat: np.ndarray, crs: pyproj.CRS | str) -> np.ndarray:
    """Project ``(n, 2)`` longitude/latitude points to ``crs`` (e.g. a network's).

    Parameters
    ----------
    lonlat
        WGS84 degrees, longitude first.
    crs
        Target CRS.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` coordinates.
    """
    pts = np.asarray(lonlat, float).reshape(-1, 2)
    return _to_xy(pts[:, 0], pts[:, 1], crs)


def _stacked(snapped: Snapped) -> tuple[np.ndarray, np.ndarray]:
    pairs = snapped.attachments()
    return (
        np.column_stack([nodes for nodes, _ in pairs]),
        np.column_stack([off for _, off in pairs]),
    )


def _attachments(
    network: WalkNetwork, xy: np.ndarray, snap: Snapped | None
) -> tuple[np.ndarray, np.ndarray]:
    return _stacked(network.snap(xy) if snap is None else snap)


def _concat_attachments(
    parts: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Stack (nodes, offsets) of several point sets; a missing attachment gets an inf offset."""
    k = max(nodes.shape[1] for nodes, _ in parts)
    nodes = np.concatenate([np.pad(n, ((0, 0), (0, k - n.shape[1]))) for n, _ in parts])
    off = np.concatenate(
        [np.pad(o, ((0, 0), (0, k - o.shape[1])), constant_values=np.inf) for _, o in parts]
    )
    return nodes, off


def _network_pairs(
    network: WalkNetwork,
    source: tuple[np.ndarray, np.ndarray],
    target: tuple[np.ndarray, np.ndarray],
    limit_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source, target, metres) of every pair within ``limit_m`` along the streets."""
    so_nodes, so_off = source
    sd_nodes, sd_off = target
    # Search from the smaller side: stops -> a few destinations runs from the destinations
    # on the reversed graph (one search per destination instead of one per stop).
    if len(sd_nodes) < len(so_nodes):
        rev = network.reverse_length_csr
        t, s, metres = bounded_pairs(
            rev.indptr, rev.indices, rev.data, sd_nodes, sd_off, so_nodes, so_off, limit_m
        )
    else:
        fwd = network.length_csr
        s, t, metres = bounded_pairs(
            fwd.indptr, fwd.indices, fwd.data, so_nodes, so_off, sd_nodes, sd_off, limit_m
        )
    return s, t, metres


def walk_legs_groups(
    from_xy: np.ndarray,
    targets: Sequence[tuple[np.ndarray, float, Snapped | None]],
    *,
    network: WalkNetwork | None = None,
    speed_kph: float = WALK_SPEED_KPH,
    from_snap: Snapped | None = None,
) -> list[Legs]:
    """Compute walking legs to several sets of targets, each within its own limit, at once.

    One search per source serves every set (the sets' limits only filter its results), so
    origins -> stops and origins -> destinations cost one search, not two.

    Parameters
    ----------
    from_xy
        ``(n, 2)`` source coordinates in the network's (metric) CRS.
    targets
        ``(to_xy, max_min, to_snap)`` per set: coordinates, longest leg kept in minutes, and
        the points already snapped to ``network`` (or ``None``).
    network, speed_kph, from_snap
        As :func:`walk_legs`.

    Returns
    -------
    list of Legs
        One per set, in order; seconds rounded to whole seconds.
    """
    speed = kph_to_mps(speed_kph)
    for _, max_min, _ in targets:
        if not max_min > 0:
            raise RoutingInputError(f"max_min must be positive, got {max_min!r}.")
    from_xy = np.asarray(from_xy, float).reshape(-1, 2)
    to_sets = [np.asarray(xy, float).reshape(-1, 2) for xy, _, _ in targets]
    limits_m = [max_min * 60.0 * speed for _, max_min, _ in targets]
    starts = np.cumsum([0] + [len(xy) for xy in to_sets])
    all_to = np.concatenate(to_sets)
    limit_m = max(limits_m)
    if network is None:
        if len(from_xy) and len(all_to):
            mat = cKDTree(from_xy).sparse_distance_matrix(
                cKDTree(all_to), limit_m, output_type="coo_matrix"
            )
            src, dst, metres_all = mat.row.astype(np.int64), mat.col.astype(np.int64), mat.data
        else:
            src, dst, metres_all = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    else:
        to_attach = _concat_attachments(
            [
                _attachments(network, xy, snap)
                for xy, (_, _, snap) in zip(to_sets, targets, strict=True)
            ]
        )
        src, dst, metres_all = _network_pairs(
            network, _attachments(network, from_xy, from_snap), to_attach, limit_m
        )
    out = []
    for i, xy in enumerate(to_sets):
        # why: distances within a smaller limit are the same whatever limit the search had
        sel = (dst >= starts[i]) & (dst < starts[i + 1]) & (metres_all <= limits_m[i])
        out.append(
            Legs.from_pairs(
                src[sel],
                dst[sel] - starts[i],
                metres_all[sel] / speed,
                n_sources=len(from_xy),
                n_targets=len(xy),
            )
        )
    return out


def walk_legs(
    from_xy: np.ndarray,
    to_xy: np.ndarray,
    *,
    max_min: float,
    network: WalkNetwork | None = None,
    speed_kph: float = WALK_SPEED_KPH,
    exclude_self: bool = False,
    from_snap: Snapped | None = None,
    to_snap: Snapped | None = None,
) -> Legs:
    """Compute walking legs from every source point to every target within ``max_min``.

    Parameters
    ----------
    from_xy, to_xy
        ``(n, 2)`` coordinates in the network's (metric) CRS.
    max_min
        Longest leg kept, in minutes (door to door).
    network
        Walk along its streets (a Dijkstra per source stopping at ``max_min``); ``None``
        walks straight lines (for tests and quick looks).
    speed_kph
        Walking speed.
    exclude_self
        Drop legs from source ``i`` to target ``i`` (stop-to-stop transfers).
    from_snap, to_snap
        The points already snapped to ``network`` (saves snapping them again when the same
        points are used for several legs).

    Returns
    -------
    Legs
        Seconds per leg, rounded to whole seconds.
    """
    (legs,) = walk_legs_groups(
        from_xy,
        [(to_xy, max_min, to_snap)],
        network=network,
        speed_kph=speed_kph,
        from_snap=from_snap,
    )
    if exclude_self:
        src = np.repeat(np.arange(legs.n_sources), np.diff(legs.ptr))
        keep = src != legs.target
        legs = Legs.from_pairs(
            src[keep],
            legs.target[keep],
            legs.seconds[keep],
            n_sources=legs.n_sources,
            n_targets=legs.n_targets,
        )
    return legs


@dataclass(frozen=True)
class TransitNetwork:
    """A timetable for one date with its stops placed and linked on foot.

    Attributes
    ----------
    timetable
        Patterns and stop times (see :func:`~isochrones.raptor.build_timetable`).
    stop_xy
        Stop coordinates in ``crs``.
    transfers
        Stop-to-stop walking legs.
    crs
        The metric CRS of every coordinate.
    walk
        The street network legs are walked on (``None``: straight lines).
    speed_kph, max_access_min, max_transfer_min
        Walking options used.
    fallback
        The labelled straight-line walk used outside ``walk`` (``None``: not used).
    transfer_fallback_legs
        Stop-to-stop transfers walked by the fallback.
    stop_snap
        The stops snapped to ``walk`` (``None`` without one), reused by every query.

    Examples
    --------
    Built by :func:`build_transit_network`, used by :func:`window_travel_times`:

    >>> import datetime as dt
    >>> from isochrones import build_transit_network, load_feed, window_travel_times
    >>> feed = load_feed("poa_trensurb.zip")  # Porto Alegre's trains, in the data folder
    >>> net = build_transit_network(feed, dt.date(2019, 5, 13))  # straight-line walks
    >>> len(net.stop_xy), net.max_access_min, net.max_transfer_min
    (24, 10.0, 10.0)
    """

    timetable: Timetable
    stop_xy: np.ndarray
    transfers: Legs
    crs: pyproj.CRS
    walk: WalkNetwork | None
    speed_kph: float
    max_access_min: float
    max_transfer_min: float
    fallback: FallbackWalk | None = None
    transfer_fallback_legs: int = 0
    stop_snap: Snapped | None = None

    def legs(self, from_xy: np.ndarray, to_xy: np.ndarray, max_min: float) -> Legs:
        """Compute walking legs on this network's streets (or straight lines)."""
        return self.legs_flagged(from_xy, to_xy, max_min)[0]

    def snap(self, xy: np.ndarray) -> Snapped | None:
        """Snap points to :attr:`walk` once, for several legs (``None`` without a network)."""
        return None if self.walk is None else self.walk.snap(np.asarray(xy, float).reshape(-1, 2))

    def legs_flagged(
        self,
        from_xy: np.ndarray,
        to_xy: np.ndarray,
        max_min: float,
        *,
        access: bool = True,
        from_snap: Snapped | None = None,
        to_snap: Snapped | None = None,
    ) -> tuple[Legs, int]:
        """Compute walking legs and count the fallback ones (``access``: apply its cap).

        ``from_snap``/``to_snap`` are the same points already snapped (:meth:`snap`).
        """
        return walk_legs_flagged(
            from_xy,
            to_xy,
            max_min=max_min,
            network=self.walk,
            fallback=self.fallback,
            speed_kph=self.speed_kph,
            fallback_cap=access,
            from_snap=from_snap,
            to_snap=to_snap,
        )

    def origin_legs(
        self,
        origins_xy: np.ndarray,
        destinations_xy: np.ndarray,
        max_walk_min: float,
        *,
        origin_snap: Snapped | None = None,
        destination_snap: Snapped | None = None,
    ) -> tuple[Legs, int, Legs, int]:
        """Access legs (origins -> stops) and walks all the way (origins -> destinations).

        Without a fallback walk, one search per origin serves both.

        Returns
        -------
        tuple
            Access legs, how many of them the fallback walked, direct legs, and the same.
        """
        if self.fallback is None:
            access, direct = walk_legs_groups(
                origins_xy,
                [
                    (self.stop_xy, self.max_access_min, self.stop_snap),
                    (destinations_xy, max_walk_min, destination_snap),
                ],
                network=self.walk,
                speed_kph=self.speed_kph,
                from_snap=origin_snap,
            )
            return access, 0, direct, 0
        access, fb_access = self.legs_flagged(
            origins_xy,
            self.stop_xy,
            self.max_access_min,
            from_snap=origin_snap,
            to_snap=self.stop_snap,
        )
        direct, fb_direct = self.legs_flagged(
            origins_xy,
            destinations_xy,
            max_walk_min,
            access=False,
            from_snap=origin_snap,
            to_snap=destination_snap,
        )
        return access, fb_access, direct, fb_direct

    @property
    def walks_alike_both_ways(self) -> bool:
        """Whether a walk from a to b is as long as from b to a.

        True for straight lines, and for a network whose every street is walked both ways at
        the same length.
        """
        return self.walk is None or self.walk.is_symmetric


def build_transit_network(
    feed: Feed,
    date: dt.date,
    *,
    crs: pyproj.CRS | str | None = None,
    walk: WalkNetwork | None = None,
    speed_kph: float = WALK_SPEED_KPH,
    max_access_min: float = 10.0,
    max_transfer_min: float = 10.0,
    time_window_s: tuple[int, int] | None = None,
    fallback: FallbackWalk | None = None,
) -> TransitNetwork:
    """Prepare a feed for routing on a date.

    Parameters
    ----------
    feed
        A validated feed whose used stops have coordinates.
    date
        Routing date.
    crs
        Metric CRS for the stops; defaults to the walk network's, else the local UTM zone.
    walk
        Street network to snap stops to and walk transfers on (``None``: straight lines).
    speed_kph
        Walking speed.
    max_access_min
        Longest walk to the first stop and from the last stop.
    max_transfer_min
        Longest walking transfer between two stops.
    time_window_s
        Keep only trips relevant to ``(earliest, latest)`` seconds (speed-up).
    fallback
        Walk straight lines x circuity (:class:`FallbackWalk`) for stops and points outside
        ``walk`` (for all of them when ``walk`` is ``None``); an explicit mode whose share of
        legs every result reports. ``None``: network (or plain straight-line) walking only.

    Returns
    -------
    TransitNetwork
        Ready for :func:`window_travel_times`.

    Examples
    --------
    >>> import datetime as dt
    >>> from isochrones import build_transit_network, load_feed, window_travel_times
    >>> feed = load_feed("poa_trensurb.zip")  # Porto Alegre's trains, in the data folder
    >>> net = build_transit_network(feed, dt.date(2019, 5, 13))  # straight-line walks
    >>> net.timetable.n_stops, net.crs.to_epsg()  # stops placed in the local UTM zone
    (24, 32722)

    Give ``walk=`` a :class:`~isochrones.network.WalkNetwork` to walk along its streets.
    """
    stops = feed.stops
    if stops[["stop_lat", "stop_lon"]].isna().any().any():
        raise RoutingInputError(
            f"{int(stops['stop_lat'].isna().sum())} stop(s) of {feed.source} have no "
            "coordinates; add them (NaPTAN) before routing."
        )
    if walk is not None:
        target_crs = walk.crs if crs is None else pyproj.CRS.from_user_input(crs)
        if not pyproj.CRS.from_user_input(target_crs).equals(walk.crs):
            raise RoutingInputError(
                f"crs {target_crs} differs from the walk network's {walk.crs}; omit crs."
            )
    elif crs is None:
        target_crs = local_utm_crs(
            float(stops["stop_lon"].median()), float(stops["stop_lat"].median())
        )
    else:
        target_crs = pyproj.CRS.from_user_input(crs)
    tt = build_timetable(feed, date, time_window_s=time_window_s)
    xy = _to_xy(stops["stop_lon"].to_numpy(), stops["stop_lat"].to_numpy(), target_crs)
    stop_snap = None if walk is None else walk.snap(xy)
    transfers, n_fb = walk_legs_flagged(
        xy,
        xy,
        max_min=max_transfer_min,
        network=walk,
        fallback=fallback,
        speed_kph=speed_kph,
        fallback_cap=False,
        exclude_self=True,
        from_snap=stop_snap,
        to_snap=stop_snap,
    )
    return TransitNetwork(
        timetable=tt,
        stop_xy=xy,
        transfers=transfers,
        crs=pyproj.CRS.from_user_input(target_crs),
        walk=walk,
        speed_kph=speed_kph,
        max_access_min=max_access_min,
        max_transfer_min=max_transfer_min,
        fallback=fallback,
        transfer_fallback_legs=n_fb,
        stop_snap=stop_snap,
    )


@dataclass(frozen=True)
class WindowTimes:
    """Travel times across a departure window, summarised per origin and destination.

    Attributes
    ----------
    departures_s
        Departure times used (seconds after midnight).
    percentiles
        Percentiles reported (e.g. ``(25, 50, 75)``).
    min_s
        ``(n_origins, n_destinations)`` fastest travel time over the window (``inf``:
        unreachable).
    travel_s
        ``(n_origins, n_destinations, n_percentiles)`` travel-time percentiles across the
        departures (R5 style, waiting at the origin included).
    planned_s
        Same, for the "planned departure" time: each departure's journey timed from the
        latest departure in the window that still makes the same arrival (no initial wait).
    fallback_share
        Share of the walking legs considered that were walked by the network's
        :class:`FallbackWalk`, by kind (``access``, ``egress``, ``transfer``, ``direct``,
        ``all``); empty when the network has no fallback.
    last_departure_s
        ``(n_origins, n_destinations)`` latest departure of the window from which the
        destination is still reached within the time limit (NaN: from none), e.g. the last
        practical bus back from a hospital.
    """

    departures_s: np.ndarray
    percentiles: tuple[float, ...]
    min_s: np.ndarray
    travel_s: np.ndarray
    planned_s: np.ndarray
    fallback_share: dict[str, float] = field(default_factory=dict)
    last_departure_s: np.ndarray | None = None

    def percentile_s(self, p: float, *, planned: bool = False) -> np.ndarray:
        """Return the ``(n_origins, n_destinations)`` seconds of one reported percentile."""
        if p not in self.percentiles:
            raise RoutingInputError(f"percentile {p} was not computed; have {self.percentiles}.")
        arr = self.planned_s if planned else self.travel_s
        return arr[:, :, self.percentiles.index(p)]

    def to_frame(self, *, destination: int = 0) -> pd.DataFrame:
        """Per-origin minutes for one destination column (0 for nearest-destination runs)."""
        data: dict[str, np.ndarray] = {"min_min": self.min_s[:, destination] / 60.0}
        for j, p in enumerate(self.percentiles):
            data[f"p{p:g}_min"] = self.travel_s[:, destination, j] / 60.0
        for j, p in enumerate(self.percentiles):
            data[f"planned_p{p:g}_min"] = self.planned_s[:, destination, j] / 60.0
        return pd.DataFrame(data)


def _summarise_window(
    times: np.ndarray, departures: np.ndarray, percentiles: Sequence[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min, percentiles and planned-departure percentiles of (o, m, d) int times."""
    if times.shape[1] == 1:
        # One departure: every summary is that departure's time (no sorting needed).
        one = np.where(times[:, 0, :] < INF, times[:, 0, :], np.inf)
        stack = np.repeat(one[:, :, None], len(percentiles), axis=2)
        return one, stack, stack.copy()
    t = times.astype(np.int64)
    reach = t < INF
    arrival = np.where(reach, t + departures[None, :, None], np.iinfo(np.int64).max)
    n_dep = t.shape[1]
    # For every departure, the latest departure index with the same arrival.
    idx = np.arange(n_dep)[None, :, None]
    is_end = np.ones_like(reach)
    is_end[:, :-1, :] = arrival[:, :-1, :] != arrival[:, 1:, :]
    cand = np.where(is_end, idx, n_dep - 1)
    last = np.minimum.accumulate(cand[:, ::-1, :], axis=1)[:, ::-1, :]
    planned = np.where(reach, arrival - departures[last], INF)
    mins = np.where(reach.any(axis=1), t.min(axis=1), INF).astype(float)
    pct = np.percentile(t, list(percentiles), axis=1, method="nearest")
    plan = np.percentile(planned, list(percentiles), axis=1, method="nearest")
    pct = np.moveaxis(pct, 0, -1).astype(float)
    plan = np.moveaxis(plan, 0, -1).astype(float)
    for arr in (mins, pct, plan):
        arr[arr >= INF] = np.inf
    return mins, pct, plan


def window_travel_times(
    network: TransitNetwork,
    origins_xy: np.ndarray,
    destinations_xy: np.ndarray,
    *,
    window: tuple[dt.time, dt.time] = DEFAULT_WINDOW,
    step_min: float = 1.0,
    percentiles: Sequence[float] = (25, 50, 75),
    nearest: bool = False,
    max_walk_min: float = 60.0,
    max_travel_min: float | None = None,
    max_rounds: int = 8,
    min_transfer_s: int = 60,
    reuse_labels: bool = True,
    block_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WindowTimes:
    """Travel times by public transport and walking over a departure window.

    Parameters
    ----------
    network
        From :func:`build_transit_network`.
    origins_xy, destinations_xy
        ``(n, 2)`` coordinates in ``network.crs``.
    window
        First and last departure (inclusive), default 07:00-10:00.
    step_min
        Minutes between departures.
    percentiles
        Percentiles of travel time across departures to report (50 is the median).
    nearest
        Report the time to the nearest destination (one column) instead of every
        destination; the nearest may differ from one departure to the next.
    max_walk_min
        Longest walk all the way from origin to destination (walking is always an option up
        to this limit; the timetable is used for everything else).
    max_travel_min
        Longest travel time of interest: longer times are ``inf`` and the search stops there
        (a large speed-up for many-to-many runs such as "services within 60 minutes").
    max_rounds
        Most vehicles per journey.
    min_transfer_s
        Slack before any boarding after the first.
    reuse_labels
        Range-RAPTOR (``True``) or an independent run per departure (reference).
    block_size
        Origins per compiled call (bounds memory); chosen from the matrix size if ``None``.
    progress
        Called as ``progress(done, total)`` origins after each block.

    Returns
    -------
    WindowTimes
        Per origin x destination (or x 1 when ``nearest``) summaries in seconds.

    Examples
    --------
    >>> import datetime as dt
    >>> from isochrones import build_transit_network, load_feed, window_travel_times
    >>> feed = load_feed("poa_trensurb.zip")  # Porto Alegre's trains, in the data folder
    >>> net = build_transit_network(feed, dt.date(2019, 5, 13))  # straight-line walks
    >>> mercado, airport = net.stop_xy[0], net.stop_xy[-1]  # the first and last stations
    >>> res = window_travel_times(net, mercado, airport, window=(dt.time(8), dt.time(9)))
    >>> res.min_s / 60  # the quickest journey leaving 08:00-09:00, minutes
    array([[14.]])
    >>> (res.travel_s[0, 0] / 60).round(1)  # 25th, 50th and 75th percentiles over departures
    array([19.1, 22. , 24.1])
    """
    start_s = window[0].hour * 3600 + window[0].minute * 60 + window[0].second
    end_s = window[1].hour * 3600 + window[1].minute * 60 + window[1].second
    if end_s < start_s or step_min <= 0:
        raise RoutingInputError(
            f"window {window[0]}-{window[1]} with step {step_min} min is empty; "
            "give start <= end and a positive step."
        )
    if any(not 0 <= p <= 100 for p in percentiles):
        raise RoutingInputError(f"percentiles must be within 0-100, got {list(percentiles)}.")
    departures = np.arange(start_s, end_s + 1, round(step_min * 60), dtype=np.int64)
    origins_xy = np.asarray(origins_xy, float).reshape(-1, 2)
    destinations_xy = np.asarray(destinations_xy, float).reshape(-1, 2)
    if len(destinations_xy) == 0:
        raise RoutingInputError("No destinations were given.")
    stop_xy, stop_snap = network.stop_xy, network.stop_snap
    # Snap each set of points once: origins and destinations serve two kinds of leg each.
    same_points = origins_xy.shape == destinations_xy.shape and np.array_equal(
        origins_xy, destinations_xy
    )
    o_snap = network.snap(origins_xy)
    d_snap = o_snap if same_points else network.snap(destinations_xy)
    access, fb_access, direct_legs, fb_direct = network.origin_legs(
        origins_xy, destinations_xy, max_walk_min, origin_snap=o_snap, destination_snap=d_snap
    )
    if same_points and network.walks_alike_both_ways:
        # why: stop -> point walks are the point -> stop walks reversed; no second search
        egress, fb_egress = access.transposed(), fb_access
    else:
        egress, fb_egress = network.legs_flagged(
            stop_xy, destinations_xy, network.max_access_min, from_snap=stop_snap, to_snap=d_snap
        )
    n_egress = len(egress.target)  # before "nearest" merges a stop's legs into one
    n_o, n_d = len(origins_xy), len(destinations_xy)
    direct = np.full((n_o, n_d), INF, dtype=np.int64)
    frame = direct_legs.to_frame()
    direct[frame["source"].to_numpy(), frame["target"].to_numpy()] = frame["seconds"].to_numpy()
    if nearest:
        egress = Legs.from_pairs(
            np.repeat(np.arange(egress.n_sources), np.diff(egress.ptr)),
            np.zeros(len(egress.target), dtype=np.int64),
            egress.seconds,
            n_sources=egress.n_sources,
            n_targets=1,
        )
        direct = direct.min(axis=1, keepdims=True)
        n_d = 1
    fallback_share: dict[str, float] = {}
    if network.fallback is not None:
        counts = {
            "access": (fb_access, len(access.target)),
            "egress": (fb_egress, n_egress),
            "transfer": (network.transfer_fallback_legs, len(network.transfers.target)),
            "direct": (fb_direct, len(direct_legs.target)),
        }
        counts["all"] = (sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values()))
        fallback_share = {k: (a / b if b else 0.0) for k, (a, b) in counts.items()}
    if block_size is None:
        # about 64 MB of int32 travel times per block
        block_size = max(2, int(16_000_000 // max(1, len(departures) * n_d)))
    mins = np.full((n_o, n_d), np.inf)
    pct = np.full((n_o, n_d, len(percentiles)), np.inf)
    plan = np.full((n_o, n_d, len(percentiles)), np.inf)
    last_dep = np.full((n_o, n_d), np.nan)
    for b0 in range(0, n_o, block_size):
        b1 = min(n_o, b0 + block_size)
        sub = Legs(
            ptr=access.ptr[b0 : b1 + 1] - access.ptr[b0],
            target=access.target[access.ptr[b0] : access.ptr[b1]],
            seconds=access.seconds[access.ptr[b0] : access.ptr[b1]],
            n_targets=access.n_targets,
        )
        times = range_raptor(
            network.timetable,
            sub,
            network.transfers,
            egress,
            departures,
            direct_s=direct[b0:b1],
            cutoff_s=None if max_travel_min is None else int(max_travel_min * 60),
            max_rounds=max_rounds,
            min_transfer_s=min_transfer_s,
            reuse_labels=reuse_labels,
        )
        mins[b0:b1], pct[b0:b1], plan[b0:b1] = _summarise_window(times, departures, percentiles)
        reached = times < INF
        latest = len(departures) - 1 - np.argmax(reached[:, ::-1, :], axis=1)
        last_dep[b0:b1] = np.where(reached.any(axis=1), departures[latest], np.nan)
        if progress is not None:
            progress(b1, n_o)
    return WindowTimes(
        departures_s=departures,
        percentiles=tuple(float(p) for p in percentiles),
        min_s=mins,
        travel_s=pct,
        planned_s=plan,
        fallback_share=fallback_share,
        last_departure_s=last_dep,
    )


def transit_indicators(
    times_min: np.ndarray,
    population: np.ndarray,
    *,
    reachable_counts: dict[float, np.ndarray] | None = None,
    bands_min: Sequence[float] = JTS_BANDS_MIN,
) -> pd.Series:
    """JTS-style indicators for an area from per-origin travel times.

    Parameters
    ----------
    times_min
        Minutes from each origin to its nearest destination (``inf`` if none).
    population
        Residents of each origin.
    reachable_counts
        ``{band_min: counts}``: destinations (services) each origin reaches within the band.
    bands_min
        Bands for the population shares.

    Returns
    -------
    pandas.Series
        ``mean_time_min``, ``pop_weighted_mean_time_min`` (reachable origins only),
        ``pop_share_within_<b>min``, ``pop_weighted_reachable_<b>min`` and counts, as
        :func:`isochrones.access_summary.summarise_access`.

    Raises
    ------
    RoutingInputError
        When a population is missing (NaN) or negative.
    """
    frame = pd.DataFrame(
        {"time_min": np.asarray(times_min, float), "population": np.asarray(population, float)}
    )
    for band, counts in (reachable_counts or {}).items():
        frame[f"reachable_{band:g}min"] = np.asarray(counts)
    return summarise_access(frame, bands_min=bands_min).iloc[0]


def transit_isochrones(
    network: TransitNetwork,
    origins_xy: np.ndarray,
    *,
    bands_min: Sequence[float] = (15, 30, 45, 60),
    window: tuple[dt.time, dt.time] = DEFAULT_WINDOW,
    step_min: float = 5.0,
    percentile: float = 50,
    buffer_m: float = 50.0,
    cell_m: float = 200.0,
) -> gpd.GeoDataFrame:
    """Nested public-transport + walking isochrones from a point or a scheme's points.

    With a walk network, travel times (the chosen percentile across the window) are computed
    to every street node and the polygons are drawn like the walking ones
    (:func:`isochrones.polygons.isochrone_polygons`): reachable street edges, cut where the time runs
    out, buffered by ``buffer_m``. Without one, the area is a union of ``cell_m`` squares
    whose centres are reached in time.

    Parameters
    ----------
    network
        From :func:`build_transit_network`.
    origins_xy
        ``(2,)`` point or ``(n, 2)`` points (e.g. a scheme's entrances) in ``network.crs``;
        each place takes the quickest of them.
    bands_min
        Band limits, minutes.
    window, step_min
        Departure window and step.
    percentile
        Percentile of travel time across departures (50: median).
    buffer_m
        Half-width of the street corridor drawn around reachable edges.
    cell_m
        Grid resolution in metres when there is no walk network.

    Returns
    -------
    geopandas.GeoDataFrame
        ``band_min`` and ``geometry`` in ``network.crs``, smallest band first; nested.
    """
    bands = sorted(float(b) for b in bands_min)
    if not bands or bands[0] <= 0:
        raise RoutingInputError(f"bands_min must be positive minutes, got {list(bands_min)}.")
    origins = np.asarray(origins_xy, float).reshape(-1, 2)
    walk = network.walk
    if walk is not None:
        targets = np.column_stack([walk.x, walk.y])
    else:
        pts = np.vstack([network.stop_xy, origins])
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        gx, gy = np.meshgrid(np.arange(x0, x1 + cell_m, cell_m), np.arange(y0, y1 + cell_m, cell_m))
        targets = np.column_stack([gx.ravel(), gy.ravel()])
    res = window_travel_times(
        network,
        origins,
        targets,
        window=window,
        step_min=step_min,
        percentiles=(percentile,),
        max_walk_min=max(bands),
        max_travel_min=max(bands),
    )
    t_s = res.travel_s[:, :, 0].min(axis=0)
    rows = []
    previous = shapely.Polygon()
    for band in bands:
        if walk is not None:
            speed = kph_to_mps(network.speed_kph)
            # A node reached at time t leaves (band - t) of walking along its edges: the walk
            # builder does exactly that with distances, so convert times to metres of walking.
            lines = reachable_lines(walk, t_s * speed, band * 60.0 * speed)
            shape = edges_polygon(lines, buffer_m)
        else:
            inside = targets[t_s <= band * 60.0]
            half = cell_m / 2.0
            shape = shapely.union_all(
                shapely.box(
                    inside[:, 0] - half,
                    inside[:, 1] - half,
                    inside[:, 0] + half,
                    inside[:, 1] + half,
                )
            )
        poly = shapely.union(previous, shape)
        rows.append({"band_min": band, "geometry": poly})
        previous = poly
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=network.crs)
