"""The dataset catalogue and `dataset_status` on the real shared data and on empty folders."""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from pathlib import Path

import pytest

from hiap.data import registry
from hiap.data.registry import (
    DATASETS,
    LICENCE_ATTRIBUTIONS,
    OSM_ATTRIBUTION,
    Dataset,
    attribution_lines,
    find_dataset_files,
    get_dataset,
)
from hiap.data.status import dataset_status, date_from_name
from hiap.errors import DataError
from hiap.settings import Settings, get_settings

# Every dataset hiap needs, by the short name used on the command line.
EXPECTED_NAMES = {
    "osm", "gtfs", "txc", "naptan", "gp", "gp_cbpe", "hospitals", "hospitals_cbpe", "postcodes",
    "postcode_lookup", "census2021", "population", "imd", "lsoa_centroids", "oa_centroids",
    "districts", "actdev", "life_expectancy_msoa", "qof_prevalence", "smoking_prevalence",
    "census_car_availability", "census_disability", "census_age",
}  # fmt: skip


def test_catalogue_lists_every_dataset_with_licence_and_source() -> None:
    assert set(DATASETS) == EXPECTED_NAMES
    for name, ds in DATASETS.items():
        assert ds.name == name
        assert ds.licence and ds.attribution and all(ds.attribution)
        assert ds.source_url.startswith("https://")
        assert ds.patterns
        # A dataset without a direct download must say how to get it.
        assert ds.downloads or ds.how_to_get, name
        for dl in ds.downloads:
            assert dl.url.startswith("https://"), dl.url
            assert not Path(dl.dest).is_absolute() and ".." not in Path(dl.dest).parts


