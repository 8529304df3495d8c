"""`hiap access transit` on Cambridgeshire's own TransXChange timetables, as a new user runs it.

The one timetable loader (hiap.access.network.load_timetables) places TransXChange stops by
the data directory's NaPTAN Stops CSVs, a folder of TXC files counts as its files, and
--fallback-walk is the labelled straight-line walk where no OSM extract covers the area. The
CLI's numbers equal those of the Buses page's feed (hiap.corridor.load_cambs_feed) through the
same engine.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from typer.testing import CliRunner

from hiap.access import AccessOptions, measure_access
from hiap.access.feeds import stops_files_for, timetable_files
from hiap.access.network import load_timetables
from hiap.cli.main import app
from hiap.corridor import load_cambs_feed
from hiap.corridor.analysis import CORRIDOR_PLACES
from hiap.data.population import load_area_origins
from hiap.errors import DataError
from hiap.settings import SHARED_DATA_DIR, Settings, get_settings
from isochrones.transit import FallbackWalk

TXC_DIR = SHARED_DATA_DIR / "transit" / "tnds_txc_ea"
CIRCULAR = SHARED_DATA_DIR / "transit" / "tnds_txc_ea_20-12_St_Ives_Town_Circular.xml"
DAY = dt.date(2020, 3, 31)  # the normal timetable (the 2020 files start in the COVID week)

pytestmark = pytest.mark.skipif(
    not TXC_DIR.is_dir() or not CIRCULAR.is_file(),
    reason="the Cambridgeshire TransXChange files are not in the data directory",
)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return get_settings(environ={}, data_dir=SHARED_DATA_DIR,
                        cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def st_ives_area(settings: Settings) -> Path:
    """A boundary file around St Ives' centre (EPSG:27700 GeoJSON): a handful of LSOAs."""
    lat, lon = load_cambs_feed(settings).stop_coordinates[CORRIDOR_PLACES["St Ives"]]
    centre = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(27700).iloc[0]
    lsoa = load_area_origins(settings)
    assert 2 <= int((lsoa.distance(centre) <= 800).sum()) <= 10
    path = Path(str(settings.cache_dir)) / "st_ives.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [{"type": "Feature", "properties": {},
                      "geometry": gpd.GeoSeries([centre.buffer(800)]).__geo_interface__[
                          "features"][0]["geometry"]}],
    }))
    return path


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["access", "transit", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_a_folder_of_txc_files_is_its_files(tmp_path: Path) -> None:
    files = timetable_files([TXC_DIR, CIRCULAR])
    assert [p.suffix for p in files] == [".xml"] * 5 and files[-1] == CIRCULAR
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty: the folder holds no GTFS feed"):
        timetable_files([tmp_path / "empty"])


def test_txc_without_naptan_says_what_to_get(tmp_path: Path) -> None:
    data = tmp_path / "data" / "transit"
    data.mkdir(parents=True)
    (data / CIRCULAR.name).symlink_to(CIRCULAR)
    bare = get_settings(environ={}, data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    with pytest.raises(DataError, match="No NaPTAN Stops CSV") as info:
        stops_files_for(bare, [data / CIRCULAR.name])
    assert str(tmp_path) not in str(info.value)
    with pytest.raises(DataError, match="without coordinates"):
        load_timetables([data / CIRCULAR.name])


@pytest.mark.slow
def test_cli_on_the_cambridgeshire_txc_equals_the_buses_feed(
    settings: Settings, st_ives_area: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIAP_DATA_DIR", str(SHARED_DATA_DIR))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "st_ives.gpkg"
    window = ["--date", DAY.isoformat(), "--window", "09:00-09:30", "--step-min", "5",
              "--to", "hospital", "--area", str(st_ives_area), "--buffer-km", "10"]
    code, text = _cli("--feed", str(TXC_DIR), "--feed", str(CIRCULAR), *window,
                      "--fallback-walk", "--out", str(out))
    assert code == 0, text
    assert str(SHARED_DATA_DIR) not in text  # file names only
    params = dict(gpd.read_file(out, layer="parameters")[["name", "value"]].to_numpy())
    assert params["Stops placed by"].startswith("naptan_050_cambridgeshire_Stops")
    assert "100% of walking legs used it" in params["Walking fallback"]
    assert CIRCULAR.name in params["Timetables"] and len(params["Timetables"].split(", ")) == 5
    cli = gpd.read_file(out, layer="origins").set_index("code")["transit_min"]

    # The Buses page's feed (every TXC file of the data directory) through the same engine.
    options = AccessOptions(
        mode="transit", to="hospital", buffer_km=10.0, date=DAY,
        window=(dt.time(9, 0), dt.time(9, 30)), step_min=5.0,
        max_snap_m=settings.origin_max_snap_m, fallback=FallbackWalk(),
    )
    area = gpd.read_file(st_ives_area).geometry.iloc[0]
    buses = measure_access(settings, options, area=area, feed=load_cambs_feed(settings).feed)
    ref = buses.origins.set_index("code")["transit_min"]
    assert set(buses.destinations["name"]) == {"Hinchingbrooke Hospital"}
    assert sorted(cli.index) == sorted(ref.index) and len(ref) >= 2
    assert np.isfinite(ref).sum() >= 2  # St Ives reaches Hinchingbrooke by Busway B
    unreached = np.where(np.isfinite(ref), ref, np.nan)  # the GeoPackage stores inf as null
    np.testing.assert_allclose(cli.loc[ref.index].to_numpy(), unreached)

    # Without the fallback no offline walk network covers St Ives: a clear refusal.
    code, text = _cli("--feed", str(TXC_DIR), *window, "--out", str(tmp_path / "x.gpkg"))
    flat = " ".join(text.split())
    assert code == 1 and "has a walkable street in the area" in flat, text
    assert "Hint: where no OSM extract covers the area, --fallback-walk" in flat, text


def test_a_timetable_folder_is_keyed_by_its_files(tmp_path: Path) -> None:
    from hiap.access.keys import files_digest

    folder = tmp_path / "txc"
    folder.mkdir()
    (folder / "a.xml").write_text("<a/>")
    before = files_digest([folder])
    (folder / "a.xml").write_text("<b/>")
    assert files_digest([folder]) != before  # an edited file inside is a new answer


def test_no_gtfs_for_the_area_points_to_the_txc_files(settings: Settings) -> None:
    from shapely.geometry import box

    from hiap.access.feeds import find_gtfs_feeds

    with pytest.raises(DataError, match=r"No GTFS feed.*TransXChange timetable file\(s\): name "
                                        r"them with --feed FILE_OR_FOLDER"):
        find_gtfs_feeds(settings, area=box(-0.20, 52.31, -0.16, 52.34))  # Huntingdon
