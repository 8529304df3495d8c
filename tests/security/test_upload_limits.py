"""Uploads built to exhaust the server (memory, CPU) or to reach its files through a reader.

Each file is small and would be huge or slow to read without hiap's limit, so a test that
finishes at all shows the limit stopped it before the work; each asserts the message says what
was refused and shows no server path.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hiap.errors import SchemeError, UnsafeUploadError
from hiap.schemes import read_scheme
from hiap.schemes.gpkg import _date
from hiap.schemes.readers import read_raw
from hiap.settings import Settings, get_settings
from tests.security.hostile import shapefile_parts, zipped

SERVER_PATHS = ("/tmp/", "hiap-upload-", "/etc/", "/work/", "site-packages")


def _settings(tmp_path: Path) -> Settings:
    return get_settings(environ={}, data_dir=tmp_path, cache_dir=tmp_path / "cache")


def _refused(
    data: bytes, filename: str, tmp_path: Path, error: type[SchemeError] = SchemeError
) -> str:
    with pytest.raises(error) as info:
        read_scheme(data, filename=filename, settings=_settings(tmp_path))
    message = str(info.value)
    for path in SERVER_PATHS:
        assert path not in message, f"a server path in the message: {message}"
    return message


@pytest.mark.parametrize(
    ("method", "name"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "LZMA")]
)
def test_bzip2_and_lzma_members_are_refused_before_decompressing(
    tmp_path: Path, method: int, name: str
) -> None:
    # why no bomb inside: the refusal comes from the compression method in the listing, before
    # any member is decompressed (a 2.7 KB bzip2 member expanded to 4.2 GB in memory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for suffix, part in shapefile_parts().items():
            archive.writestr("site" + suffix, part)
    message = _refused(buffer.getvalue(), "site.zip", tmp_path, UnsafeUploadError)
    assert f"compressed with {name}" in message
    assert "Re-zip the files with your system's standard zip compression" in message


def test_a_long_prj_is_refused_by_its_length_before_any_pattern(tmp_path: Path) -> None:
    # 60,000 letters made the unanchored scheme pattern quadratic (13 s)
    parts = shapefile_parts(prj="a" * 60_000)
    message = _refused(zipped(parts), "site.zip", tmp_path)
    assert "longer than any coordinate-system definition" in message


def test_the_reference_pattern_is_linear_on_a_run_of_scheme_characters(tmp_path: Path) -> None:
    # under the length limit, a run of letters still must not make the search quadratic
    parts = shapefile_parts(prj="a" * 16_000)
    message = _refused(zipped(parts), "site.zip", tmp_path)
    assert "must be WKT text" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-01" + " " * 100_000 + "x", None),
        ("2020-01-01" + " " * 30, "2020-01-01"),
        (" 2020-01-01 ", "2020-01-01"),
        ("2020-13-01", None),
    ],
)
def test_geopackage_dates_are_parsed_without_backtracking(text: str, expected: str | None) -> None:
    parsed = _date(text, with_time=False)
    assert (parsed.isoformat() if parsed else None) == expected


def test_geopackage_datetimes_keep_their_zone() -> None:
    parsed = _date("2020-01-01T12:30:15.5Z", with_time=True)
    assert parsed is not None and parsed.isoformat() == "2020-01-01T12:30:15.500000+00:00"


@pytest.mark.parametrize(
    "codec", ["undefined", "rot13", "hex", "base64", "zlib", "uu", "idna", "punycode"]
)
def test_a_cpg_naming_no_character_set_is_read_as_the_dbf_code_page(
    tmp_path: Path, codec: str
) -> None:
    parts = shapefile_parts()
    parts[".cpg"] = codec.encode()
    raw = read_raw(zipped(parts), filename="site.zip", settings=_settings(tmp_path))
    assert raw.features.column("name", [0]) == ["Test site"]
    assert any("not a character set hiap reads" in note for note in raw.notes)


def test_zip_member_names_in_messages_are_sanitised(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("a\x1b[31m\r\n" + "x" * 200 + ".shp", b"x")
    message = _refused(buffer.getvalue(), "site.zip", tmp_path, UnsafeUploadError)
    assert "\x1b" not in message and "\r" not in message
    assert "x" * 50 not in message
