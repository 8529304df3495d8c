"""``hiap batch`` on Cambridgeshire's TransXChange: the timetables are read with the data
directory's NaPTAN stops (it stopped with "no NaPTAN" before), and the batch equals one run
over the same area."""

from __future__ import annotations

import datetime as dt
import shutil

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hiap.access import AccessOptions
from hiap.batch import WALK_CAP_MIN, measure_region, run_batch
from hiap.batch.regions import regions_from_data
from hiap.settings import SHARED_DATA_DIR, get_settings

from .conftest import same_rows

pytestmark = pytest.mark.slow

CITI6 = "ea_20-6-_-y08-1_Citi6_Cambridge-Girton-Oakington_2020-03.xml"


def test_a_folder_of_transxchange_is_placed_by_naptan_and_equals_one_run(tmp_path, client):
    txc = SHARED_DATA_DIR / "transit" / "tnds_txc_ea" / CITI6
    osm = sorted((SHARED_DATA_DIR / "osm").glob("cambridge_city_drive_*.osm.pbf"))
    if not txc.is_file() or not osm:
        pytest.skip("the Citi 6 TransXChange file or the Cambridge extract is not in the data")
    # a folder of TransXChange files, as TNDS ships a region (one service keeps the test short)
    folder = tmp_path / "txc"
    folder.mkdir()
    shutil.copy(txc, folder / txc.name)
    box = gpd.GeoDataFrame(geometry=[shapely.box(544_000, 256_500, 546_500, 259_000)], crs=27700)
    area = tmp_path / "central.geojson"
    box.to_file(area, driver="GeoJSON")
    settings = get_settings(environ={}, data_dir=SHARED_DATA_DIR, cache_dir=tmp_path / "cache")
    options = AccessOptions(mode="transit", accept_drive_roads=True, date=dt.date(2020, 3, 31),
                            window=(dt.time(8), dt.time(9)), step_min=30)
    (region,) = regions_from_data(settings, [str(area)], options, to=["gp"],
                                  walk_cap_min=WALK_CAP_MIN, osm_path=osm[0], feed_paths=[folder])
    result = run_batch(settings, [region], options, out_dir=tmp_path / "out", tile_km=2.5,
                       client=client)
    assert result.failed == ()
    assert result.table is not None and result.table["tile"].nunique() > 1
    minutes = result.table["gp_transit_min"].to_numpy(dtype=float)
    assert np.isfinite(minutes).sum() >= len(minutes) // 2  # the buses and walks reach GPs
    same_rows(result.table, measure_region(settings, region, options))
