"""GP practices and hospitals loaded from the real shared data (and small files built here)."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
from shapely.geometry import Point, box

from hiap.data.health import load_gp_practices, load_hospitals
from hiap.data.population import CAMBS_PETERBOROUGH_LADS
from hiap.errors import DataError
from hiap.settings import Settings, get_settings

# Bounding box of Cambridgeshire and Peterborough in British National Grid metres.
CAMBS_BOUNDS = (490_000, 230_000, 580_000, 320_000)


def test_gp_from_epraccur_and_codepoint(
    real_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hiap.data.health"):
        gps = load_gp_practices(real_settings)
    assert gps.attrs["source"] == "epraccur+codepoint"
    assert gps.crs.to_epsg() == 27700
    assert 84 <= len(gps) <= 139
    assert gps["code"].is_unique
    assert list(gps.columns) == ["code", "name", "postcode", "lad_code", "geometry"]
    assert (gps.geom_type == "Point").all()
    # Every practice lies in the CB/PE area (the Code-Point Open extract's coverage).
    assert gps["postcode"].str.match(r"^[A-Z]{1,2}\d").all()
    assert "not in Code-Point Open" in caplog.text  # England-wide rows dropped, with a count
    in_lads = gps[gps["lad_code"].isin(list(CAMBS_PETERBOROUGH_LADS))]
    assert len(in_lads) == 84
    xmin, ymin, xmax, ymax = CAMBS_BOUNDS
    assert in_lads.geometry.x.between(xmin, xmax).all()
    assert in_lads.geometry.y.between(ymin, ymax).all()
    # Out-of-hours and closed services are not GP practices.
    assert "Y03550" not in set(gps["code"])  # C&P IUC service at Addenbrooke's, setting 2
    assert "D81001" in set(gps["code"])  # Lensfield Medical Practice, Cambridge


def test_geocoded_subset_agrees_with_full_source(real_settings: Settings) -> None:
    full = load_gp_practices(real_settings, source="epraccur").set_index("code")
    subset = load_gp_practices(real_settings, source="geocoded").set_index("code")
    assert subset.attrs["source"] == "geocoded"
    assert set(subset.index) == set(full.index)
    # Same postcodes, same places (the subset went through WGS84 and back: < 1 m).
    gap = full.geometry.distance(subset.geometry.reindex(full.index))
    assert gap.max() < 1.0
    assert (full["postcode"] == subset["postcode"].reindex(full.index)).all()


def test_gp_area_and_buffer(real_settings: Settings) -> None:
    lensfield = load_gp_practices(real_settings).set_index("code").geometry["D81001"]
    near = Point(lensfield.x + 300, lensfield.y)
    assert "D81001" not in set(load_gp_practices(real_settings, area=near.buffer(100))["code"])
    got = load_gp_practices(real_settings, area=near.buffer(100), buffer_m=250)
    assert "D81001" in set(got["code"])
    assert got.distance(near).max() <= 350
    with pytest.raises(ValueError, match="British National Grid"):
        load_gp_practices(real_settings, area=box(0.0, 52.0, 0.2, 52.3))


def test_gp_lad_filter(real_settings: Settings) -> None:
    cambridge = load_gp_practices(real_settings, lad_codes=["E07000008"])
    assert 10 <= len(cambridge) <= 30
    assert set(cambridge["lad_code"]) == {"E07000008"}


def test_gp_falls_back_to_geocoded(tmp_path: Path, real_data_dir: Path) -> None:
    (tmp_path / "health").mkdir()
    name = "gp_practices_epraccur_2025-11_CB_PE_geocoded.csv"
    (tmp_path / "health" / name).symlink_to(real_data_dir / "health" / name)
    gps = load_gp_practices(get_settings(environ={}, data_dir=tmp_path))
    assert gps.attrs["source"] == "geocoded" and 84 <= len(gps) <= 139


def test_gp_missing_names_pattern_and_command(empty_settings: Settings) -> None:
    with pytest.raises(DataError, match=r"epraccur\*\.csv.*hiap data download gp"):
        load_gp_practices(empty_settings)
    with pytest.raises(DataError, match="hiap data download postcodes"):
        (empty_settings.data_dir / "health").mkdir()
        (empty_settings.data_dir / "health" / "epraccur.csv").write_text('"A1","X"\n')
        load_gp_practices(empty_settings, source="epraccur")


def test_hospitals_include_addenbrookes(real_settings: Settings) -> None:
    hospitals = load_hospitals(real_settings, classes=None)
    assert hospitals.crs.to_epsg() == 27700
    assert 1000 <= len(hospitals) <= 1211 and hospitals["code"].is_unique
    add = hospitals[hospitals["name"] == "Addenbrooke's"]
    assert list(add["code"]) == ["RGT01"] and list(add["postcode"]) == ["CB2 0QQ"]
    # The NHS.UK list does not say which sites have A&E; hiap's classification does, for the
    # region and its neighbours only.
    assert hospitals.attrs["has_ae_known"] is True
    assert str(hospitals["has_ae"].dtype) == "boolean"
    assert bool(add["has_ae"].iloc[0]) is True
    assert hospitals["has_ae"].isna().sum() > 900


def test_hospitals_in_area(real_settings: Settings) -> None:
    cambridge = box(540_000, 250_000, 552_000, 262_000)
    names = set(load_hospitals(real_settings, area=cambridge, classes=None)["name"])
    assert {"Addenbrooke's", "Rosie Hospital"} <= names
    assert "Hinchingbrooke Hospital" not in names
    bigger = load_hospitals(real_settings, area=cambridge, buffer_m=30_000)
    assert "Hinchingbrooke Hospital" in set(bigger["name"])


def test_hospitals_fall_back_to_subset(tmp_path: Path, real_data_dir: Path) -> None:
    (tmp_path / "health").mkdir()
    name = "hospitals_nhs_2022-03_CB_PE.csv"
    (tmp_path / "health" / name).symlink_to(real_data_dir / "health" / name)
    hospitals = load_hospitals(get_settings(environ={}, data_dir=tmp_path), classes=None)
    assert hospitals.attrs["source"] == "nhs_hospital_list_cbpe"
    assert len(hospitals) == 29 and "Addenbrooke's" in set(hospitals["name"])


def test_hospital_list_as_nhs_publishes_it(tmp_path: Path) -> None:
    """NHS.UK's own file is '¬'-separated; a site without coordinates is placed by postcode."""
    (tmp_path / "health").mkdir()
    (tmp_path / "postcodes").mkdir()
    header = "OrganisationID¬OrganisationCode¬OrganisationName¬Sector¬Postcode¬Latitude¬Longitude"
    rows = [
        "1¬RGT01¬Addenbrooke's¬NHS Sector¬CB2 0QQ¬52.17513¬0.14075",
        "2¬XYZ01¬No Coordinates Hospital¬NHS Sector¬cb20qq¬¬",
        "3¬XYZ02¬Unknown Postcode Hospital¬NHS Sector¬ZZ9 9ZZ¬¬",
        "4¬RGT01¬Addenbrooke's duplicate¬NHS Sector¬CB2 0QQ¬52.17513¬0.14075",
    ]
    (tmp_path / "health" / "Hospital.csv").write_text(
        "\n".join([header, *rows]) + "\n", encoding="latin-1"
    )
    (tmp_path / "postcodes" / "codepoint_open_test.csv").write_text(
        "Postcode,Positional_quality_indicator,Eastings,Northings,Admin_district_code\n"
        "CB2 0QQ,10,546400,255100,E07000008\n"
    )
    hospitals = load_hospitals(get_settings(environ={}, data_dir=tmp_path), classes=None)
    assert list(hospitals["code"]) == ["RGT01", "XYZ01"]
    placed = hospitals.set_index("code").geometry
    assert (placed["XYZ01"].x, placed["XYZ01"].y) == (546400, 255100)
    assert placed["RGT01"].distance(Point(546482, 255146)) < 5


