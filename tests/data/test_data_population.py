"""Origin areas (population, IMD) and district boundaries from the real shared data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hiap.data.population import CAMBS_PETERBOROUGH_LADS, load_area_origins, load_districts
from hiap.errors import DataError
from hiap.settings import Settings, get_settings

COLUMNS = [
    "code",
    "name",
    "population",
    "imd_decile",
    "imd_rank",
    "lad_code",
    "lad_name",
    "geometry",
]


def test_lsoa_origins(real_settings: Settings) -> None:
    lsoa = load_area_origins(real_settings)
    assert list(lsoa.columns) == COLUMNS
    assert len(lsoa) == 487 and lsoa["code"].is_unique
    total = int(lsoa["population"].sum())
    assert 830_000 <= total <= 870_000
    assert lsoa["imd_decile"].between(1, 10).all()
    assert lsoa["imd_rank"].between(1, 32_844).all()
    assert set(lsoa["lad_code"]) == set(CAMBS_PETERBOROUGH_LADS)
    assert dict(zip(lsoa["lad_code"], lsoa["lad_name"], strict=True)) == dict(
        CAMBS_PETERBOROUGH_LADS
    )
    assert lsoa.crs.to_epsg() == 27700
    assert lsoa.attrs["centroid_kind"] == "postcode_mean_proxy"
    # Peterborough 004A: IMD rank "23,577" in the file (thousands separator).
    row = lsoa.set_index("code").loc["E01015589"]
    assert row["imd_rank"] == 23_577 and row["imd_decile"] == 8 and row["population"] == 1817


def test_origins_lie_in_their_district(real_settings: Settings) -> None:
    lsoa = load_area_origins(real_settings)
    districts = load_districts(real_settings).set_index("lad_code")
    inside = [districts.geometry[lad].buffer(200).contains(pt) for lad, pt in
              zip(lsoa["lad_code"], lsoa.geometry, strict=True)]  # fmt: skip
    assert sum(inside) / len(inside) > 0.99


def test_oa_origins_apportion_lsoa_population(real_settings: Settings) -> None:
    lsoa = load_area_origins(real_settings)
    oa = load_area_origins(real_settings, level="oa")
    assert len(oa) == 2540 and oa["code"].is_unique
    assert oa["code"].str.startswith("E00").all()
    assert oa["population"].sum() == pytest.approx(lsoa["population"].sum())
    by_lsoa = oa.groupby("lsoa_code")["population"].sum()
    expected = lsoa.set_index("code")["population"].astype(float)
    pd.testing.assert_series_equal(
        by_lsoa.sort_index(), expected.loc[by_lsoa.index].sort_index(), check_names=False
    )
    assert "split equally" in oa.attrs["population_method"]
    assert oa.attrs["centroid_kind"] == "postcode_mean_proxy"


def test_lad_filter(real_settings: Settings) -> None:
    cambridge = load_area_origins(real_settings, lad_codes=["E07000008"])
    assert 60 <= len(cambridge) <= 80 and set(cambridge["lad_name"]) == {"Cambridge"}


def test_official_population_weighted_centroids_are_used(
    tmp_path: Path, real_data_dir: Path, real_settings: Settings
) -> None:
    """A file laid out like the ONS PWC export (FID, LSOA11CD, LSOA11NM, X, Y in BNG)."""
    proxy = load_area_origins(real_settings)
    pop = tmp_path / "population"
    pop.mkdir()
    shifted = pd.DataFrame(
        {
            "FID": range(len(proxy)),
            "LSOA11CD": proxy["code"],
            "LSOA11NM": proxy["name"],
            "X": proxy.geometry.x + 10.0,
            "Y": proxy.geometry.y,
        }
    )
    shifted.to_csv(pop / "LSOA_Dec_2011_Population_Weighted_Centroids.csv", index=False)
    for name in (
        "ons_mid2020_lsoa11_population_cambs_peterborough.csv",
        "imd2019_lsoa11_england_rank_decile.csv",
    ):
        (pop / name).symlink_to(real_data_dir / "population" / name)
    official = load_area_origins(get_settings(environ={}, data_dir=tmp_path))
    assert official.attrs["centroid_kind"] == "ons_population_weighted"
    assert len(official) == 487 and list(official.columns) == COLUMNS
    merged = official.set_index("code").join(proxy.set_index("code"), suffixes=("", "_proxy"))
    assert (merged["population"] == merged["population_proxy"]).all()
    assert (merged["imd_rank"] == merged["imd_rank_proxy"]).all()
    assert (merged["lad_name"] == merged["lad_name_proxy"]).all()
    assert (official.geometry.x.to_numpy() == (proxy.geometry.x + 10).to_numpy()).all()


def test_origins_missing(empty_settings: Settings) -> None:
    with pytest.raises(DataError, match=r"LSOA 2011 centroids.*Open Geography Portal"):
        load_area_origins(empty_settings)
    with pytest.raises(ValueError, match="level"):
        load_area_origins(empty_settings, level="msoa")  # type: ignore[arg-type]


def test_districts(real_settings: Settings) -> None:
    districts = load_districts(real_settings)
    assert list(districts.columns) == ["lad_code", "lad_name", "geometry"]
    assert dict(zip(districts["lad_code"], districts["lad_name"], strict=True)) == dict(
        CAMBS_PETERBOROUGH_LADS
    )
    assert districts.crs.to_epsg() == 27700
    area_km2 = districts.area.sum() / 1e6
    assert 3_300 < area_km2 < 3_500  # Cambridgeshire 3,046 km² + Peterborough 343 km²
    everything = load_districts(real_settings, lad_codes=None)
    assert len(everything) == 32
    with pytest.raises(DataError, match="E09000001"):
        load_districts(real_settings, lad_codes=["E09000001"])
