"""The sample schemes load, validate and lie where the real schemes are."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from hiap.errors import SchemeError
from hiap.schemes import SAMPLE_SCHEMES_DIR, list_sample_schemes, load_sample_scheme
from hiap.settings import SHARED_DATA_DIR, Settings

# Local authority each real scheme lies in (ONS LAD codes; Trumpington Meadows straddles the
# Cambridge / South Cambridgeshire boundary, its centre is in Cambridge).
EXPECTED_LAD = {
    "northstowe": "E07000012",
    "waterbeach": "E07000012",
    "alconbury-weald": "E07000011",
    "wintringham": "E07000011",
    "great-kneighton": "E07000008",
    "trumpington-meadows": "E07000008",
    "hampton": "E06000031",
}
EXPECTED_DWELLINGS = {
    "northstowe": 10_000,
    "waterbeach": 11_000,
    "alconbury-weald": 5_000,
    "wintringham": 2_800,
    "great-kneighton": 2_580,
    "trumpington-meadows": 1_200,
    "hampton": 8_500,
}
SAMPLE_IDS = sorted(p.stem for p in SAMPLE_SCHEMES_DIR.glob("*.geojson"))
LAD_FILE = SHARED_DATA_DIR / "boundaries" / "lad2017_sgc_cambs_peterborough.geojson"
ACTDEV_DIR = SHARED_DATA_DIR / "schemes" / "actdev"


def test_samples_are_listed_with_their_kind(settings: Settings) -> None:
    infos = {info.id: info for info in list_sample_schemes(settings)}
    assert set(EXPECTED_LAD) | {"fenland-bus-link"} <= set(infos)
    assert infos["fenland-bus-link"].kind == "transport"
    assert all(infos[i].origin == "sample" for i in SAMPLE_IDS)
    assert infos["northstowe"].name == "Northstowe"


@pytest.mark.parametrize("scheme_id", SAMPLE_IDS)
def test_each_sample_loads_cleanly(scheme_id: str, settings: Settings) -> None:
    scheme = load_sample_scheme(scheme_id, settings)
    assert scheme.notes == ()
    assert scheme.metadata.source and scheme.metadata.description
    path = SAMPLE_SCHEMES_DIR / f"{scheme_id}.geojson"
    assert path.stat().st_size < 5_000  # tiny hand-drawn outlines
    document = json.loads(path.read_text())
    assert "crs" not in document  # RFC 7946: WGS84 longitude/latitude
    if scheme_id in EXPECTED_DWELLINGS:
        assert scheme.metadata.dwellings == EXPECTED_DWELLINGS[scheme_id]
        # gross density over the whole site, which includes employment land, lakes and parks
        assert 5 <= scheme.density_dph <= 60  # type: ignore[operator]


@pytest.mark.skipif(not LAD_FILE.is_file(), reason="needs the shared LAD boundaries")
@pytest.mark.parametrize("scheme_id", sorted(EXPECTED_LAD))
def test_samples_lie_in_their_real_district(scheme_id: str, settings: Settings) -> None:
    lads = gpd.read_file(LAD_FILE).to_crs(27700)
    scheme = load_sample_scheme(scheme_id, settings)
    containing = lads[lads.contains(scheme.centroid)]
    assert containing["lad17cd"].tolist() == [EXPECTED_LAD[scheme_id]]


@pytest.mark.skipif(not ACTDEV_DIR.is_dir(), reason="needs the shared ActDev sites")
@pytest.mark.parametrize("site", ["great-kneighton", "trumpington-meadows", "hampton"])
def test_drawn_outline_covers_the_actdev_site_without_copying_it(
    site: str, settings: Settings
) -> None:
    mine = load_sample_scheme(site, settings).footprint
    actdev = load_sample_scheme(f"actdev-{site}", settings)
    theirs = actdev.footprint
    assert mine.intersection(theirs).area / theirs.area > 0.8
    assert not shapely.equals_exact(mine, theirs, tolerance=1.0)
    assert len(shapely.get_coordinates(mine)) < len(shapely.get_coordinates(theirs))


@pytest.mark.skipif(not ACTDEV_DIR.is_dir(), reason="needs the shared ActDev sites")
def test_data_directory_sites_are_read_in_place(settings: Settings) -> None:
    infos = {i.id: i for i in list_sample_schemes(settings) if i.origin == "data directory"}
    assert set(infos) >= {"actdev-great-kneighton", "actdev-hampton", "actdev-trumpington-meadows"}
    assert infos["actdev-hampton"].path == ACTDEV_DIR / "hampton" / "site.geojson"
    scheme = load_sample_scheme("actdev-trumpington-meadows", settings)
    assert scheme.name == "Trumpington Meadows"
    assert scheme.metadata.dwellings == 1200
    assert "ActDev" in (scheme.metadata.source or "")
    assert 20 < scheme.area_ha < 40


def test_bus_link_serves_doddington_hospital(settings: Settings) -> None:
    scheme = load_sample_scheme("fenland-bus-link", settings)
    assert scheme.lines is not None and scheme.stops is not None
    assert scheme.metadata.mode == "bus" and scheme.metadata.headway_min == 60
    assert scheme.metadata.service_span_h == 12
    assert 10 < scheme.route_length_km < 20
    hospital = scheme.stops[scheme.stops["name"] == "Doddington Hospital"].geometry.iloc[0]
    assert scheme.lines.distance(hospital).min() < 1.0
    hospitals = SHARED_DATA_DIR / "health" / "hospitals_nhs_2022-03_CB_PE.csv"
    if hospitals.is_file():
        import pandas as pd

        table = pd.read_csv(hospitals)
        row = table[table["OrganisationName"].str.startswith("Doddington Hospital")].iloc[0]
        real = gpd.GeoSeries.from_xy([row["Longitude"]], [row["Latitude"]], crs=4326).to_crs(27700)
        assert real.distance(hospital).iloc[0] < 100


def test_unknown_sample_lists_the_ids(settings: Settings) -> None:
    with pytest.raises(SchemeError, match=r"No sample scheme 'atlantis'.*northstowe"):
        load_sample_scheme("atlantis", settings)


def test_listing_with_an_empty_data_directory(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    infos = list_sample_schemes(make_settings(), samples_dir=tmp_path)
    assert infos == []
