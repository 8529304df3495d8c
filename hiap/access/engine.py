"""The one access engine: walking and public-transport times to health services.

Every screen and command that shows a time to a GP or hospital asks :func:`measure_access`:
``hiap access walk|transit``, ``hiap scheme assess`` (through the indicators), the Access and
Transport scenario pages, the GP capacity section and the reports. It returns one
:class:`AccessResult` holding the per-origin times, the nearest destination, the bands, the
indicator tables, the parameters and the digests of the data used, so a number can always be
traced to how it was made.

The rules, the same everywhere:

* points (homes, LSOA centroids, practices, stops) attach to the nearest street *edge*
  (:meth:`isochrones.WalkNetwork.snap` with ``to="edge"``): the straight line to the street
  and the walk along it to either end are both walked;
* origins farther than ``max_snap_m`` from every street are left out and listed in
  :attr:`AccessResult.excluded` with the reason;
* destinations within the requested buffer of the area are always considered (those off
  every street are listed as excluded too);
* the extract is the one whose walk network covers most of the area
  (:func:`hiap.access.network.choose_extract`); the run refuses below
  :data:`~hiap.access.network.MIN_COVERAGE` and warns below full cover; a drive-only network
  is refused for walking unless the caller accepts drive roads as an approximation, and then
  every result carries that label;
* no destination within reach is an error, never a table of NaN.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hiap import attribution as attribution_lines
from hiap.access.feeds import find_gtfs_feeds
from hiap.access.network import (
    MIN_COVERAGE,
    WARN_COVERAGE,
    DirectResources,
    ExtractChoice,
    Resources,
    choose_extract,
    network_coverage,
    walkway_share,
)
from hiap.data.gp_branches import with_branches
from hiap.data.health import load_gp_practices, load_hospitals
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES, HOSPITAL_CLASSES
from hiap.data.population import load_area_origins
from hiap.data.registry import OSM_ATTRIBUTION
from hiap.errors import DataError, SettingsError
from hiap.schemes.points import DEFAULT_SPACING_M, scheme_points
from hiap.settings import Settings
from isochrones import (
    BNG_CRS,
    DEFAULT_BANDS_MIN,
    JTS_BANDS_MIN,
    WALK_SPEED_KPH,
    WalkNetwork,
    catchments,
    isochrone_polygons,
    origin_access,
    summarise_access,
)
from isochrones.cache import file_digest
from isochrones.errors import IsochronesError
from isochrones.gtfs import Feed
from isochrones.scenarios import Scenario, apply_scenario
from isochrones.transit import TransitNetwork, local_utm_crs, window_travel_times

__all__ = [
    "DRIVE_ROADS_LABEL",
    "AccessOptions",
    "AccessResult",
    "ModeSummary",
    "Progress",
    "measure_access",
]

logger = logging.getLogger(__name__)

Mode = Literal["walk", "transit", "both"]
Progress = Callable[[float, str], None]

DESTINATION_LABELS = {"gp": "GP practice", "hospital": "hospital"}

DRIVE_ROADS_LABEL = (
    "Approximation: walked on a drive-roads network (no footways or paths in the extract), "
    "so walks follow carriageways and times are longer than on foot in reality."
)
"""The label every result walked on a drive-only network carries."""


def _no_progress(fraction: float, message: str) -> None:
    del fraction, message


@dataclass(frozen=True)
class AccessOptions:
    """Every option that changes an access answer (the data files aside).

    Attributes
    ----------
    mode
        ``"walk"``, ``"transit"`` (public transport and walking) or ``"both"``.
    to
        ``"gp"`` or ``"hospital"`` (loaded from the data directory), or a label for the
        destinations given to :func:`measure_access`.
    buffer_km
        Network, destinations and origins kept around the area.
    level
        Populated origins: ``"lsoa"`` or ``"oa"`` population-weighted centroids; ``"none"``
        times the scheme's homes only.
    bands_min
        Isochrone bands (walk), minutes.
    speed_kph
        Walking speed (DfT JTS 4.8 km/h).
    max_snap_m
        Origins and destinations farther than this from every street are left out.
    date
        Service day (transit); ``None``: a Tuesday the feed runs.
    window
        First and last departure (transit).
    step_min
        Minutes between departures in the window (transit).
    max_walk_min
        Longest walk all the way (transit; walking is always an option).
    count_reachable
        Count destinations within each JTS band on foot (cheap).
    transit_counts
        Also count destinations within each JTS band by public transport (median time over
        the window; a many-to-many run, minutes rather than seconds).
    accept_drive_roads
        Walk on a drive-only network as an approximation (every result then says so).
    hospital_classes
        With ``to="hospital"``: the classes counted (:data:`hiap.data.hospitals.HOSPITAL_CLASSES`);
        None: acute hospitals with a type 1 A&E.
    include_branches
        With ``to="gp"``: also the practices' branch surgeries (NHS ODS, dated; off by default).
    min_coverage
        Refuse when the network covers less than this share of the area.
    new_residents
        The scheme's new residents, spread over its home points.
    home_spacing_m
        Spacing of the scheme's home points.
    draw_isochrones
        Also draw walking isochrones and catchments.
    """

    mode: Mode = "walk"
    to: str = "gp"
    buffer_km: float = 2.0
    level: Literal["lsoa", "oa", "none"] = "lsoa"
    bands_min: tuple[float, ...] = tuple(DEFAULT_BANDS_MIN)
    speed_kph: float = WALK_SPEED_KPH
    max_snap_m: float = 500.0
    date: dt.date | None = None
    window: tuple[dt.time, dt.time] = (dt.time(7, 0), dt.time(10, 0))
    step_min: float = 1.0
    max_walk_min: float = 60.0
    count_reachable: bool = True
    transit_counts: bool = False
    accept_drive_roads: bool = False
    hospital_classes: tuple[str, ...] | None = None
    include_branches: bool = False
    min_coverage: float = MIN_COVERAGE
    new_residents: float = 0.0
    home_spacing_m: float = DEFAULT_SPACING_M
    draw_isochrones: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.mode not in ("walk", "transit", "both"):
            problems.append(f"mode must be walk, transit or both, got {self.mode!r}")
        if self.level not in ("lsoa", "oa", "none"):
            problems.append(f"level must be lsoa, oa or none, got {self.level!r}")
        if self.buffer_km < 0:
            problems.append(f"the buffer must be >= 0 km, got {self.buffer_km}")
        if not self.bands_min or min(self.bands_min) <= 0:
            problems.append(f"bands must be positive minutes, got {self.bands_min}")
        if self.speed_kph <= 0:
            problems.append(f"the walking speed must be positive, got {self.speed_kph}")
        if self.step_min <= 0:
            problems.append(f"the departure step must be positive, got {self.step_min}")
        if self.window[1] < self.window[0]:
            problems.append(f"the window ends ({self.window[1]}) before it starts ({self.window[0]})")
        if not 0 <= self.min_coverage <= 1:
            problems.append(f"min_coverage must be 0-1, got {self.min_coverage}")
        if problems:
            raise SettingsError("Access options: " + "; ".join(problems) + ".")

    @property
    def walks(self) -> bool:
        """Whether walking times are measured."""
        return self.mode in ("walk", "both")

    @property
    def rides(self) -> bool:
        """Whether public-transport times are measured."""
        return self.mode in ("transit", "both")

    def describe(self) -> dict[str, str]:
        """Return the options as printable labels (for reports and CLI output)."""
        out = {
            "Mode": {"walk": "walking", "transit": "public transport", "both": "walking and public transport"}[self.mode],
            "Destinations": self.to,
            "Area buffer": f"{self.buffer_km:g} km",
            "Origins": self.level.upper(),
            "Walking speed": f"{self.speed_kph:g} km/h",
            "Bands": ", ".join(f"{b:g}" for b in self.bands_min) + " min",
            "Snapping": f"nearest street edge; points over {self.max_snap_m:g} m away left out",
        }
        if self.rides:
            out["Date"] = self.date.isoformat() if self.date else "a Tuesday the feed runs"
            out["Departure window"] = f"{self.window[0]:%H:%M}-{self.window[1]:%H:%M} every {self.step_min:g} min"
            out["Longest walk all the way"] = f"{self.max_walk_min:g} min"
        if self.new_residents:
            out["Scheme's new residents"] = f"{self.new_residents:,.0f}"
        if self.accept_drive_roads:
            out["Drive roads"] = "accepted as an approximation"
        if self.to == "hospital":
            out["Hospitals counted"] = "; ".join(
                HOSPITAL_CLASSES.get(c, c) for c in (self.hospital_classes or DEFAULT_HOSPITAL_CLASSES)
            )
        if self.to == "gp":
            out["Branch surgeries"] = "included" if self.include_branches else "not included"
        return out


@dataclass(frozen=True)
class ModeSummary:
    """Indicator tables of one mode (see :func:`isochrones.summarise_access`).

    Attributes
    ----------
    overall
        One row (``"all"``): the populated origins.
    by_district, by_imd_decile
        One row per district / IMD decile (None where the origins carry neither).
    scheme
        One row: the scheme's new residents (None without a scheme).
    with_scheme
        One row: the origins and the scheme's residents together (None without a scheme).
    """

    overall: pd.DataFrame
    by_district: pd.DataFrame | None = None
    by_imd_decile: pd.DataFrame | None = None
    scheme: pd.DataFrame | None = None
    with_scheme: pd.DataFrame | None = None


@dataclass(frozen=True)
class AccessResult:
    """Everything one access run produced, and how.

    Attributes
    ----------
    options
        The options of the run.
    origins
        One row per populated origin routed: its attributes, ``time_min`` (the primary mode's
        minutes; walking in ``"both"``), ``walk_min`` / ``nearest_code`` / ``nearest_name`` /
        ``snap_m`` / ``reachable_<b>min`` (walk), ``transit_min`` (median over the window),
        ``transit_min_min``, ``transit_p25_min``, ``transit_p75_min`` (transit) and, with a
        scenario, ``scenario_min`` and ``change_min``.
    homes
        The scheme's home points with the same columns (None without a scheme).
    destinations
        The destinations routed to (``code``, ``name``).
    excluded
        Origins and destinations left out: ``kind``, ``code``, ``name``, ``distance_m``,
        ``reason``.
    summaries
        ``{"walk": ..., "transit": ..., "scenario": ...}`` indicator tables.
    isochrones, catchments
        Walking bands from the nearest destination and per-destination catchments.
    osm_path
        The extract walked on.
    feed_paths
        The timetables used.
    coverage
        Share of the area on the walk network.
    warnings
        What the reader must know (partial cover, drive roads).
    parameters
        The options and data as printable labels.
    digests
        SHA-256 of every input file and of the area (the cache key's parts).
    attribution
        Source lines to show with the results.
    area_label
        What the area is.
    date
        The service day used (transit).
    """

    options: AccessOptions
    origins: gpd.GeoDataFrame
    homes: gpd.GeoDataFrame | None
    destinations: gpd.GeoDataFrame
    excluded: pd.DataFrame
    summaries: dict[str, ModeSummary]
    isochrones: gpd.GeoDataFrame | None
    catchments: gpd.GeoDataFrame | None
    osm_path: Path
    feed_paths: tuple[Path, ...]
    coverage: float
    warnings: tuple[str, ...]
    parameters: dict[str, str]
    digests: dict[str, str]
    attribution: list[str] = field(default_factory=list)
    area_label: str = ""
    date: dt.date | None = None

    @property
    def primary(self) -> str:
        """The mode of ``time_min``: ``"walk"`` unless only transit was measured."""
        return "walk" if "walk" in self.summaries else "transit"

    @property
    def overall(self) -> pd.DataFrame:
        """The primary mode's overall indicators."""
        return self.summaries[self.primary].overall

    @property
    def by_district(self) -> pd.DataFrame:
        """The primary mode's indicators per district (empty when not known)."""
        table = self.summaries[self.primary].by_district
        return table if table is not None else pd.DataFrame()

    @property
    def by_imd_decile(self) -> pd.DataFrame:
        """The primary mode's indicators per IMD decile (empty when not known)."""
        table = self.summaries[self.primary].by_imd_decile
        return table if table is not None else pd.DataFrame()

    @property
    def dropped_origins(self) -> int:
        """How many origins were left out (off the network)."""
        return int((self.excluded["kind"] == "origin").sum()) if len(self.excluded) else 0

    @property
    def drive_roads(self) -> bool:
        """Whether walking ran on a drive-only network (an approximation)."""
        return DRIVE_ROADS_LABEL in self.warnings


# ---------------------------------------------------------------- inputs


def _area_of(
    area: BaseGeometry | None, scheme: gpd.GeoDataFrame | None
) -> tuple[BaseGeometry | None, gpd.GeoDataFrame | None]:
    site = None
    if scheme is not None and not scheme.empty:
        scheme = scheme.to_crs(BNG_CRS)
        site = shapely.make_valid(shapely.union_all(scheme.geometry.to_numpy()))
    return (area if area is not None else site), scheme


def _load_destinations(
    settings: Settings, options: AccessOptions, reach: BaseGeometry
) -> gpd.GeoDataFrame:
    if options.to not in DESTINATION_LABELS:
        raise SettingsError(
            f"Destinations must be 'gp' or 'hospital' (or given as points), got {options.to!r}."
        )
    if options.to == "gp":
        found = load_gp_practices(settings, area=reach)
        return with_branches(found, settings) if options.include_branches else found
    return load_hospitals(
        settings, area=reach, classes=list(options.hospital_classes or DEFAULT_HOSPITAL_CLASSES)
    )


def _in_gb(points: gpd.GeoDataFrame) -> bool:
    lon, lat = points.to_crs(4326).geometry.x, points.to_crs(4326).geometry.y
    return bool(lon.between(-8.7, 1.9).all() and lat.between(49.8, 60.9).all())


def _excluded(kind: str, frame: pd.DataFrame, distance_m: np.ndarray, limit_m: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": kind,
            "code": frame["code"].astype("string").to_numpy() if "code" in frame else pd.NA,
            "name": frame["name"].astype("string").to_numpy() if "name" in frame else pd.NA,
            "distance_m": np.round(distance_m, 1),
            "reason": [
                f"{d:.0f} m from the nearest walkable street (more than {limit_m:g} m): "
                "outside the network's area or unmapped" for d in distance_m
            ],
        }
    )