def test_hospitals_missing(empty_settings: Settings) -> None:
    with pytest.raises(DataError, match="hiap data download hospitals"):
        load_hospitals(empty_settings)


def test_frames_are_fresh_each_call(real_settings: Settings) -> None:
    a = load_gp_practices(real_settings)
    a.loc[0, "name"] = "CHANGED"
    b = load_gp_practices(real_settings)
    assert "CHANGED" not in set(b["name"])
    assert isinstance(b, gpd.GeoDataFrame)


RUTLAND_PBF = "rutland-latest_2022-07-20.osm.pbf"


@pytest.fixture
def osm_only_settings(
    real_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    # A data directory with the real Rutland extract (linked, not copied) and no NHS file.
    (tmp_path / "osm").mkdir()
    (tmp_path / "osm" / RUTLAND_PBF).symlink_to(real_data_dir / "osm" / RUTLAND_PBF)
    monkeypatch.setenv("HIAP_DATA_DIR", str(tmp_path))
    return get_settings()


def test_gp_falls_back_to_osm_without_nhs_files(osm_only_settings: Settings) -> None:
    gps = load_gp_practices(osm_only_settings)
    assert gps.attrs["source"] == "osm"
    assert gps.attrs["files"] == [RUTLAND_PBF]
    assert any("OpenStreetMap" in line for line in gps.attrs["attribution"])
    assert gps.crs.to_epsg() == 27700 and gps["code"].is_unique
    # Oakham Medical Practice is mapped twice (two nodes 139 m apart): one surgery.
    assert sorted(gps["name"]) == ["Oakham Medical Practice", "Uppingham Surgery"]
    assert gps.set_index("name").loc["Oakham Medical Practice", "merged"] == 2
    assert gps["postcode"].isna().all()
    # Rutland lies west of Peterborough, east of Leicester.
    assert gps.geometry.x.between(480_000, 495_000).all()
    assert load_gp_practices(osm_only_settings, source="osm").equals(gps)
    with pytest.raises(DataError, match="epraccur"):
        load_gp_practices(osm_only_settings, source="epraccur")


def test_hospitals_fall_back_to_osm_without_nhs_files(osm_only_settings: Settings) -> None:
    hospitals = load_hospitals(osm_only_settings)
    assert hospitals.attrs["source"] == "osm"
    assert hospitals["name"].tolist() == ["Rutland Memorial Hospital"]
    assert hospitals["code"].str.startswith("osm:way/").all()
    assert hospitals["has_ae"].isna().all()
    with pytest.raises(DataError, match="hospital"):
        load_hospitals(osm_only_settings, source="nhs")


def test_nhs_files_win_over_osm(real_settings: Settings) -> None:
    assert load_gp_practices(real_settings).attrs["source"] == "epraccur+codepoint"
    assert load_hospitals(real_settings).attrs["source"] == "nhs_hospital_list"
    rutland = real_settings.data_dir / "osm" / RUTLAND_PBF
    osm = load_hospitals(real_settings, source="osm", osm_path=rutland)
    assert osm.attrs["source"] == "osm" and len(osm) == 1


def test_no_nhs_file_and_no_extract(tmp_path: Path) -> None:
    settings = get_settings(environ={}, data_dir=tmp_path)
    with pytest.raises(DataError, match="nor an OSM extract"):
        load_gp_practices(settings)
    with pytest.raises(DataError, match="OSM extract"):
        load_hospitals(settings)


def _osm_xml(folder: Path, nodes: list[tuple[int, float, float, dict[str, str]]]) -> Path:
    to_ll = pyproj.Transformer.from_crs(27700, 4326, always_xy=True)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for node_id, x, y, tags in nodes:
        lon, lat = to_ll.transform(x, y)
        tag_xml = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{tag_xml}</node>')
    lines.append("</osm>")
    path = folder / "test.osm"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_osm_duplicates_are_merged_by_name_and_distance(tmp_path: Path) -> None:
    x, y = 520_000.0, 300_000.0
    doctors = {"amenity": "doctors"}
    path = _osm_xml(
        tmp_path,
        [
            (1, x, y, {**doctors, "name": "Park Surgery"}),
            (2, x + 120, y, {"healthcare": "doctor", "name": "park  SURGERY"}),  # same, 120 m
            (3, x, y + 30, doctors),  # unnamed, 30 m: the same place
            (4, x + 2000, y, {**doctors, "name": "Park Surgery"}),  # a branch 2 km away
            (5, x, y - 40, {**doctors, "name": "Lake Surgery"}),  # another practice, 40 m
            (6, x + 5000, y, doctors),  # unnamed and alone: kept
        ],
    )
    settings = get_settings(environ={}, data_dir=tmp_path)
    gps = load_gp_practices(settings, source="osm", osm_path=path)
    assert gps.attrs["source"] == "osm"
    assert sorted(gps["code"]) == ["osm:node/1", "osm:node/4", "osm:node/5", "osm:node/6"]
    assert gps.set_index("code")["merged"].to_dict() == {
        "osm:node/1": 3, "osm:node/4": 1, "osm:node/5": 1, "osm:node/6": 1
    }
    near = load_gp_practices(settings, source="osm", osm_path=path, area=Point(x, y), buffer_m=100)
    assert sorted(near["code"]) == ["osm:node/1", "osm:node/5"]
