"""NaPTAN stop coordinates for TransXChange files that list stops without a location.

NaPTAN (the DfT's National Public Transport Access Nodes) gives every British stop an ATCO
code. Its CSV export carries ``Longitude``/``Latitude`` (often blank) and always
``Easting``/``Northing`` (British National Grid); some extracts add converted WGS84 columns
(``lon_wgs84``/``lat_wgs84``), which are preferred when present.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from isochrones.gtfs.errors import FeedError

__all__ = ["naptan_coordinates"]

_LONLAT_PAIRS = (("lon_wgs84", "lat_wgs84"), ("Longitude", "Latitude"))


def _one_file(path: Path) -> pd.DataFrame:
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise FeedError(
            f"{path.name}: cannot read as a NaPTAN CSV ({exc}).", source=path.name
        ) from None
    cols = set(head.columns)
    if "ATCOCode" not in cols:
        raise FeedError(
            f"{path.name}: no ATCOCode column; give a NaPTAN Stops CSV.", source=path.name
        )
    want = ["ATCOCode"] + [c for pair in _LONLAT_PAIRS for c in pair if c in cols]
    want += [c for c in ("Easting", "Northing") if c in cols]
    frame = pd.read_csv(path, usecols=want, dtype=str, encoding="utf-8-sig")
    lon = pd.Series(np.nan, index=frame.index)
    lat = pd.Series(np.nan, index=frame.index)
    for lon_col, lat_col in _LONLAT_PAIRS:
        if lon_col in frame and lat_col in frame:
            lon = lon.fillna(pd.to_numeric(frame[lon_col], errors="coerce"))
            lat = lat.fillna(pd.to_numeric(frame[lat_col], errors="coerce"))
    if "Easting" in frame and "Northing" in frame:
        # Rows with neither WGS84 pair: convert the grid reference once, vectorised.
        gap = lon.isna() | lat.isna()
        east = pd.to_numeric(frame.loc[gap, "Easting"], errors="coerce")
        north = pd.to_numeric(frame.loc[gap, "Northing"], errors="coerce")
        ok = east.notna() & north.notna()
        if ok.any():
            from pyproj import Transformer

            tr = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
            x, y = tr.transform(east[ok].to_numpy(float), north[ok].to_numpy(float))
            lon.loc[ok[ok].index] = x
            lat.loc[ok[ok].index] = y
    out = pd.DataFrame({"stop_id": frame["ATCOCode"].str.strip(), "lat": lat, "lon": lon})
    return out.dropna()


def naptan_coordinates(paths: Iterable[str | Path]) -> dict[str, tuple[float, float]]:
    """Read ATCO code -> ``(lat, lon)`` (WGS84) from NaPTAN Stops CSV files.

    Parameters
    ----------
    paths
        NaPTAN ``Stops.csv`` exports (one per ATCO area, e.g. 050 Cambridgeshire).

    Returns
    -------
    dict
        Coordinates for every stop with a usable position, ready for
        :func:`isochrones.gtfs.txc.load_transxchange`'s ``stop_coordinates``.

    Raises
    ------
    FeedError
        When a file is not a NaPTAN stops CSV.
    """
    frames = [_one_file(Path(p)) for p in paths]
    if not frames:
        return {}
    table = pd.concat(frames, ignore_index=True).drop_duplicates("stop_id")
    return dict(
        zip(
            table["stop_id"],
            zip(table["lat"].astype(float), table["lon"].astype(float), strict=True),
            strict=True,
        )
    )