def test_catalogue_is_immutable() -> None:
    with pytest.raises(TypeError):
        DATASETS["osm"] = DATASETS["gp"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DATASETS["osm"].name = "x"  # type: ignore[misc]


def test_osm_and_ogl_attribution_lines() -> None:
    assert DATASETS["osm"].attribution == (OSM_ATTRIBUTION,)
    assert LICENCE_ATTRIBUTIONS["ODbL 1.0"] == "© OpenStreetMap contributors, ODbL 1.0"
    lines = attribution_lines([DATASETS["osm"], DATASETS["gp"], DATASETS["hospitals"]])
    assert lines == [
        "© OpenStreetMap contributors, ODbL 1.0",
        "Contains public sector information licensed under the Open Government Licence v3.0",
    ]


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(DataError, match=r"Unknown dataset 'nope'.*gp, gp_cbpe.*osm"):
        get_dataset("nope")


def test_status_on_real_data_all_present(real_settings: Settings) -> None:
    statuses = {s.dataset.name: s for s in dataset_status(real_settings)}
    assert set(statuses) == EXPECTED_NAMES
    # Census 2021 MSOA tables are catalogued so the baseline can say "add the file to measure".
    not_here = {"census_car_availability", "census_disability", "census_age"}
    assert not any(statuses[name].present for name in not_here)
    for name, st in statuses.items():
        if name in not_here:
            continue
        assert st.present, name
        assert st.size_bytes > 0
        assert st.data_date is not None and st.data_date[:2] in ("19", "20")
        assert st.dataset.licence
    # The data directory may hold more extracts than these two: the test holds whatever else it has.
    osm_files = {f.path.name for f in statuses["osm"].files}
    assert osm_files >= {"peterborough_hampton_2012.osm", "rutland-latest_2022-07-20.osm.pbf"}
    assert statuses["gp"].data_date == "2025-11"
    assert statuses["gp"].date_source == "file name"
    # The column-headers file of Code-Point Open is documentation, not data.
    assert [f.path.name for f in statuses["postcodes"].files] == [
        "codepoint_open_2025-04_CB_PE_and_cambs_lads.csv"
    ]
    # The GTFS date comes from the feeds' feed_info.txt.
    assert statuses["gtfs"].date_source == "file content"
    assert statuses["gtfs"].data_date == "2019-04-11 to 2019-07-11"
    # Each TransXChange file keeps its own date (St Ives's from its content); the dataset's date
    # is the newest of whatever files the directory holds.
    txc_dates = {f.path.name: f.data_date for f in statuses["txc"].files}
    assert txc_dates["tnds_txc_ea_20-12_St_Ives_Town_Circular.xml"] == "2016-11-11"
    assert statuses["txc"].data_date == max(txc_dates.values())
    assert statuses["postcode_lookup"].data_date == "2022-05"  # from "MAY22"


def test_status_on_empty_dir_all_missing_with_commands(empty_settings: Settings) -> None:
    statuses = dataset_status(empty_settings)
    assert len(statuses) == len(DATASETS)
    for st in statuses:
        assert not st.present and st.files == () and st.data_date is None
        if st.dataset.downloads:
            assert st.fetch_command == f"hiap data download {st.dataset.name}"
        else:
            assert st.fetch_command is None and st.dataset.how_to_get
    assert registry.dataset_status(empty_settings) == statuses
    fetchable = {s.dataset.name for s in statuses if s.fetch_command}
    assert {"osm", "gtfs", "gp", "hospitals", "postcodes", "imd"} <= fetchable


def test_status_of_missing_data_dir(tmp_path: Path) -> None:
    settings = get_settings(environ={}, data_dir=tmp_path / "nowhere")
    assert not any(s.present for s in dataset_status(settings))


def test_files_found_by_pattern_not_name(tmp_path: Path, real_data_dir: Path) -> None:
    # Any OSM file name works; a dateless PBF is dated from its header.
    (tmp_path / "osm" / "sub").mkdir(parents=True)
    (tmp_path / "osm" / "sub" / "my_extract.osm.pbf").symlink_to(
        real_data_dir / "osm" / "rutland-latest_2022-07-20.osm.pbf"
    )
    (tmp_path / "osm" / "notes.txt").write_text("not OSM")
    # A zip under transit/ is a GTFS feed only if it holds stops.txt.
    (tmp_path / "transit").mkdir()
    (tmp_path / "transit" / "feed.zip").symlink_to(
        real_data_dir / "transit" / "porto_alegre" / "poa_trensurb.zip"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a feed")
    (tmp_path / "transit" / "other.zip").write_bytes(buf.getvalue())
    settings = get_settings(environ={}, data_dir=tmp_path)
    statuses = {s.dataset.name: s for s in dataset_status(settings)}
    osm = statuses["osm"]
    assert [f.path.name for f in osm.files] == ["my_extract.osm.pbf"]
    assert osm.files[0].data_date == "2022-07-20"
    assert osm.files[0].date_source == "file content"
    assert [f.path.name for f in statuses["gtfs"].files] == ["feed.zip"]


def test_date_falls_back_to_mtime(tmp_path: Path) -> None:
    (tmp_path / "population").mkdir()
    f = tmp_path / "population" / "oa11_centroids.csv"
    f.write_text("oa11cd,lat,lon\n")
    os.utime(f, (1_600_000_000, 1_600_000_000))  # 2020-09-13
    st = {s.dataset.name: s for s in dataset_status(get_settings(environ={}, data_dir=tmp_path))}
    assert st["oa_centroids"].data_date == "2020-09-13"
    assert st["oa_centroids"].date_source == "file mtime"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("epraccur_2025-11.csv", "2025-11"),
        ("rutland-latest_2022-07-20.osm.pbf", "2022-07-20"),
        ("lad2017_sgc.geojson", "2017"),
        ("PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.csv", "2022-05"),
        ("lsoa11_pop2020_imd2019.csv", "2020"),
        ("E01020123.csv", None),
        ("tnds_txc_ea_20-12.xml", None),
        ("epraccur.csv", None),
    ],
)
def test_date_from_name(name: str, expected: str | None) -> None:
    assert date_from_name(name) == expected


def test_custom_registry(tmp_path: Path) -> None:
    ds = Dataset(
        name="x",
        title="X",
        patterns=("x/*.csv",),
        licence="OGL v3",
        attribution=("A",),
        source_url="https://example.org",
        how_to_get="by hand",
        exclude=("*skip*",),
    )
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.csv").write_text("a\n")
    (tmp_path / "x" / "skip_me.csv").write_text("a\n")
    assert [p.name for p in find_dataset_files(ds, tmp_path)] == ["a.csv"]
    (st,) = dataset_status(get_settings(environ={}, data_dir=tmp_path), registry={"x": ds})
    assert st.present and st.fetch_command is None
