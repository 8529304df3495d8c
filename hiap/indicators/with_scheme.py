"""The world an assessment measures: today's map (baseline), or today's map with the scheme.

A :class:`World` is what :func:`hiap.indicators.assess_indicators` needs beyond the OSM
extract and the walk network: where the homes are, what the scheme adds (paths, facilities,
greenspace, bus stops) and how many new residents it brings. Build one with
:func:`baseline_world` or :func:`scheme_world`; both put the homes in the same places (the
proposal's ``homes`` layer, else a grid over the site), so the change between the two runs is
what the scheme builds, not a change of who is counted.

What the scheme adds, and where (each stated in :attr:`World.notes`):

* proposed paths and streets: to a COPY of the walk network (:func:`isochrones.edits.add_paths`,
  vertices within :data:`JOIN_WITHIN_M` of a street joined to it); the baseline network, which
  may be the cached one every user shares, is never changed;
* facilities: to the destination sets (GP and health centre to the GP practices; pharmacy,
  primary school, shop, sports to the OSM points of interest);
* greenspace: parks and natural greenspace to the accessible greenspace layer (dissolved with
  the sites they touch); play areas to the playgrounds; allotments are not publicly accessible
  greenspace, so they count for nothing here;
* bus stops: to the bus stops;
* a bus route (the ``bus_route`` layer): to a COPY of the timetable, when there is one
  (:func:`bus_route_scenario`): a new route calling at the proposed stops along its line, in
  order, and at an existing stop of the feed at either end of the line (so people can change),
  every ``headway_min`` from ``first_bus`` to ``last_bus`` in both directions at
  :data:`BUS_SPEED_KPH`; the defaults used for what the layer does not say are stated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hiap.indicators.osm_features import OsmFeatures, _dissolve_greenspace
from hiap.schemes.models import BNG_EPSG
from hiap.schemes.points import DEFAULT_SPACING_M, scheme_points
from hiap.schemes.proposal import Proposal
from isochrones.edits import DEFAULT_JOIN_M, PathEdit, add_paths
from isochrones.gtfs import Feed
from isochrones.network import WalkNetwork
from isochrones.scenarios import AddRoute, NewStop, Scenario, apply_scenario

__all__ = [
    "BUS_HEADWAY_MIN",
    "BUS_SPAN",
    "BUS_SPEED_KPH",
    "JOIN_WITHIN_M",
    "ROUTE_STOP_M",
    "TYPICAL_LIST_SIZE",
    "World",
    "baseline_world",
    "bus_route_scenario",
    "proposal_homes",
    "scheme_world",
]

JOIN_WITHIN_M = DEFAULT_JOIN_M
"""Proposed path vertices this close to an existing street are joined to it."""

TYPICAL_LIST_SIZE = 9_900
"""Registered patients of an average English practice (NHS Digital, Patients Registered at a GP
Practice, 2024: about 63 million patients in about 6,300 practices), used for a proposed GP
without a ``list_size`` when the supply is list sizes."""

BUS_HEADWAY_MIN = 30.0
"""Minutes between buses on a proposed route whose layer gives no ``headway_min`` (hiap's
cautious assumption, half-hourly, not a standard: give the planned headway)."""

BUS_SPAN: tuple[dt.time, dt.time] = (dt.time(6, 0), dt.time(22, 0))
"""First and last departure of a proposed route without ``first_bus`` / ``last_bus``."""

BUS_SPEED_KPH = 20.0
"""Average speed of a proposed bus between stops, dwell included (a typical urban bus)."""

ROUTE_STOP_M = 100.0
"""A proposed stop this close to the route's line is on the route; an existing stop of the feed
this close to either end of the line is where the route meets today's network."""

# Proposed facility type -> OSM point-of-interest category of OsmFeatures (None: GP list).
_POI_CATEGORY = {
    "pharmacy": "pharmacy",
    "primary_school": "school",
    "secondary_school": "school",
    "shop": "convenience",
    "sports": "sports",
    "community_centre": "community_centre",
}
_GP_TYPES = ("gp", "health_centre")


