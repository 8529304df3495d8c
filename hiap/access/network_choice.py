"""The walk network of one access run: the extract given or chosen, and whether it will do.

The extract is the one whose walk network covers most of the area
(:func:`hiap.access.network.choose_extract`) unless one is given; the run refuses below
``options.min_coverage``, warns below full cover, and refuses a drive-only network for
walking unless drive roads are accepted as an approximation (then labelled). With the
explicit straight-line fallback (public transport only), an area no extract covers is not an
error: the run has no network and every walk is the fallback, said in its warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hiap.access.network import (
    WARN_COVERAGE,
    ExtractChoice,
    Resources,
    choose_extract,
    fallback_walk_network,
    network_coverage,
    walkway_share,
)
from hiap.access.options import AccessOptions
from hiap.access.places import RunFrame
from hiap.access.result import DRIVE_ROADS_LABEL
from hiap.errors import DataError, SettingsError
from hiap.settings import Settings
from isochrones import BNG_CRS, WalkNetwork
from isochrones.cache import file_digest

__all__ = ["NO_WALK_NETWORK", "RunNetwork", "network_for_run"]

NO_WALK_NETWORK = "no walk network"
"""The extract name of a fallback run that no extract covers."""


@dataclass(frozen=True)
class RunNetwork:
    """The network a run walks on and what the reader must know about it.

    Attributes
    ----------
    network
        The routing arrays (None: no extract covers the area and every walk is the
        straight-line fallback).
    choice
        The extract, its coverage of the area and the candidates considered.
    digest
        SHA-256 of the extract (its name for a network given without a file).
    warnings
        Partial cover, drive roads.
    """

    network: WalkNetwork | None
    choice: ExtractChoice
    digest: str
    warnings: tuple[str, ...]

    @property
    def path(self) -> Path:
        """The extract walked on."""
        return self.choice.path


def network_for_run(
    settings: Settings,
    options: AccessOptions,
    frame: RunFrame,
    *,
    resources: Resources,
    network: WalkNetwork | None,
    osm_path: Path | None,
) -> RunNetwork:
    """Return the walk network of a run (see :func:`hiap.access.measure_access`).

    Raises
    ------
    DataError
        When the extract covers too little of the area or is drive-only (not accepted).
    SettingsError
        When there is neither an area nor an extract to walk on.
    """
    site_area, crs, margin_m = frame.site_area, frame.crs, frame.margin_m
    if options.fallback is not None and network is None and osm_path is None:
        if site_area is None or crs != BNG_CRS:
            raise SettingsError(
                "The walking fallback needs an area or origins in Great Britain to look up "
                "the OSM extracts around."
            )
        found, covering, why = fallback_walk_network(
            settings, site_area, resources=resources, margin_m=margin_m,
            min_coverage=options.min_coverage,
        )
        if covering is None or found is None:
            warning = (
                f"No OpenStreetMap walk network covers {frame.label} ({why}): every walk is "
                f"{options.fallback_label}."
            )
            return RunNetwork(None, ExtractChoice(Path(NO_WALK_NETWORK), 0.0, 0.0, ()),
                              NO_WALK_NETWORK, (warning,))
        network, osm_path = covering, found.path
    if network is not None:
        cover = network_coverage(network, site_area) if frame.judge and site_area is not None else 1.0
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
        choice = choose_extract(settings, site_area, resources=resources, margin_m=margin_m)
    else:
        network = resources.walk_network(
            Path(osm_path), area=site_area, area_crs=crs,
            margin_m=margin_m if site_area is not None else 0.0, to_crs=crs,
        )
        cover = network_coverage(network, site_area) if frame.judge and site_area is not None else 1.0
        choice = ExtractChoice(Path(osm_path), cover, walkway_share(network),
                               ((Path(osm_path).name, cover),))
    path = choice.path
    if network is None:
        network = resources.walk_network(
            path, area=site_area, area_crs=crs,
            margin_m=margin_m if site_area is not None else 0.0, to_crs=crs,
        )
    digest = file_digest(path) if path.is_file() else path.name
    return RunNetwork(network, choice, digest, _judge(options, choice, frame.label))


def _judge(options: AccessOptions, choice: ExtractChoice, label: str) -> tuple[str, ...]:
    """Refuse an extract that will not do; return the warnings of one that will."""
    path = choice.path
    warnings = []
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
    return tuple(warnings)
