"""Features as a scheme reader found them: shapely geometries, attributes and a CRS.

Every upload reader is hiap's own (GeoJSON, KML/KMZ, GeoPackage with sqlite3, Shapefile with
struct) and produces plain Python records and shapely geometries; validation needs nothing
more, so `hiap scheme check` starts without pandas and geopandas (about half a second of
CPU). The GeoDataFrame a caller may ask for (:attr:`Features.frame`, and a scheme's
``boundary``/``lines``/``stops``) is built on first use by ``pandas.DataFrame.from_records``,
so a column's dtype follows its values: the GeoPackage and Shapefile readers give each value
the Python type GDAL's column type gave it (NaN for a missing number, for instance), so their
tables hold what GDAL's did.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    import pyproj
    import shapely

_MISSING = object()


def _pandas_like(values: list[Any]) -> list[Any]:
    """Return a column's values as ``pandas.DataFrame.from_records(...)[name].tolist()`` would.

    JSON and KML values are str, int, float, bool or None, and a key absent from a record is
    NaN to pandas. It stores numbers with a gap (None or NaN) or a float among them as float64
    (gaps NaN); text with gaps as its ``str`` dtype from pandas 3 (gaps NaN); whole numbers
    beyond 64 bits and any other mix as objects, as they are. ``test_features`` checks this
    against pandas on random values.
    """
    filled = [math.nan if v is _MISSING else v for v in values]
    present = [v for v in filled if v is not None]
    if not present:
        return filled
    if (
        all(isinstance(v, str) or (isinstance(v, float) and math.isnan(v)) for v in present)
        and any(isinstance(v, str) for v in present)
        and _text_gaps_are_nan()
    ):
        return [math.nan if v is None else v for v in filled]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        ints = [v for v in present if isinstance(v, int)]
        fits = all(-(2**63) <= v < 2**63 for v in ints) or all(0 <= v < 2**64 for v in ints)
        if fits and (len(present) < len(filled) or len(ints) < len(present)):
            return [math.nan if v is None else float(v) for v in filled]
    return filled


def booleans_with_gaps_as_numbers(records: Sequence[dict[str, Any]], names: Sequence[str]) -> None:
    """Make true/false columns with a missing value 1.0/0.0/NaN, in place, as GDAL reads them.

    GDAL (through pyogrio) gives a boolean GeoPackage or dBASE column as booleans when every
    row has a value, and as the numbers 1.0 and 0.0 with NaN for the gaps otherwise; hiap's
    own readers keep those tables as they were.

    Parameters
    ----------
    records
        One dict per feature.
    names
        The boolean columns.
    """
    for name in names:
        if any(record.get(name) is None for record in records):
            for record in records:
                value = record.get(name)
                record[name] = math.nan if value is None else float(value)


@functools.cache
def _text_gaps_are_nan() -> bool:
    """Whether the installed pandas infers its ``str`` dtype for text (pandas 3 on)."""
    from importlib.metadata import version

    return int(version("pandas").split(".")[0]) >= 3


class Features:
    """The features of one scheme file, in the file's own CRS.

    Build with :meth:`from_records` (hiap's own readers).

    Parameters
    ----------
    geometries
        One shapely geometry (or ``None``) per feature.
    crs
        The file's coordinate reference system, ``None`` when it declares none.
    """

    def __init__(self, geometries: Sequence[shapely.Geometry | None], crs: pyproj.CRS | None):
        self.geometries = list(geometries)
        self.crs = crs
        self._groups: list[list[dict[str, Any]]] = []
        self._rename_geometry = False
        self._frame: gpd.GeoDataFrame | None = None
        self._attributes: pd.DataFrame | None = None

    @classmethod
    def from_records(
        cls,
        groups: Sequence[list[dict[str, Any]]],
        geometries: Sequence[shapely.Geometry | None],
        crs: pyproj.CRS | None,
        *,
        rename_geometry: bool = False,
    ) -> Features:
        """Features from attribute records (one list per layer read) and their geometries.

        Parameters
        ----------
        groups
            Attribute records, one list per layer, in the order of ``geometries``.
        geometries
            One geometry (or ``None``) per record.
        crs
            The CRS the geometries are in.
        rename_geometry
            Call an attribute named ``geometry`` ``geometry_property`` in the table (GeoJSON).

        Returns
        -------
        Features
        """
        features = cls(geometries, crs)
        features._groups = [list(group) for group in groups]
        features._rename_geometry = rename_geometry
        return features

    def __len__(self) -> int:
        return len(self.geometries)

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """Every feature as a GeoDataFrame (built on first use)."""
        if self._frame is None:
            self._frame = self._build_frame()
        return self._frame

    def _build_frame(self) -> gpd.GeoDataFrame:
        import geopandas as gpd
        import pandas as pd

        if not self._groups:
            return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=None)}, geometry="geometry")
        frames, start = [], 0
        for group in self._groups:
            attributes = pd.DataFrame.from_records(group, index=range(len(group)))
            if self._rename_geometry and "geometry" in attributes.columns:
                attributes = attributes.rename(columns={"geometry": "geometry_property"})
            geometries = gpd.GeoSeries(self.geometries[start : start + len(group)], crs=self.crs)
            frames.append(gpd.GeoDataFrame(attributes, geometry=geometries, crs=self.crs))
            start += len(group)
        if len(frames) == 1:
            return frames[0]
        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)

    def attributes(self) -> pd.DataFrame:
        """Every feature's attributes, without the geometry column (built on first use)."""
        if self._attributes is None:
            frame = self.frame
            self._attributes = frame.drop(columns=frame.geometry.name)
        return self._attributes

    def has_column(self, name: str) -> bool:
        """Whether some feature has the attribute ``name``."""
        if self._frame is not None or not self._groups:
            return name in self.attributes().columns
        if self._rename_geometry and name in ("geometry", "geometry_property"):
            # why: the rare GeoJSON attribute called "geometry": let pandas settle the names
            return name in self.attributes().columns
        return any(name in record for group in self._groups for record in group)

    def column(self, name: str, positions: Sequence[int]) -> list[Any]:
        """Return the values of attribute ``name`` for the features at ``positions``.

        Parameters
        ----------
        name
            An attribute that :meth:`has_column` says exists.
        positions
            Feature positions (0-based).

        Returns
        -------
        list
            Plain Python values, as ``frame[name].tolist()`` would give them.
        """
        if self._frame is not None or not self._groups or not self._concat_keeps(name):
            series = self.attributes()[name]
            return series.iloc[list(positions)].tolist()
        values: list[Any] = []
        for group in self._groups:
            if any(name in record for record in group):
                values.extend(_pandas_like([record.get(name, _MISSING) for record in group]))
            else:
                values.extend([math.nan] * len(group))  # the column pandas.concat adds
        return [values[position] for position in positions]

    def _concat_keeps(self, name: str) -> bool:
        """Whether joining the layers (KML folders) leaves the values of ``name`` as they are.

        True for one layer, and for text (KML values are text): pandas.concat then keeps each
        layer's values and fills a layer without the attribute with NaN. Numbers in several
        layers are left to pandas, whose concat may turn whole numbers into floats.
        """
        if len(self._groups) == 1:
            return True
        return all(isinstance(r.get(name), str | None) for group in self._groups for r in group)


class FeatureRows:
    """Some features of a :class:`Features`, with their geometries as validated.

    A scheme's boundary, lines and stops are held this way until a caller asks for their
    GeoDataFrame (:meth:`frame`).

    Parameters
    ----------
    features
        The features as read.
    positions
        Which of them (0-based positions).
    geometries
        Their geometries, repaired and in ``crs``.
    crs
        The CRS of ``geometries`` (an EPSG code).
    """

    def __init__(
        self,
        features: Features,
        positions: Sequence[int],
        geometries: Sequence[shapely.Geometry],
        crs: int,
    ):
        self.features = features
        self.positions = list(positions)
        self.geometries = list(geometries)
        self.crs = crs

    def __len__(self) -> int:
        return len(self.geometries)

    def frame(self) -> gpd.GeoDataFrame:
        """Build the GeoDataFrame: the rows' attributes and their validated geometries."""
        import geopandas as gpd

        part = self.features.attributes().iloc[self.positions].reset_index(drop=True)
        geometries = gpd.GeoSeries(self.geometries, crs=self.crs)
        return gpd.GeoDataFrame(part, geometry=geometries, crs=self.crs)