@dataclass(frozen=True)
class World:
    """What an assessment measures besides the OSM extract and the network.

    Parameters
    ----------
    label
        ``"baseline"`` or ``"with scheme"`` (and the phase, when one is assessed).
    homes
        Home points (EPSG:27700) with a ``weight`` column summing to 1.
    new_residents
        Residents the scheme adds to the demand for GPs (0 in the baseline).
    proposal
        The proposal whose additions are in this world; ``None`` for the baseline.
    join_within_m
        How close a proposed path vertex must be to a street to join it.
    notes
        What was assumed, for the methods text.
    parcels
        The proposal's homes layer (EPSG:27700) for the net residential density, in both
        worlds (the density is the scheme's, not the map's); ``None`` for other points.
    """

    label: str
    homes: gpd.GeoDataFrame
    new_residents: float
    proposal: Proposal | None = None
    join_within_m: float = JOIN_WITHIN_M
    notes: tuple[str, ...] = field(default_factory=tuple)
    parcels: gpd.GeoDataFrame | None = None

    @property
    def is_baseline(self) -> bool:
        """True when nothing of the scheme is built in this world."""
        return self.proposal is None

    def network(self, baseline: WalkNetwork) -> tuple[WalkNetwork, PathEdit | None]:
        """Return the walk network of this world (a new one when the scheme adds paths).

        Parameters
        ----------
        baseline
            Today's network; never changed.

        Returns
        -------
        tuple
            The network to route on, and what was added (``None`` when nothing was).
        """
        if self.proposal is None or self.proposal.paths.empty:
            return baseline, None
        edit = add_paths(
            baseline, self.proposal.paths.geometry.to_numpy(), join_within_m=self.join_within_m
        )
        return edit.network, edit

    def features(self, osm: OsmFeatures) -> OsmFeatures:
        """Return the OSM features with the scheme's facilities, greenspace and stops added."""
        if self.proposal is None:
            return osm
        return with_scheme_features(osm, self.proposal)

    def gps(self, practices: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Return the GP practices with the scheme's GP and health centre facilities added."""
        if self.proposal is None:
            return practices
        return with_scheme_gps(practices, self.proposal)

    def timetable(self, feed: Feed) -> tuple[Feed, tuple[str, ...]]:
        """Return the timetable of this world (a copy with the proposed bus route, if any).

        Parameters
        ----------
        feed
            Today's timetable; never changed.

        Returns
        -------
        tuple
            The timetable to route on, and what was assumed (for the methods text).
        """
        if self.proposal is None or self.proposal.bus_route.empty:
            return feed, ()
        scenario, notes = bus_route_scenario(self.proposal, feed)
        if scenario is None:
            return feed, notes
        return apply_scenario(feed, scenario), notes


def proposal_homes(
    proposal: Proposal, *, spacing_m: float = DEFAULT_SPACING_M
) -> tuple[gpd.GeoDataFrame, str]:
    """Return the proposal's home points, weighted by dwellings, and how they were placed.

    Points of the ``homes`` layer carry their own dwellings; a parcel (polygon) is covered by a
    grid of points ``spacing_m`` apart sharing its dwellings equally. Without a ``homes``
    layer the site is covered by the grid, each point an equal share (and the note says so).

    Parameters
    ----------
    proposal
        The proposal.
    spacing_m
        Grid spacing inside parcels (and over the site without homes).

    Returns
    -------
    tuple
        Points (EPSG:27700) with ``weight`` (summing to 1) and ``dwellings``, and a sentence.
    """
    homes = proposal.homes
    if homes.empty:
        assert proposal.scheme.boundary is not None  # validate_proposal requires it
        grid = scheme_points(proposal.scheme.boundary, spacing_m=spacing_m)
        return grid, (
            f"The proposal has no homes layer: homes were placed on a {spacing_m:g} m grid over "
            f"the site ({len(grid)} points), each an equal share."
        )
    rows: list[tuple[shapely.Geometry, float, float]] = []
    for geom, dwellings, phase in zip(
        homes.geometry.to_numpy(),
        homes["dwellings"].to_numpy(float),
        homes["phase"].to_numpy(float) if "phase" in homes else np.full(len(homes), np.nan),
        strict=True,
    ):
        if geom.geom_type in ("Point", "MultiPoint"):
            pts = shapely.get_parts(geom)
        else:
            pts = scheme_points(geom, spacing_m=spacing_m).geometry.to_numpy()
        rows.extend((p, dwellings / len(pts), phase) for p in pts)
    geoms, dw, phases = zip(*rows, strict=True)
    dwell = np.asarray(dw, dtype=float)
    frame = gpd.GeoDataFrame(
        {"dwellings": dwell, "weight": dwell / dwell.sum(), "phase": np.asarray(phases)},
        geometry=list(geoms),
        crs=BNG_EPSG,
    )
    n_parcels = int((~homes.geom_type.isin(["Point", "MultiPoint"])).sum())
    how = f"{len(homes)} homes features ({n_parcels} parcels, each covered by points {spacing_m:g} m apart)"
    return frame, (
        f"Homes are where the proposal puts them: {proposal.dwellings:,} dwellings in {how}, "
        f"{len(frame)} points weighted by their dwellings."
    )


def baseline_world(proposal: Proposal, *, spacing_m: float = DEFAULT_SPACING_M) -> World:
    """Today's map, measured from the homes the proposal will build.

    Parameters
    ----------
    proposal
        The proposal (only its homes are used).
    spacing_m
        Grid spacing for parcels or a site without homes.

    Returns
    -------
    World
        No additions and no new residents.
    """
    homes, how = proposal_homes(proposal, spacing_m=spacing_m)
    return World("baseline", homes, 0.0, None, notes=(how,), parcels=proposal.homes)


def scheme_world(
    proposal: Proposal,
    *,
    spacing_m: float = DEFAULT_SPACING_M,
    join_within_m: float = JOIN_WITHIN_M,
    label: str = "with scheme",
) -> World:
    """Today's map with the scheme built: its paths, facilities, greenspace, stops and residents.

    Parameters
    ----------
    proposal
        The proposal (or :meth:`Proposal.upto` a phase).
    spacing_m
        Grid spacing for parcels or a site without homes.
    join_within_m
        How close a proposed path vertex must be to a street to join it.
    label
        Name of this world in tables.

    Returns
    -------
    World
        The scheme's additions, and its residents (dwellings x persons per dwelling).
    """
    homes, how = proposal_homes(proposal, spacing_m=spacing_m)
    notes = [how]
    residents = proposal.scheme.new_residents or 0.0
    counts = proposal.counts()
    added = ", ".join(
        f"{n} {layer.replace('_', ' ')}"
        for layer, n in counts.items()
        if n and layer not in ("boundary", "homes")
    )
    notes.append(
        f"With the scheme: {added or 'no facilities, paths or greenspace'} added to today's map"
        f"; {residents:,.0f} new residents ({proposal.dwellings:,} dwellings at "
        f"{proposal.scheme.metadata.persons_per_dwelling:g} per dwelling)."
    )
    if (
        (proposal.greenspace["type"] == "allotment").any()
        if not proposal.greenspace.empty
        else False
    ):
        notes.append("Allotments are not publicly accessible greenspace and are not counted.")
    return World(label, homes, residents, proposal, join_within_m, tuple(notes), proposal.homes)


def with_scheme_features(osm: OsmFeatures, proposal: Proposal) -> OsmFeatures:
    """Return ``osm`` with the proposal's facilities, greenspace, play areas and stops added.

    Parameters
    ----------
    osm
        Features of today's OSM extract (not modified).
    proposal
        The proposal.

    Returns
    -------
    OsmFeatures
        A new object; added rows have ``osm_id`` starting ``proposed/``.
    """
    rows: list[dict[str, object]] = []
    fac = proposal.facilities
    for i, (kind, name, geom) in enumerate(
        zip(fac["type"], fac.get("name", pd.Series([""] * len(fac))), fac.geometry, strict=True)
    ):
        category = _POI_CATEGORY.get(str(kind))
        if category is None:
            continue
        rows.append(
            {
                "category": category,
                "kind": str(kind),
                "name": str(name or ""),
                "primary": kind == "primary_school",
                "osm_id": f"proposed/facility/{i}",
                "geometry": shapely.point_on_surface(geom),
            }
        )
    green = proposal.greenspace
    for i, (kind, name, geom) in enumerate(
        zip(
            green["type"],
            green.get("name", pd.Series([""] * len(green))),
            green.geometry,
            strict=True,
        )
    ):
        if kind == "play":
            rows.append(
                {
                    "category": "playground",
                    "kind": "play",
                    "name": str(name or ""),
                    "primary": False,
                    "osm_id": f"proposed/play/{i}",
                    "geometry": shapely.point_on_surface(geom),
                }
            )
    for i, (name, geom) in enumerate(
        zip(
            proposal.bus_stops.get("name", pd.Series([""] * len(proposal.bus_stops))),
            proposal.bus_stops.geometry,
            strict=True,
        )
    ):
        rows.append(
            {
                "category": "bus_stop",
                "kind": "proposed",
                "name": str(name or ""),
                "primary": False,
                "osm_id": f"proposed/bus_stop/{i}",
                "geometry": geom,
            }
        )
    pois = osm.pois
    if rows:
        added = gpd.GeoDataFrame(rows, geometry="geometry", crs=pois.crs or BNG_EPSG)
        pois = gpd.GeoDataFrame(
            pd.concat([pois, added], ignore_index=True), crs=pois.crs or BNG_EPSG
        )
    greenspace = osm.greenspace
    public = green[green["type"].isin(["park", "natural"])] if not green.empty else green
    if not public.empty:
        existing = pd.DataFrame(
            {
                "kind": osm.greenspace.get("kinds", pd.Series(dtype=str)),
                "name": osm.greenspace.get("name", pd.Series(dtype=str)),
                "geometry": osm.greenspace.geometry.to_numpy(),
            }
        )
        new = pd.DataFrame(
            {
                "kind": "proposed " + public["type"].astype(str),
                "name": public.get("name", pd.Series([""] * len(public)))
                .fillna("")
                .astype(str)
                .to_numpy(),
                "geometry": public.geometry.to_numpy(),
            }
        )
        both = gpd.GeoDataFrame(
            pd.concat([existing, new], ignore_index=True), geometry="geometry", crs=BNG_EPSG
        )
        both["name"] = both["name"].fillna("").astype(str)
        greenspace = _dissolve_greenspace(both)
    streets = osm.streets
    paths = proposal.paths
    if not paths.empty:
        lines = shapely.get_parts(paths.geometry.to_numpy())
        kinds = np.repeat(
            paths["type"].to_numpy(), shapely.get_num_geometries(paths.geometry.to_numpy())
        )
        added_streets = gpd.GeoDataFrame(
            {
                "highway": np.where(kinds == "street", "residential", "footway"),
                "sidewalk": False,
                "cycleway": kinds == "cycleway",
                "is_path": kinds != "street",
                "osm_id": [f"proposed/path/{i}" for i in range(len(lines))],
            },
            geometry=lines,
            crs=BNG_EPSG,
        )
        streets = gpd.GeoDataFrame(
            pd.concat([streets, added_streets], ignore_index=True), crs=BNG_EPSG
        )
    return replace(
        osm,
        pois=pois,
        greenspace=greenspace,
        streets=streets,
        source=osm.source + "; with the scheme's proposal layers",
    )


def with_scheme_gps(practices: gpd.GeoDataFrame, proposal: Proposal) -> gpd.GeoDataFrame:
    """Return the GP practices with the proposal's GP and health centre facilities added.

    Parameters
    ----------
    practices
        Today's practices (EPSG:27700; not modified).
    proposal
        The proposal.

    Returns
    -------
    geopandas.GeoDataFrame
        The practices plus one row per proposed GP or health centre (``code`` ``PROPOSED-n``);
        ``list_size`` is the proposal's, else :data:`TYPICAL_LIST_SIZE`, when the practices
        carry list sizes.
    """
    fac = proposal.facilities
    new = fac[fac["type"].isin(_GP_TYPES)] if not fac.empty else fac
    if new.empty:
        return practices
    added = gpd.GeoDataFrame(
        {
            "code": [f"PROPOSED-{i + 1}" for i in range(len(new))],
            "name": new.get("name", pd.Series([""] * len(new))).fillna("").astype(str).to_numpy(),
        },
        geometry=shapely.point_on_surface(new.geometry.to_numpy()),
        crs=BNG_EPSG,
    ).to_crs(practices.crs or BNG_EPSG)
    if "list_size" in practices:
        given = new["list_size"] if "list_size" in new else pd.Series(np.nan, index=new.index)
        added["list_size"] = given.fillna(TYPICAL_LIST_SIZE).to_numpy(float)
    out = gpd.GeoDataFrame(pd.concat([practices, added], ignore_index=True), crs=practices.crs)
    out.attrs = dict(practices.attrs)
    return out


def _hhmm(value: object, default: dt.time) -> dt.time:
    """Parse ``HH:MM`` (validated by the proposal reader); ``default`` when missing."""
    text = str(value).strip() if value is not None and value == value else ""
    if not text:
        return default
    hours, minutes = text.split(":")[:2]
    return dt.time(int(hours), int(minutes))


def bus_route_scenario(proposal: Proposal, feed: Feed) -> tuple[Scenario | None, tuple[str, ...]]:
    """Turn the proposal's ``bus_route`` layer into a timetable scenario on ``feed``.

    Each line of the layer becomes one new route (:class:`isochrones.scenarios.AddRoute`)
    calling, in order along the line, at the proposed ``bus_stops`` within
    :data:`ROUTE_STOP_M` of it; where an existing stop of ``feed`` lies within
    :data:`ROUTE_STOP_M` of an end of the line, the route starts or ends there, so people can
    change to today's services. It runs both ways every ``headway_min`` (else
    :data:`BUS_HEADWAY_MIN`) from ``first_bus`` to ``last_bus`` (else :data:`BUS_SPAN`) at
    :data:`BUS_SPEED_KPH`, every day.

    Parameters
    ----------
    proposal
        The proposal (its ``bus_route`` and ``bus_stops`` layers are used).
    feed
        Today's timetable (read only, for the stops at the line's ends).

    Returns
    -------
    tuple
        The scenario (``None`` when no line calls at two stops), and sentences saying what
        was assumed and what was left out.
    """
    notes: list[str] = []
    routes = proposal.bus_route
    if routes.empty:
        return None, ()
    stops = proposal.bus_stops
    existing = feed.stops.dropna(subset=["stop_lat", "stop_lon"])
    existing_xy = gpd.GeoSeries(
        gpd.points_from_xy(existing["stop_lon"], existing["stop_lat"]), crs="EPSG:4326"
    ).to_crs(BNG_EPSG)
    stops_ll = stops.to_crs("EPSG:4326") if not stops.empty else stops
    edits: list[AddRoute] = []
    for number, (line, row) in enumerate(zip(routes.geometry, routes.itertuples(), strict=True), 1):
        line = shapely.line_merge(line) if line.geom_type == "MultiLineString" else line
        if line.geom_type != "LineString":  # a route in pieces: its parts are not one journey
            notes.append(f"Bus route {number} is not one continuous line and was not added to the timetable; join its parts.")
            continue
        name = str(getattr(row, "name", "") or f"Proposed route {number}")
        calls: list[tuple[float, str | NewStop]] = []
        if not stops.empty:
            near = np.flatnonzero(stops.geometry.distance(line).to_numpy() <= ROUTE_STOP_M)
            for i in near:
                ll = stops_ll.geometry.iloc[i]
                label = str(stops["name"].iloc[i] or "") if "name" in stops else ""
                calls.append((
                    float(line.project(stops.geometry.iloc[i])),
                    NewStop(stop_id=f"proposed-{number}-{i + 1}", lat=ll.y, lon=ll.x,
                            name=label or f"{name} stop {i + 1}"),
                ))
        ends = []
        for at, end in ((0.0, shapely.Point(line.coords[0])), (line.length, shapely.Point(line.coords[-1]))):
            if existing_xy.empty:
                continue
            dist = existing_xy.distance(end).to_numpy()
            best = int(np.argmin(dist))
            if dist[best] <= ROUTE_STOP_M:
                calls.append((at, str(existing["stop_id"].iloc[best])))
                ends.append(str(existing["stop_name"].iloc[best]) or str(existing["stop_id"].iloc[best]))
        calls.sort(key=lambda c: c[0])
        order = [c for k, c in enumerate(calls) if k == 0 or c[1] != calls[k - 1][1]]
        if len(order) < 2:
            notes.append(
                f"{name}: fewer than two stops lie within {ROUTE_STOP_M:g} m of its line, so it "
                "was not added to the timetable; add bus_stops on the route."
            )
            continue
        given = getattr(row, "headway_min", None)
        headway = float(given) if given is not None and np.isfinite(given) else BUS_HEADWAY_MIN
        start = _hhmm(getattr(row, "first_bus", None), BUS_SPAN[0])
        end = _hhmm(getattr(row, "last_bus", None), BUS_SPAN[1])
        edits.append(AddRoute(
            route_id=f"proposed-{number}", name=name, stops=[c[1] for c in order],
            headway_min=headway, start=start, end=end, speed_kph=BUS_SPEED_KPH,
        ))
        assumed = [
            *([] if given is not None and np.isfinite(given) else [f"every {BUS_HEADWAY_MIN:g} min"]),
            *([] if str(getattr(row, "first_bus", "") or "").strip() else [f"from {BUS_SPAN[0]:%H:%M}"]),
            *([] if str(getattr(row, "last_bus", "") or "").strip() else [f"until {BUS_SPAN[1]:%H:%M}"]),
        ]
        notes.append(
            f"{name} added to the timetable: {len(order)} stops"
            + (f" (meeting today's buses at {' and '.join(ends)})" if ends else "")
            + f", every {headway:g} min {start:%H:%M}-{end:%H:%M} both ways, every day, at "
            f"{BUS_SPEED_KPH:g} km/h"
            + (f"; the layer did not say, so assumed: {', '.join(assumed)}" if assumed else "")
            + "."
        )
    if not edits:
        return None, tuple(notes)
    return Scenario(name=f"{proposal.name}: proposed bus routes", edits=list(edits)), tuple(notes)
