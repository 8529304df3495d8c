"""GP branch surgeries: the dated NHS ODS list, placed by postcode, off by default."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from hiap.data.gp_branches import load_gp_branches, with_branches
from hiap.data.health import load_gp_practices
from hiap.errors import DataError
from hiap.settings import Settings, get_settings


def _has_branches(settings: Settings) -> bool:
    return any((settings.data_dir / "health").glob("nhs_ods_ebranchs_*.csv"))


def test_open_branches_placed_by_postcode(real_settings: Settings) -> None:
    if not _has_branches(real_settings):
        pytest.skip("no branch surgery file in the data directory")
    branches = load_gp_branches(real_settings)
    assert len(branches) > 20 and branches["code"].is_unique
    assert branches.crs.to_epsg() == 27700 and (branches["site_kind"] == "branch surgery").all()
    ketton = branches.set_index("code").loc["C82077001"]
    assert ketton["postcode"] == "PE9 3TE" and ketton["parent_code"] == "C82077"
    assert 490_000 < ketton.geometry.x < 505_000  # Ketton, west of Stamford
    assert branches.attrs["branch_date"] == "2017-08"
    assert "2017-08" in branches.attrs["method"] and "postcode" in branches.attrs["method"]


def test_with_branches_keeps_only_branches_of_active_practices(real_settings: Settings) -> None:
    if not _has_branches(real_settings):
        pytest.skip("no branch surgery file in the data directory")
    gps = load_gp_practices(real_settings)
    both = with_branches(gps, real_settings)
    main = both[both["site_kind"] == "main surgery"]
    branch = both[both["site_kind"] == "branch surgery"]
    assert len(main) == len(gps) and len(branch) > 0
    assert set(branch["parent_code"]) <= set(gps["code"])
    assert "branch" in both.attrs["method"] and "code" in gps and "site_kind" not in gps


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    settings = get_settings(environ={}, data_dir=tmp_path, cache_dir=tmp_path / "c")
    (tmp_path / "health").mkdir()
    gps = gpd.GeoDataFrame({"code": ["D1"], "name": ["X"]}, geometry=[Point(0, 0)], crs=27700)
    with pytest.raises(DataError, match="ebranchs"):
        with_branches(gps, settings)