def _straight_m(network: WalkNetwork, points: gpd.GeoDataFrame) -> np.ndarray:
    if len(points) == 0:
        return np.zeros(0)
    snapped = network.snap(points, to="edge")
    return np.asarray(
        snapped.offset_m if snapped.offset_m is not None else snapped.distance_m, dtype=float
    )


def _nearest_labels(table: pd.DataFrame, destinations: gpd.GeoDataFrame) -> None:
    nearest = table["nearest"].to_numpy()
    for column in ("code", "name"):
        values = destinations[column].to_numpy() if column in destinations else np.full(len(destinations), None)
        table[f"nearest_{column}"] = pd.Series(
            [values[i] if i >= 0 else None for i in nearest], index=table.index, dtype="string"
        )


def _walk_times(
    network: WalkNetwork, points: gpd.GeoDataFrame, dest: gpd.GeoDataFrame, options: AccessOptions
) -> gpd.GeoDataFrame:
    """Join walking minutes to the nearest destination (edge snapping) to ``points``."""
    if len(points) == 0:
        return points.assign(walk_min=pd.Series(dtype=float), nearest=pd.Series(dtype="int64"),
                             nearest_code=pd.Series(dtype="string"),
                             nearest_name=pd.Series(dtype="string"))
    walk = origin_access(
        network, points, dest, speed_kph=options.speed_kph, bands_min=JTS_BANDS_MIN,
        count_reachable=options.count_reachable, snap_to="edge",
    )
    out = points.join(walk.rename(columns={"time_min": "walk_min"}))
    _nearest_labels(out, dest)
    return out


