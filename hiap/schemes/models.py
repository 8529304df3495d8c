"""The scheme data model: validated metadata and the :class:`Scheme` the rest of hiap uses.

:class:`SchemeMetadata` is a strict pydantic model (unknown fields are rejected) describing
what a scheme is; :class:`Scheme` adds its geometry, already checked and reprojected to British
National Grid (EPSG:27700), so every metric computation downstream works in metres.
Build schemes with :func:`hiap.schemes.read_scheme` rather than by hand: that is where the
geometry is validated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hiap.errors import SchemeError
from hiap.schemes.features import FeatureRows
from hiap.schemes.safety import excerpt

# why: the geometry stacks load in the properties that need them, so `hiap scheme list` and
# metadata checks start without numpy, shapely, pyproj, pandas or geopandas
if TYPE_CHECKING:
    import geopandas as gpd
    import shapely
    from shapely.geometry import Point

SchemeKind = Literal["housing", "transport", "mixed"]
"""What a scheme is: new homes (a boundary), a transport link (lines and stops), or both."""

SCHEME_KINDS: tuple[SchemeKind, ...] = ("housing", "transport", "mixed")

TransportMode = Literal["bus", "walk", "cycle", "walk_cycle", "rail", "tram"]

BNG_EPSG = 27700
"""British National Grid: the metric CRS all scheme geometry is held in."""

WGS84_EPSG = 4326

# Average household size in England. ONS, Census 2021 (TS017 "Household size"; bulletin of
# 2 November 2022): 2.4 people per household in England and Wales, "the same as in 2011".
# ONS, "Households and household composition in England and Wales: 2001-11" (2014) gives the
# unrounded England figure, 2.36, and notes it has been stable for three decades. Councils may
# substitute occupancy from their own housing evidence (persons_per_dwelling).
ENGLAND_PERSONS_PER_DWELLING = 2.36

MIN_PHASING_YEAR = 1980
MAX_PHASING_YEAR = 2100


class SchemeMetadata(BaseModel):
    """What a scheme is, as stated by whoever drew it.

    Parameters
    ----------
    name
        Name of the scheme (e.g. "Northstowe").
    kind
        ``housing`` (a site boundary), ``transport`` (a route with optional stops) or ``mixed``.
    dwellings
        Homes the scheme provides when built out; only for housing or mixed schemes.
    persons_per_dwelling
        Average occupancy used to estimate new residents; defaults to England's average
        household size, 2.36 (ONS; see ``ENGLAND_PERSONS_PER_DWELLING``).
    phasing_year
        The year the assessment looks at (build-out complete, or the phase being assessed).
    description
        Free text.
    source
        Where the outline and figures come from (plan, application number, web page).
    mode
        Transport mode of a transport or mixed scheme (bus, walk, cycle...).
    headway_min
        Minutes between departures, for a bus or rail service.
    first_departure, last_departure
        Span of the service, as ``HH:MM`` times on the day of operation.
    days
        Days the service runs (free text, e.g. "Mon-Sat").
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    kind: SchemeKind = "housing"
    dwellings: int | None = Field(default=None, ge=0, le=100_000)
    persons_per_dwelling: float = Field(default=ENGLAND_PERSONS_PER_DWELLING, ge=1.0, le=6.0)
    phasing_year: int | None = Field(default=None, ge=MIN_PHASING_YEAR, le=MAX_PHASING_YEAR)
    description: str | None = Field(default=None, max_length=5000)
    source: str | None = Field(default=None, max_length=1000)
    mode: TransportMode | None = None
    headway_min: float | None = Field(default=None, gt=0, le=24 * 60)
    first_departure: dt.time | None = None
    last_departure: dt.time | None = None
    days: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> SchemeMetadata:
        problems = consistency_problems(dict(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def service_span_h(self) -> float | None:
        """Hours between the first and last departure, when both are given."""
        if self.first_departure is None or self.last_departure is None:
            return None
        start = self.first_departure.hour * 60 + self.first_departure.minute
        end = self.last_departure.hour * 60 + self.last_departure.minute
        return (end - start) / 60.0


_TRANSPORT_FIELDS = ("mode", "headway_min", "first_departure", "last_departure", "days")


def consistency_problems(values: dict[str, Any]) -> list[str]:
    """Check that metadata fields agree with each other (and with the kind).

    Works on raw values too, so that these problems can be reported alongside field errors.

    Parameters
    ----------
    values
        Metadata values by field name.

    Returns
    -------
    list of str
        One sentence per inconsistency, each with its remedy.
    """
    problems = []
    kind = values.get("kind", "housing")
    if kind == "transport" and values.get("dwellings"):
        problems.append(
            "dwellings is set but kind is 'transport'; set kind to 'mixed' if the scheme "
            "also builds homes, or remove dwellings"
        )
    transport_fields = [name for name in _TRANSPORT_FIELDS if values.get(name) is not None]
    if kind == "housing" and transport_fields:
        problems.append(
            f"{', '.join(transport_fields)} describe a transport service but kind is "
            "'housing'; set kind to 'transport' or 'mixed', or remove them"
        )
    first, last = values.get("first_departure"), values.get("last_departure")
    if isinstance(first, dt.time) and isinstance(last, dt.time) and last <= first:
        problems.append(
            f"last_departure {last:%H:%M} is not after first_departure {first:%H:%M}; give "
            "the span as first and last departure times"
        )
    return problems


_FIELD_REMEDIES = {
    "name": "give the scheme a short name",
    "kind": "use one of housing, transport or mixed",
    "dwellings": "give the number of homes as a whole number from 0 to 100,000",
    "persons_per_dwelling": "give the average occupancy, between 1 and 6 people per home",
    "phasing_year": f"give a year from {MIN_PHASING_YEAR} to {MAX_PHASING_YEAR}",
    "mode": "use one of bus, walk, cycle, walk_cycle, rail or tram",
    "headway_min": "give the minutes between departures, e.g. 30",
    "first_departure": "give a time as HH:MM, e.g. 07:00",
    "last_departure": "give a time as HH:MM, e.g. 19:00",
}


def metadata_problems(error: ValidationError) -> list[str]:
    """Turn a pydantic validation error on :class:`SchemeMetadata` into remedial sentences.

    Parameters
    ----------
    error
        The error raised by ``SchemeMetadata.model_validate``.

    Returns
    -------
    list of str
        One sentence per problem, naming the field, the value and what to do.
    """
    problems = []
    for err in error.errors():
        loc = ".".join(str(part) for part in err["loc"])
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(SchemeMetadata.model_fields)
            problems.append(
                f"Unknown scheme metadata field '{excerpt(loc)}'; the fields are: {allowed}."
            )
            continue
        if not loc:
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"Scheme metadata: {message}.")
            continue
        remedy = _FIELD_REMEDIES.get(loc, "correct this value")
        problems.append(
            # why: the value comes from an upload; repeat only a short, cleaned excerpt of it
            f"Scheme metadata '{excerpt(loc)}': {err['msg']} "
            f"(got {excerpt(repr(err.get('input')))}); {remedy}."
        )
    return problems


def make_metadata(values: dict[str, Any], *, source: str | None = None) -> SchemeMetadata:
    """Validate metadata values, raising one :class:`SchemeError` listing every problem.

    Parameters
    ----------
    values
        Field values (unknown names are rejected).
    source
        File or upload the values came from, for the error message.

    Returns
    -------
    SchemeMetadata
        The validated metadata.

    Raises
    ------
    SchemeError
        When any value is missing, out of range or unknown.
    """
    try:
        return SchemeMetadata.model_validate(values)
    except ValidationError as exc:
        raise SchemeError(metadata_problems(exc), source=source) from None


class _Part:
    """A scheme's ``boundary``, ``lines`` or ``stops`` field: a GeoDataFrame built on first use.

    :func:`~hiap.schemes.read_scheme` stores a :class:`~hiap.schemes.features.FeatureRows`
    (shapely geometries and where their attributes are); reading the field turns it into the
    GeoDataFrame, once. A dataclass field whose default is a descriptor is set and read
    through it, so ``dataclasses.replace`` and the frozen-instance check keep working.
    """

    def __init__(self, *, required: bool = False):
        self.required = required
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            if self.required:
                raise AttributeError(self.slot)  # tells dataclasses there is no default
            return None
        value = obj.__dict__[self.slot]
        if isinstance(value, FeatureRows):
            value = value.frame()
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True, eq=False)
class Scheme:
    """A validated scheme: metadata plus geometry in British National Grid (EPSG:27700).

    Parameters
    ----------
    metadata
        What the scheme is.
    boundary
        Site boundary polygons (housing and mixed schemes), or ``None`` for a transport scheme.
    lines
        Proposed routes or links (transport and mixed schemes), or ``None``.
    stops
        Proposed stop points on the routes, or ``None``.
    notes
        What was repaired or ignored while reading, and any caveats; show these to the user.
    source_name
        File name (or upload name) the scheme was read from.
    source_crs
        The coordinate reference system the file was drawn in, as ``AUTHORITY:CODE`` or WKT name.

    Notes
    -----
    Schemes compare by identity (their frames cannot be compared with ``==``). Treat the frames
    as read-only: the app shares one scheme object between pages; copy before changing them.
    :func:`~hiap.schemes.read_scheme` passes the geometry as
    :class:`~hiap.schemes.features.FeatureRows`; each GeoDataFrame is built when first read,
    so that checking a GeoJSON or KML file needs no pandas. :attr:`feature_counts`,
    :attr:`area_ha`, :attr:`route_length_km` and :attr:`centroid` work on the shapely
    geometries without building them.
    """

    metadata: SchemeMetadata
    boundary: gpd.GeoDataFrame | None = _Part(required=True)
    lines: gpd.GeoDataFrame | None = _Part()
    stops: gpd.GeoDataFrame | None = _Part()
    notes: tuple[str, ...] = field(default_factory=tuple)
    source_name: str = ""
    source_crs: str = ""

    def _geometries(self, part: str) -> Any:
        """Return the part's shapely geometries (array or list), ``None`` if it is absent."""
        value = self.__dict__[f"_{part}"]
        if value is None:
            return None
        if isinstance(value, FeatureRows):
            return value.geometries
        return value.geometry.to_numpy()

    @property
    def feature_counts(self) -> dict[str, int | None]:
        """Features in ``boundary``, ``lines`` and ``stops`` (``None`` where a part is absent)."""
        counts: dict[str, int | None] = {}
        for part in ("boundary", "lines", "stops"):
            geometries = self._geometries(part)
            counts[part] = None if geometries is None else len(geometries)
        return counts

    @property
    def name(self) -> str:
        """The scheme's name."""
        return self.metadata.name

    @property
    def kind(self) -> SchemeKind:
        """The kind of scheme."""
        return self.metadata.kind

    @property
    def footprint(self) -> shapely.Geometry:
        """All of the scheme's geometry as one shape in EPSG:27700 (boundary first, else lines)."""
        import numpy as np
        import shapely

        for part in ("boundary", "lines", "stops"):
            geometries = self._geometries(part)
            if geometries is not None and len(geometries):
                return shapely.union_all(np.asarray(geometries, dtype=object))
        return shapely.Point()

    @property
    def area_ha(self) -> float:
        """Area of the site boundary in hectares (0 for a scheme with no boundary)."""
        geometries = self._geometries("boundary")
        if geometries is None or not len(geometries):
            return 0.0
        import numpy as np
        import shapely

        return float(shapely.union_all(np.asarray(geometries, dtype=object)).area / 10_000.0)

    @property
    def route_length_km(self) -> float:
        """Total length of the proposed routes in kilometres (0 when there are none)."""
        value = self.__dict__["_lines"]
        if value is None or not len(value):
            return 0.0
        if isinstance(value, FeatureRows):
            import numpy as np
            import shapely

            lengths = shapely.length(np.asarray(value.geometries, dtype=object))
            return float(np.sum(lengths) / 1000.0)
        return float(value.geometry.length.sum() / 1000.0)

    @property
    def centroid(self) -> Point:
        """Centroid of the boundary (or of the routes) in EPSG:27700 metres."""
        from shapely.geometry import Point

        centre = self.footprint.centroid
        return Point(centre.x, centre.y)

    @property
    def centroid_lonlat(self) -> tuple[float, float]:
        """Centroid as WGS84 ``(longitude, latitude)`` degrees."""
        centre = self.centroid
        from pyproj import Transformer

        transformer = Transformer.from_crs(BNG_EPSG, WGS84_EPSG, always_xy=True)
        lon, lat = transformer.transform(centre.x, centre.y)
        return float(lon), float(lat)

    @property
    def new_residents(self) -> float | None:
        """Estimated new residents: dwellings x persons per dwelling (``None`` without dwellings)."""
        if self.metadata.dwellings is None:
            return None
        return self.metadata.dwellings * self.metadata.persons_per_dwelling

    @property
    def density_dph(self) -> float | None:
        """Gross density in dwellings per hectare, when both dwellings and a boundary exist."""
        area = self.area_ha
        if self.metadata.dwellings is None or area <= 0:
            return None
        return self.metadata.dwellings / area

    def boundary_wgs84(self) -> gpd.GeoDataFrame | None:
        """Return a copy of the boundary in WGS84 (for maps and GeoJSON export)."""
        if self.boundary is None:
            return None
        return self.boundary.to_crs(WGS84_EPSG)


SampleOrigin = Literal["sample", "data directory"]


@dataclass(frozen=True)
class SampleSchemeInfo:
    """A scheme that ships with hiap or was found in the data directory.

    Parameters
    ----------
    id
        Stable identifier to pass to :func:`hiap.schemes.load_sample_scheme`.
    name
        Human-readable name.
    kind
        Kind of scheme.
    path
        The file the scheme is read from (never copied).
    origin
        ``"sample"`` for the hand-drawn outlines in ``sample_schemes/``, ``"data directory"``
        for real site boundaries found under ``<data_dir>/schemes/``.
    """

    id: str
    name: str
    kind: SchemeKind
    path: Path
    origin: SampleOrigin
