"""``hiap batch`` on the real data: a part of Cambridge, on a local cluster of one worker process,
equals one run over the same area in this process."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from hiap.access import AccessOptions
from hiap.batch import WALK_CAP_MIN, measure_region
from hiap.batch.regions import regions_from_data
from hiap.cli.main import app
from hiap.settings import SHARED_DATA_DIR, get_settings

pytestmark = pytest.mark.slow


def test_batch_command_on_cambridge_equals_one_run(tmp_path, monkeypatch):
    osm = sorted((SHARED_DATA_DIR / "osm").glob("cambridge_city_drive_*.osm.pbf"))
    if not osm:
        pytest.skip("the Cambridge extract is not in the data directory")
    # central Cambridge, 2.5 km square: a dozen LSOAs, cut into 2.5 km tiles
    box = gpd.GeoDataFrame(geometry=[shapely.box(544_000, 256_500, 546_500, 259_000)], crs=27700)
    area = tmp_path / "central.geojson"
    box.to_file(area, driver="GeoJSON")
    monkeypatch.setenv("HIAP_DATA_DIR", str(SHARED_DATA_DIR))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    args = ["batch", "--area", str(area), "--to", "gp", "--osm", str(osm[0]),
            "--accept-drive-roads", "--tile-km", "2.5", "--workers", "1",
            "--dashboard-address", ":0", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Dask dashboard: http://" in result.output
    assert "0 already finished, 0 failed" in result.output
    assert "gp by walk:" in result.output
    table = pd.read_csv(out / "by_lsoa.csv", dtype={"code": str})
    assert table["tile"].nunique() > 1
    # the same area measured whole, in this process
    settings = get_settings()
    options = AccessOptions(mode="walk", accept_drive_roads=True)
    (region,) = regions_from_data(settings, [str(area)], options, to=["gp"],
                                  walk_cap_min=WALK_CAP_MIN, osm_path=osm[0])
    ref = measure_region(settings, region, options).set_index("code").sort_index()
    got = table.set_index("code").sort_index()
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got["gp_walk_min"].to_numpy(), ref["gp_walk_min"].to_numpy(),
                               rtol=1e-12, atol=0.0)
    assert (got["gp_walk_nearest_code"].fillna("") == ref["gp_walk_nearest_code"].fillna("")).all()
    # run again: every tile is read back, nothing measured
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert f"0 measured now, {got['tile'].nunique()} already finished" in again.output
