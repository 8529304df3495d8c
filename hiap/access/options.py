"""The options of an access run: :class:`AccessOptions`, and its plain-data form for storage.

Every option that changes an answer lives here, so the app's cache key
(:func:`hiap.access.keys.access_key`), a stored run (:func:`options_dict` /
:func:`options_from`) and the parameters printed with a result all read one object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from hiap.access.network import MIN_COVERAGE
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES, HOSPITAL_CLASSES
from hiap.errors import SettingsError
from hiap.schemes.points import DEFAULT_SPACING_M
from isochrones import DEFAULT_BANDS_MIN, WALK_SPEED_KPH
from isochrones.transit import FallbackWalk

__all__ = [
    "DESTINATION_LABELS",
    "AccessOptions",
    "Mode",
    "Progress",
    "options_dict",
    "options_from",
]

Mode = Literal["walk", "transit", "both"]
Progress = Callable[[float, str], None]

DESTINATION_LABELS = {"gp": "GP practice", "hospital": "hospital"}


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
    fallback
        Walk a straight line x circuity (:class:`isochrones.transit.FallbackWalk`) where no
        walk network reaches. Public transport: to, from and between stops outside every
        available walk network. An explicit, labelled mode: with it, a run where no extract
        covers the area walks every leg that way instead of failing, points off the network
        are not left out (the fallback reaches them, up to its access cap), and the result
        gives the share of walking legs that used it (:attr:`AccessResult.fallback_share`).
        Walking (mode ``walk``): only where no extract covers the area, every walk to the
        nearest destination is the straight line (no isochrones are drawn); with a network,
        walks follow it and points off it are left out as usual.
    percentiles
        Percentiles of public-transport time across the window's departures added as
        ``transit_p<p>_min`` (25, 50 and 75 always are).
    max_travel_min
        Public-transport times longer than this count as unreachable (None: no limit).
    max_access_min
        Longest walk to the first stop and from the last one (public transport).
    return_window
        Public transport: also find the last practical bus back, the latest departure in
        this window from each origin's quickest destination (median over the window) that
        gets home within ``max_travel_min`` (150 min when not set) without walking all the
        way (``last_back_s``, ``last_back``, ``return_code``, ``return_name``).
    return_step_min
        Minutes between the departures tried for the return (and between those that pick
        the quickest destination).
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
    fallback: FallbackWalk | None = None
    percentiles: tuple[float, ...] = (25.0, 50.0, 75.0)
    max_travel_min: float | None = None
    max_access_min: float = 10.0
    return_window: tuple[dt.time, dt.time] | None = None
    return_step_min: float = 5.0

    def __post_init__(self) -> None:
        problems = []
        if self.fallback is not None and self.mode == "both":
            problems.append(
                "the straight-line walking fallback is for walking or public-transport runs, "
                "one at a time (mode walk or transit), not both"
            )
        if any(not 0 <= p <= 100 for p in self.percentiles):
            problems.append(f"percentiles must be 0-100, got {self.percentiles}")
        if self.max_travel_min is not None and self.max_travel_min <= 0:
            problems.append(f"max_travel_min must be positive, got {self.max_travel_min}")
        if self.max_access_min <= 0:
            problems.append(f"max_access_min must be positive, got {self.max_access_min}")
        if self.return_window is not None and self.return_window[1] < self.return_window[0]:
            problems.append(f"the return window ends before it starts: {self.return_window}")
        if self.return_step_min <= 0:
            problems.append(f"the return step must be positive, got {self.return_step_min}")
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

    @property
    def fallback_label(self) -> str:
        """How the walking fallback walks on this run ('' without one).

        Public transport caps its access and egress legs; a walking run has no such cap and
        draws no isochrones, so its label says only that.
        """
        if self.fallback is None:
            return ""
        return self.fallback.label if self.rides else self.fallback.walk_label

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
            if self.max_access_min != 10.0:
                out["Longest walk to or from a stop"] = f"{self.max_access_min:g} min"
            if self.max_travel_min is not None:
                out["Longest journey counted"] = f"{self.max_travel_min:g} min"
            if self.return_window is not None:
                out["Last bus back"] = (
                    f"latest departure {self.return_window[0]:%H:%M}-"
                    f"{self.return_window[1]:%H:%M} (every {self.return_step_min:g} min) from "
                    "the quickest destination, home by public transport"
                )
        if self.fallback is not None:
            out["Walking fallback"] = self.fallback_label
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
    if isinstance(data.get("fallback"), Mapping):
        data["fallback"] = FallbackWalk(**data["fallback"])
    if "percentiles" in data:
        data["percentiles"] = tuple(data["percentiles"])
    if data.get("return_window") is not None:
        data["return_window"] = tuple(
            dt.time.fromisoformat(t) if isinstance(t, str) else t for t in data["return_window"]
        )
    return AccessOptions(**data)


def options_dict(options: AccessOptions) -> dict[str, Any]:
    """Return the options as plain data (dates and times as ISO strings)."""
    data = asdict(options)
    data["date"] = options.date.isoformat() if options.date else None
    data["window"] = [t.isoformat() for t in options.window]
    data["bands_min"] = list(options.bands_min)
    data["percentiles"] = list(options.percentiles)
    if options.return_window is not None:
        data["return_window"] = [t.isoformat() for t in options.return_window]
    return data
