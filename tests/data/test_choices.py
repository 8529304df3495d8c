"""Data-file choices for the app: listed from the data directory or uploaded, never typed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hiap.data.choices import (
    DataFileError,
    data_file_choices,
    local_data_path,
    resolve_data_choice,
    store_data_upload,
)
from hiap.errors import SettingsError, UnsafeUploadError
from hiap.settings import Settings, get_settings

# The first bytes of a real PBF extract: a 4-byte BlobHeader length, then field 1 "OSMHeader".
PBF_HEAD = b"\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\x7f"


def _gtfs_zip(**extra: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt"):
            archive.writestr(name, "id\n1\n")
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def data_settings(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    (data / "osm").mkdir(parents=True)
    (data / "transit").mkdir()
    (data / "osm" / "town.osm.pbf").write_bytes(PBF_HEAD + b"\x00" * 100)
    (data / "transit" / "buses.zip").write_bytes(_gtfs_zip())
    return get_settings(environ={}, data_dir=data, cache_dir=tmp_path / "cache")


def test_choices_list_the_data_directory_by_relative_label(data_settings: Settings) -> None:
    [osm] = data_file_choices(data_settings, "osm")
    [feed] = data_file_choices(data_settings, "gtfs")
    assert osm.label.startswith("osm/town.osm.pbf (") and str(data_settings.data_dir) not in osm.label
    assert feed.label.startswith("transit/buses.zip (")
    assert resolve_data_choice(data_settings, "osm", osm.label) == osm.path


@pytest.mark.parametrize("forged", ["/etc/passwd", "../../etc/passwd", "osm/town.osm.pbf"])
def test_a_forged_choice_names_no_file(data_settings: Settings, forged: str) -> None:
    with pytest.raises(DataFileError, match="is not one of the OSM extracts") as info:
        resolve_data_choice(data_settings, "osm", forged)
    assert "/etc" not in str(info.value)


def test_uploads_are_checked_then_kept_by_digest(data_settings: Settings) -> None:
    pbf = store_data_upload(data_settings, "osm", PBF_HEAD + b"rest", "mine.osm.pbf")
    assert pbf.parent == data_settings.cache_dir / "uploads" / "osm"
    assert pbf.read_bytes() == PBF_HEAD + b"rest"
    assert store_data_upload(data_settings, "osm", PBF_HEAD + b"rest", "other.osm.pbf") == pbf
    feed = store_data_upload(data_settings, "gtfs", _gtfs_zip(), "feed.zip")
    assert feed.suffix == ".zip" and zipfile.is_zipfile(feed)


@pytest.mark.parametrize(
    ("kind", "data", "name", "message"),
    [
        ("osm", b"<osm version='0.6'/>" + b" " * 20, "x.osm.pbf", "is not an OpenStreetMap PBF"),
        ("osm", PBF_HEAD, "x.osm", "must be a .osm.pbf file"),
        ("gtfs", b"stop_id\n1\n", "feed.zip", "is not a zip archive"),
        ("gtfs", _gtfs_zip()[:0] + b"PK\x03\x04junk", "feed.zip", "not a readable zip archive"),
    ],
)
def test_uploads_of_the_wrong_content_are_refused(
    data_settings: Settings, kind: str, data: bytes, name: str, message: str
) -> None:
    with pytest.raises(DataFileError, match=message):
        store_data_upload(data_settings, kind, data, name)  # type: ignore[arg-type]
    assert not (data_settings.cache_dir / "uploads").exists() or not any(
        (data_settings.cache_dir / "uploads").rglob("*.*")
    )


def test_gtfs_zip_without_its_tables_and_crafted_zips_are_refused(data_settings: Settings) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("stops.txt", "id\n")
    with pytest.raises(DataFileError, match=r"no routes\.txt, trips\.txt, stop_times\.txt"):
        store_data_upload(data_settings, "gtfs", buffer.getvalue(), "feed.zip")
    with pytest.raises(UnsafeUploadError, match="climbs out of the folder"):
        store_data_upload(data_settings, "gtfs", _gtfs_zip(**{"../x.txt": b"x"}), "feed.zip")


def test_uploads_obey_the_scheme_size_limit(tmp_path: Path) -> None:
    small = get_settings(environ={}, data_dir=tmp_path, cache_dir=tmp_path, max_upload_mb=0.001)
    with pytest.raises(UnsafeUploadError, match="upload limit"):
        store_data_upload(small, "osm", PBF_HEAD + b"\x00" * 2000, "big.osm.pbf")


def test_typed_paths_are_off_by_default_and_answer_alike(data_settings: Settings) -> None:
    # No existence oracle: a real file and a missing one get the same refusal.
    real = data_settings.data_dir / "osm" / "town.osm.pbf"
    answers = set()
    for text in (str(real), "/no/such/file.osm.pbf"):
        with pytest.raises(SettingsError) as info:
            local_data_path(data_settings, "osm", text)
        answers.add(str(info.value))
    assert len(answers) == 1 and "HIAP_ALLOW_LOCAL_PATHS" in answers.pop()


def test_typed_paths_when_allowed(tmp_path: Path, data_settings: Settings) -> None:
    desktop = get_settings(
        {"HIAP_ALLOW_LOCAL_PATHS": "1"}, data_dir=data_settings.data_dir, cache_dir=tmp_path
    )
    assert desktop.allow_local_paths and not data_settings.allow_local_paths
    real = data_settings.data_dir / "osm" / "town.osm.pbf"
    assert local_data_path(desktop, "osm", str(real)) == real
    fake = tmp_path / "fake.osm.pbf"
    fake.write_bytes(b"not a pbf at all, really")
    with pytest.raises(DataFileError, match="not an OpenStreetMap PBF"):
        local_data_path(desktop, "osm", str(fake))