def _scaled(tell: Progress, start: float, span: float, message: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        tell(start + span * done / max(total, 1), message)

    return report


def _transit_times(
    network: TransitNetwork,
    frame: pd.DataFrame,
    dest: gpd.GeoDataFrame,
    options: AccessOptions,
    *,
    prefix: str,
    progress: Callable[[int, int], None],
) -> None:
    """Add ``<prefix>_min`` (median over the window), its spread and planned-departure time."""
    columns = [f"{prefix}_min", f"{prefix}_min_min", f"{prefix}_p25_min", f"{prefix}_p75_min",
               f"{prefix}_planned_min"]
    if options.transit_counts:
        columns += [f"{prefix}_reachable_{b:g}min" for b in JTS_BANDS_MIN]
    if len(frame) == 0:
        for col in columns:
            frame[col] = pd.Series(dtype=float)
        return
    xy = np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])
    d_xy = np.column_stack([dest.geometry.x.to_numpy(), dest.geometry.y.to_numpy()])
    times = window_travel_times(
        network, xy, d_xy, window=options.window, step_min=options.step_min,
        percentiles=(25, 50, 75), nearest=True, max_walk_min=options.max_walk_min,
        progress=progress,
    ).to_frame()
    frame[f"{prefix}_min"] = times["p50_min"].to_numpy()
    frame[f"{prefix}_min_min"] = times["min_min"].to_numpy()
    frame[f"{prefix}_p25_min"] = times["p25_min"].to_numpy()
    frame[f"{prefix}_p75_min"] = times["p75_min"].to_numpy()
    frame[f"{prefix}_planned_min"] = times["planned_p50_min"].to_numpy()
    if options.transit_counts:
        full = window_travel_times(
            network, xy, d_xy, window=options.window, step_min=options.step_min,
            percentiles=(50,), max_walk_min=options.max_walk_min,
            max_travel_min=max(JTS_BANDS_MIN), progress=progress,
        )
        median = full.percentile_s(50) / 60.0
        for band in JTS_BANDS_MIN:
            frame[f"{prefix}_reachable_{band:g}min"] = (median <= band).sum(axis=1)


