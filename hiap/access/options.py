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
