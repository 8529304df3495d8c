"""What an access run returns: :class:`AccessResult` and its per-mode :class:`ModeSummary`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hiap.access.options import AccessOptions

__all__ = ["DRIVE_ROADS_LABEL", "AccessResult", "ModeSummary"]

DRIVE_ROADS_LABEL = (
    "Approximation: walked on a drive-roads network (no footways or paths in the extract), "
    "so walks follow carriageways and times are longer than on foot in reality."
)
"""The label every result walked on a drive-only network carries."""



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
        The scheme's home points on the network with the same columns and ``home`` (the
        point's position among the scheme's points); None without a scheme.
    destinations
        The destinations routed to (``code``, ``name``).
    excluded
        Origins, scheme home points and destinations left out: ``kind`` (``"origin"``,
        ``"home"``, ``"destination"``), ``code``, ``name``, ``distance_m``, ``reason``.
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
    fallback_share
        With :attr:`AccessOptions.fallback`: the share of the walking legs considered that
        were walked as a straight line (access, egress, transfers, walking all the way);
        ``None`` without the fallback.
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
    fallback_share: float | None = None

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