def _mode_view(table: pd.DataFrame, time_col: str) -> pd.DataFrame:
    """Return one mode's columns under the names :func:`isochrones.summarise_access` reads."""
    prefix = time_col.removesuffix("_min")
    keep = [c for c in table.columns
            if not c.startswith("reachable_") and c != "time_min"
            and not c.startswith(("transit_reachable_", "scenario_reachable_"))]
    view = table[keep].rename(columns={time_col: "time_min"})
    if prefix == "walk":
        for c in table.columns:
            if c.startswith("reachable_"):
                view[c] = table[c]
    else:
        for c in table.columns:
            if c.startswith(f"{prefix}_reachable_"):
                view[c.removeprefix(f"{prefix}_")] = table[c]
    return view


def _summary(table: pd.DataFrame, homes: pd.DataFrame | None, *, time_col: str) -> ModeSummary:
    if table.empty and homes is not None:
        table = homes  # only the scheme's homes were timed
    data = _mode_view(table, time_col)
    pop_col = "population" if "population" in data else None
    overall = summarise_access(data, population_col=pop_col)
    by_district = summarise_access(data, population_col=pop_col, by="lad_name") if "lad_name" in data else None
    by_imd = summarise_access(data, population_col=pop_col, by="imd_decile") if "imd_decile" in data else None
    scheme = with_scheme = None
    if homes is not None and len(homes) and table is not homes:
        h = _mode_view(homes, time_col)
        scheme = summarise_access(h)
        cols = ["time_min", "population", *[c for c in h.columns if c.startswith("reachable_") and c in data]]
        base = data if pop_col else data.assign(population=1.0)
        with_scheme = summarise_access(
            pd.concat([pd.DataFrame(base[cols]), pd.DataFrame(h[cols])], ignore_index=True)
        )
    elif homes is not None and len(homes):
        scheme = overall
    return ModeSummary(overall, by_district, by_imd, scheme, with_scheme)


