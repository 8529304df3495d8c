"""Inputs of the public-transport run: point files and their CRS, feeds and extracts found."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pyproj
import pytest
import shapely
from typer.testing import CliRunner

from hiap.access import keep_weighted, load_points
from hiap.access.feeds import find_gtfs_feeds
from hiap.cli.main import app
from hiap.errors import DataError
from hiap.settings import Settings, get_settings
from tests.isochrones.gtfs.tiny import TINY

# Two places in Cambridge, as British National Grid eastings/northings.
BNG_ROWS = "name,x,y,healthcare\nA,545000,258000,1\nB,546000,259500,0\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_lon_lat_columns_are_wgs84(tmp_path: Path) -> None:
    csv = _write(tmp_path / "p.csv", "id,Longitude,Latitude\n1,0.12,52.2\n2,-0.24,52.57\n")
    points = load_points(csv)
    assert points.crs.equals("EPSG:4326")
    assert points.geometry.x.tolist() == [0.12, -0.24]
    assert points.geometry.y.tolist() == [52.2, 52.57]


def test_xy_needs_a_crs_and_is_reprojected(tmp_path: Path) -> None:
    csv = _write(tmp_path / "bng.csv", BNG_ROWS)
    with pytest.raises(DataError, match=r"no CRS for them.*--points-crs"):
        load_points(csv)
    points = load_points(csv, crs="EPSG:27700")
    expected = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(
        [545000, 546000], [258000, 259500]
    )
    assert points.crs.equals("EPSG:4326")
    assert points.geometry.x.to_numpy() == pytest.approx(expected[0])
    assert points.geometry.y.to_numpy() == pytest.approx(expected[1])
    # Cambridge is near 0.1 E, 52.2 N: a sanity check independent of pyproj.
    assert 0.0 < points.geometry.x.iat[0] < 0.2 and 52.1 < points.geometry.y.iat[0] < 52.3
    # The weight column is only applied when asked for, and must exist then.
    assert len(points) == 2
    assert load_points(csv, crs="EPSG:27700", weight_col="healthcare")["name"].tolist() == ["A"]
    with pytest.raises(DataError, match="no column 'beds'"):
        load_points(csv, crs="EPSG:27700", weight_col="beds")


def test_implausible_coordinates_are_refused(tmp_path: Path) -> None:
    # Eastings/northings written into lon/lat columns: far outside any longitude.
    wrong = _write(tmp_path / "w.csv", "lon,lat\n545000,258000\n")
    with pytest.raises(DataError, match="outside where WGS84 lon/lat is valid"):
        load_points(wrong)
    # British eastings declared as UTM zone 22S (Porto Alegre): they land outside its zone.
    bng = _write(tmp_path / "bng.csv", BNG_ROWS)
    with pytest.raises(DataError, match="outside where EPSG:32722 is valid"):
        load_points(bng, crs="EPSG:32722")
    with pytest.raises(DataError, match="not a coordinate reference system"):
        load_points(bng, crs="EPSG:999999")
    lonlat = _write(tmp_path / "ll.csv", "lon,lat\n0.1,52.2\n")
    with pytest.raises(DataError, match="for x/y columns but there are none"):
        load_points(lonlat, crs="EPSG:27700")
    blank = _write(tmp_path / "b.csv", "lon,lat\n0.1,52.2\n,52.3\n")
    with pytest.raises(DataError, match=r"1 row.*missing or non-numeric coordinates"):
        load_points(blank)


def test_keep_weighted_counts_missing_as_zero(tmp_path: Path) -> None:
    csv = _write(tmp_path / "p.csv", "lon,lat,population\n0.1,52.2,10\n0.2,52.2,\n0.3,52.2,0\n")
    points = load_points(csv)
    kept = keep_weighted(points, "population", source=csv)
    assert kept.geometry.x.tolist() == [0.1]
    assert len(points) == 3  # the input is not changed
    with pytest.raises(DataError, match="no row has 'population' above zero"):
        keep_weighted(points.iloc[1:], "population", source=csv)


def _tiny_zip(path: Path, *, shift_lat: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    stops = TINY["stops.txt"].replace("52.0", str(52.0 + shift_lat))
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in TINY.items():
            zf.writestr(name, stops if name == "stops.txt" else text)
    return path


def _settings(tmp_path: Path) -> Settings:
    return get_settings(environ={}, data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


def test_find_gtfs_feeds_by_stop_extent(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(DataError, match=r"No GTFS feed.*hiap data download gtfs"):
        find_gtfs_feeds(settings, area=shapely.box(0, 52, 0.1, 52.1))
    near = _tiny_zip(settings.data_dir / "transit" / "near.zip")  # stops 52.00-52.03 N, 0-0.01 E
    _tiny_zip(settings.data_dir / "transit" / "north.zip", shift_lat=3.0)  # 55.00-55.03 N
    assert find_gtfs_feeds(settings, area=shapely.box(0.005, 52.02, 0.2, 52.5)) == [near]
    with pytest.raises(DataError, match=r"near\.zip, north\.zip.*hiap data download gtfs"):
        find_gtfs_feeds(settings, area=shapely.box(1.0, 52.0, 1.1, 52.1))


def test_find_gtfs_feeds_porto_alegre() -> None:
    settings = get_settings()
    poa = settings.data_dir / "transit" / "porto_alegre"
    if not poa.is_dir():
        pytest.skip(f"no Porto Alegre data in {poa}")
    grid = pd.read_csv(poa / "poa_hexgrid.csv")
    area = shapely.box(grid["lon"].min(), grid["lat"].min(), grid["lon"].max(), grid["lat"].max())
    names = [p.name for p in find_gtfs_feeds(settings, area=area)]
    assert names == ["poa_eptc.zip", "poa_trensurb.zip"]
    with pytest.raises(DataError, match="hiap data download gtfs"):
        find_gtfs_feeds(settings, area=shapely.box(0.1, 52.2, 0.2, 52.3))  # Cambridge


def _invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("HIAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    base = ["access", "transit", "--date", "2024-01-02", "--out", str(tmp_path / "r.gpkg")]
    monkeypatch.setenv("COLUMNS", "400")  # rich wraps at the terminal width
    result = CliRunner().invoke(app, [*base, *args])
    return result.exit_code, " ".join(result.output.split())


def test_cli_points_crs_and_default_feeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    dest = _write(tmp_path / "d.csv", BNG_ROWS)
    orig = _write(tmp_path / "o.csv", "x,y,population\n545500,258500,100\n")
    code, out = _invoke(tmp_path, monkeypatch, "--to", str(dest), "--origins", str(orig))
    assert code == 1 and "--points-crs" in out
    # With the CRS the points load; no --gtfs and no feed in the data directory: say how to get one.
    code, out = _invoke(
        tmp_path,
        monkeypatch,
        "--to",
        str(dest),
        "--origins",
        str(orig),
        "--points-crs",
        "EPSG:27700",
    )
    assert code == 1 and "hiap data download gtfs" in out
    _tiny_zip(tmp_path / "data" / "transit" / "elsewhere.zip")  # stops near 52.0 N, 0.0 E
    code, out = _invoke(
        tmp_path,
        monkeypatch,
        "--to",
        str(dest),
        "--origins",
        str(orig),
        "--points-crs",
        "EPSG:27700",
    )
    assert code == 1 and "elsewhere.zip" in out and "hiap data download gtfs" in out
    code, out = _invoke(
        tmp_path,
        monkeypatch,
        *("--to", str(dest), "--origins", str(orig), "--points-crs", "EPSG:27700"),
        *("--weight-col", "beds"),
    )
    assert code == 1 and "no column 'beds'" in out