# ---------------------------------------------------------------- the run


def measure_access(
    settings: Settings,
    options: AccessOptions,
    *,
    area: BaseGeometry | None = None,
    area_label: str | None = None,
    scheme: gpd.GeoDataFrame | None = None,
    home_points: gpd.GeoDataFrame | None = None,
    osm_path: Path | None = None,
    feeds: Sequence[Path] | None = None,
    origins: gpd.GeoDataFrame | None = None,
    destinations: gpd.GeoDataFrame | None = None,
    scenario: Scenario | None = None,
    scenario_dir: Path | None = None,
    network: WalkNetwork | None = None,
    feed: Feed | None = None,
    resources: Resources | None = None,
    progress: Progress | None = None,
) -> AccessResult:
    """Measure walking and/or public-transport access to the nearest destination.

    Parameters
    ----------
    settings
        Data and cache folders.
    options
        What to measure and how (:class:`AccessOptions`).
    area
        Polygon in EPSG:27700 to measure around (grown by ``options.buffer_km``); by default
        the scheme's site, or the extent of the given origins.
    area_label
        What the area is, for messages (``"Peterborough (E06000031)"``).
    scheme
        The scheme boundary (any CRS): its home points, carrying ``options.new_residents``,
        are timed too (:attr:`AccessResult.homes`).
    home_points
        The scheme's homes (points with a ``weight`` summing to 1) when known, e.g. a
        proposal's; by default a grid over the site (``options.home_spacing_m``).
    osm_path
        The extract to walk on; by default the one whose network covers most of the area.
    feeds
        GTFS zips/folders or TransXChange ``.xml`` files (transit; merged when several).
    origins
        Populated points (a ``population`` column is used when present); by default the
        data directory's LSOA/OA centroids within the area.
    destinations
        Points with ``code`` and ``name``; by default ``options.to`` from the data directory.
    scenario
        A timetable scenario to compare with the baseline (transit).
    scenario_dir
        Folder a scenario file's relative route files are read from.
    network
        A walk network already built from ``osm_path`` (the indicators pass theirs, so every
        indicator of a scheme walks on one network); ``osm_path`` must then be given.
    feed
        A timetable already loaded (instead of ``feeds``).
    resources
        Where networks and feeds come from (the app passes its shared caches).
    progress
        Called as ``progress(fraction, message)``.

    Returns
    -------
    AccessResult
        Per-origin times, indicators, polygons, parameters and digests.

    Raises
    ------
    DataError
        When data is missing, the extract covers too little of the area or is drive-only
        (and drive roads were not accepted), or no destination is within reach.
    SettingsError
        When the options or inputs contradict each other.
    """
    tell = progress or _no_progress
    res = resources if resources is not None else DirectResources(settings)
    site_area, scheme_bng = _area_of(area, scheme)
    # Coverage is judged on an area asked for; given points are judged one by one (max_snap_m).
    judge = site_area is not None
    warnings: list[str] = []
    digests: dict[str, str] = {}

    # --- the frame of the run: CRS and area
    if site_area is None and origins is not None and len(origins):
        pts = origins.geometry if destinations is None else pd.concat(
            [origins.geometry.to_crs(4326), destinations.geometry.to_crs(4326)]
        )
        pts = gpd.GeoSeries(pts).set_crs(4326, allow_override=True) if destinations is not None else origins.geometry
        frame = gpd.GeoDataFrame(geometry=pts)
        if _in_gb(frame):
            crs = BNG_CRS
        else:
            centre = frame.to_crs(4326).geometry.union_all().centroid
            crs = local_utm_crs(centre.x, centre.y).to_string()
        site_area = shapely.convex_hull(shapely.union_all(frame.to_crs(crs).geometry.to_numpy()))
    else:
        crs = BNG_CRS
    label = area_label or ("the scheme" if scheme_bng is not None else "the area")
    margin_m = options.buffer_km * 1000.0
    feed_paths: tuple[Path, ...] = ()
    if options.rides and feed is None:
        # Timetables first: without one there is nothing to route, whatever the streets.
        if feeds is not None:
            feed_paths = tuple(Path(p) for p in feeds)
        elif site_area is not None:
            box = gpd.GeoSeries([site_area.buffer(margin_m)], crs=crs).to_crs(4326).iloc[0]
            feed_paths = tuple(find_gtfs_feeds(settings, area=box))
        else:
            raise SettingsError("Give the timetables (--gtfs) or an area to find them around.")

    # --- the walk network
    tell(0.05, "Choosing the OSM extract and building the walk network")
    if network is not None:
        cover = network_coverage(network, site_area) if judge and site_area is not None else 1.0
        given = Path(osm_path) if osm_path is not None else Path("given network")
        choice = ExtractChoice(given, cover, 1.0, ((given.name, cover),))
    elif osm_path is None:
        if site_area is None:
            raise SettingsError("Give an area, a scheme or origins to measure access around.")
        if crs != BNG_CRS:
            raise DataError(
                "The points lie outside Great Britain, where the data directory's OSM extracts "
                "are looked up; pass the OSM extract of the area (--osm FILE)."
            )
        choice = choose_extract(settings, site_area, resources=res, margin_m=margin_m)
    else:
        graph_given = res.walk_graph(
            Path(osm_path), area=site_area, area_crs=crs, margin_m=margin_m, to_crs=crs
        ) if site_area is not None else res.walk_graph(
            Path(osm_path), area=None, area_crs=crs, margin_m=0.0, to_crs=crs
        )
        net_given = res.walk_network(graph_given)
        cover = network_coverage(net_given, site_area) if judge and site_area is not None else 1.0
        choice = ExtractChoice(Path(osm_path), cover, walkway_share(graph_given),
                               ((Path(osm_path).name, cover),))
    path = choice.path
    if network is None:
        graph = res.walk_graph(
            path, area=site_area, area_crs=crs,
            margin_m=margin_m if site_area is not None else 0.0, to_crs=crs,
        )
        network = res.walk_network(graph)
    digests["osm"] = file_digest(path) if path.is_file() else path.name
    if choice.coverage < options.min_coverage:
        others = "; ".join(f"{n}: {c:.0%}" for n, c in choice.candidates)
        raise DataError(
            f"The best OSM extract, {path.name}, has walkable streets over only "
            f"{choice.coverage:.0%} of {label} (extracts considered: {others}). Results would "
            "leave most residents out: download an extract covering the area "
            "(`hiap data download osm`), pass one with --osm, or choose a smaller area."
        )
    if choice.coverage < WARN_COVERAGE:
        warnings.append(
            f"The walk network ({path.name}) covers {choice.coverage:.0%} of {label}; "
            "residents beyond it are left out."
        )
    if options.walks and choice.drive_only:
        if not options.accept_drive_roads:
            raise DataError(
                f"{path.name} holds drive roads only (no footways, paths or other walkways: "
                f"{choice.walkway_share:.1%} of its length), so walks would follow carriageways "
                "and miss every footpath shortcut. Use an extract with footways "
                "(`hiap data download osm`), or accept drive roads as an approximation "
                "(--accept-drive-roads; every result is then labelled)."
            )
        warnings.append(DRIVE_ROADS_LABEL)

    # --- destinations and origins
    hull = shapely.convex_hull(shapely.multipoints(shapely.points(network.x, network.y)))
    reach = (site_area if site_area is not None else hull).buffer(margin_m)
    tell(0.2, "Loading destinations")
    if destinations is None:
        dest_label = DESTINATION_LABELS.get(options.to, options.to)
        if crs != BNG_CRS:
            raise DataError(
                f"No {dest_label} lies within {options.buffer_km:g} km of {label}: the data "
                "directory's GP practices and hospitals are in England, and the origins lie "
                "outside Great Britain. Give destinations of the same place (--to FILE)."
            )
        dest = _load_destinations(settings, options, reach)
        if dest.attrs.get("method"):
            warnings.append(str(dest.attrs["method"]))
    else:
        dest = destinations.to_crs(crs)
        dest_label = options.to
    dest = dest[dest.intersects(reach)].reset_index(drop=True)
    dest = dest.assign(geometry=shapely.point_on_surface(dest.geometry.to_numpy())) if len(dest) else dest
    d_off = _straight_m(network, dest)
    off = d_off > options.max_snap_m
    excluded = [_excluded("destination", dest[off], d_off[off], options.max_snap_m)] if off.any() else []
    dest = dest[~off].reset_index(drop=True)
    if dest.empty:
        raise DataError(
            f"No {dest_label} lies within {options.buffer_km:g} km of {label} on the "
            f"{path.name} network, so there is nothing to measure access to. Widen the buffer, "
            "use an extract covering the area, or choose destinations in it."
        )
    tell(0.3, "Loading populated origins")
    if origins is None and options.level == "none":
        orig = gpd.GeoDataFrame({"code": [], "name": [], "population": []},
                                geometry=gpd.GeoSeries([], crs=crs))
    elif origins is None:
        orig = load_area_origins(settings, level="oa" if options.level == "oa" else "lsoa")
        orig = orig[orig.intersects(reach)].reset_index(drop=True)
    else:
        orig = origins.to_crs(crs).reset_index(drop=True)
    o_off = _straight_m(network, orig)
    far = o_off > options.max_snap_m
    if far.any():
        excluded.append(_excluded("origin", orig[far], o_off[far], options.max_snap_m))
    orig = orig[~far].reset_index(drop=True)
    if orig.empty and options.level != "none":
        raise DataError(
            f"No populated {options.level.upper()} point lies on the {path.name} network around "
            f"{label}; the population files cover Cambridgeshire and Peterborough only."
        )
    homes = None
    if scheme_bng is None and options.level == "none":
        raise SettingsError("Origins 'none' times a scheme's homes only: give the scheme.")
    if scheme_bng is not None:
        homes = (
            home_points.to_crs(crs)[["weight", "geometry"]].copy() if home_points is not None
            else scheme_points(scheme_bng, spacing_m=options.home_spacing_m)
        )
        homes["population"] = homes.pop("weight") * (options.new_residents or 1.0)
        h_off = _straight_m(network, homes)
        if (h_off > options.max_snap_m).all():
            raise DataError(
                f"The scheme lies {np.median(h_off):.0f} m from the nearest street of the "
                f"{path.name} network; the extract does not cover it."
            )

    # --- walking
    summaries: dict[str, ModeSummary] = {}
    iso = catch = None
    if options.walks:
        tell(0.4, "Routing on foot (one multi-source pass)")
        orig = _walk_times(network, orig, dest, options)
        if homes is not None:
            homes = _walk_times(network, homes, dest, options)
        timed = homes if options.level == "none" and homes is not None else orig
        if not np.isfinite(timed["walk_min"]).any():
            raise DataError(
                f"No {dest_label} can be reached on foot from any origin on the {path.name} "
                "network (the destinations lie on streets not connected to the origins')."
            )
        summaries["walk"] = _summary(orig, homes, time_col="walk_min")
        if options.draw_isochrones:
            tell(0.55, "Drawing isochrones and catchments")
            iso = isochrone_polygons(network, dest, bands_min=options.bands_min,
                             speed_kph=options.speed_kph, snap_to="edge")
            catch = catchments(network, dest, bands_min=options.bands_min,
                               speed_kph=options.speed_kph, snap_to="edge")
            idx = catch["destination"].to_numpy()
            catch.insert(0, "code", dest["code"].to_numpy()[idx] if "code" in dest else idx)
            catch.insert(1, "name", dest["name"].to_numpy()[idx] if "name" in dest else "")
            catch = catch.drop(columns="destination")

    # --- public transport
    day = options.date
    if options.rides:
        from hiap.access.feeds import default_date, feed_stops

        if feed is None:
            for p in feed_paths:
                digests[f"feed:{p.name}"] = file_digest(p) if p.is_file() else p.name
            tell(0.6, "Loading timetables")
            try:
                feed = res.feed(feed_paths)
            except IsochronesError as exc:
                raise DataError(str(exc)) from exc
        else:
            digests["feed"] = feed.source
        stops = feed_stops(feed, crs=crs)
        if not stops.intersects(reach).any():
            raise DataError(
                f"The timetable ({feed.source}) has no stop within "
                f"{options.buffer_km:g} km of {label}: it is of another place. Use a feed "
                "covering the area (`hiap data download gtfs`, or --gtfs FILE)."
            )
        day = day or default_date(feed)
        runs: list[tuple[str, Feed]] = [("transit", feed)]
        if scenario is not None:
            runs.append(("scenario", apply_scenario(feed, scenario, base_dir=scenario_dir or ".")))
        lo = options.window[0].hour * 3600 + options.window[0].minute * 60
        hi = options.window[1].hour * 3600 + options.window[1].minute * 60
        points = [("origin", orig)] + ([("home", homes)] if homes is not None else [])
        for n, (run_name, run_feed) in enumerate(runs):
            tell(0.65 + 0.3 * n / len(runs), f"Preparing the timetable ({run_name})")
            tn = res.transit_network(run_feed, network, day, (lo, hi + 4 * 3600))
            for what, frame in points:
                _transit_times(
                    tn, frame, dest, options, prefix="transit" if run_name == "transit" else "scenario",
                    progress=_scaled(tell, 0.65 + 0.3 * n / len(runs), 0.3 / len(runs),
                                     f"Routing by public transport ({run_name}, {what}s)"),
                )
        timed = homes if options.level == "none" and homes is not None else orig
        if not np.isfinite(timed["transit_min"]).any():
            raise DataError(
                f"No {dest_label} is within reach of any origin by public transport and walking "
                f"(up to {options.max_walk_min:g} min on foot) on {day:%A %d %B %Y}: the "
                "destinations lie beyond the network of the timetable and streets. Check that "
                "the feed, the extract and the destinations are of the same place."
            )
        summaries["transit"] = _summary(orig, homes, time_col="transit_min")
        if scenario is not None:
            for frame in (orig, homes):
                if frame is None:
                    continue
                change = frame["scenario_min"] - frame["transit_min"]
                frame["change_min"] = change.where(frame["scenario_min"] != frame["transit_min"], 0.0)
            summaries["scenario"] = _summary(orig, homes, time_col="scenario_min")

    primary = "walk_min" if options.walks else "transit_min"
    orig["time_min"] = orig[primary]
    if homes is not None:
        homes["time_min"] = homes[primary]
    attribution = [OSM_ATTRIBUTION, *dest.attrs.get("attribution", [])]
    attribution += [a for a in orig.attrs.get("attribution", []) if a not in attribution]
    if feed_paths:
        attribution.append(f"Timetables: {', '.join(p.name for p in feed_paths)}")
    if attribution_lines.OSM not in " ".join(attribution):
        attribution.insert(0, f"Street network {attribution_lines.OSM}")
    parameters = options.describe()
    parameters.update({
        "Area": label,
        "OSM extract": f"{path.name} ({choice.coverage:.0%} of the area on its walk network)",
    })
    if feed_paths:
        parameters["Timetables"] = ", ".join(p.name for p in feed_paths)
        parameters["Date"] = f"{day:%A %d %B %Y}" if day else parameters.get("Date", "")
    if scenario is not None:
        parameters["Scenario"] = scenario.name
    if site_area is not None:
        digests["area"] = _geometry_digest(site_area)
    tell(1.0, "Done")
    return AccessResult(
        options=options,
        origins=gpd.GeoDataFrame(orig, geometry="geometry", crs=crs),
        homes=None if homes is None else gpd.GeoDataFrame(homes, geometry="geometry", crs=crs),
        destinations=dest,
        excluded=pd.concat(excluded, ignore_index=True)
        if excluded
        else pd.DataFrame(columns=["kind", "code", "name", "distance_m", "reason"]),
        summaries=summaries,
        isochrones=iso,
        catchments=catch,
        osm_path=path,
        feed_paths=feed_paths,
        coverage=choice.coverage,
        warnings=tuple(warnings),
        parameters=parameters,
        digests=digests,
        attribution=attribution,
        area_label=label,
        date=day if options.rides else None,
    )


def _geometry_digest(geom: BaseGeometry) -> str:
    import hashlib

    return hashlib.sha256(shapely.to_wkb(geom, output_dimension=2)).hexdigest()


def options_from(mapping: Mapping[str, Any]) -> AccessOptions:
    """Rebuild :class:`AccessOptions` from :func:`dataclasses.asdict` output (stored runs)."""
    data = dict(mapping)
    if isinstance(data.get("date"), str):
        data["date"] = dt.date.fromisoformat(data["date"])
    if "window" in data:
        data["window"] = tuple(
            dt.time.fromisoformat(t) if isinstance(t, str) else t for t in data["window"]
        )
    data["bands_min"] = tuple(data.get("bands_min", DEFAULT_BANDS_MIN))
    return AccessOptions(**data)


def options_dict(options: AccessOptions) -> dict[str, Any]:
    """Return the options as plain data (dates and times as ISO strings)."""
    data = asdict(options)
    data["date"] = options.date.isoformat() if options.date else None
    data["window"] = [t.isoformat() for t in options.window]
    data["bands_min"] = list(options.bands_min)
    return data
