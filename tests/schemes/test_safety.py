"""Crafted uploads are refused with a clear UnsafeUploadError, and nothing is left behind."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from hiap.errors import SchemeError, UnsafeUploadError
from hiap.schemes import read_scheme
from hiap.schemes.safety import RATIO_CHECK_MIN_BYTES, check_xml_safe, extract_members, inspect_zip
from hiap.settings import Settings
from tests.schemes.conftest import geojson_bytes, kml_bytes, shapefile_zip, site_frame

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE kml [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&lol9;</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>0.11,52.17 0.12,52.17 0.12,52.18 0.11,52.17</coordinates>
</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&xxe;</name></Document></kml>"""

NETWORK_LINK = b"""<?xml version="1.0"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><NetworkLink><Link>
<href>http://example.com/scheme.kml</href></Link></NetworkLink></Document></kml>"""


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../../evil.shp", "climbs out of the folder"),
        ("site/../../evil.dbf", "climbs out of the folder"),
        ("/etc/cron.d/evil", "is an absolute path"),
        ("C:/Windows/evil.shp", "is an absolute path"),
        ("..\\..\\evil.shx", "climbs out of the folder"),
    ],
)
def test_zip_slip_is_refused(member: str, reason: str, tmp_path: Path, settings: Settings) -> None:
    good = shapefile_zip(tmp_path, site_frame())
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[member] = b"owned"
    with pytest.raises(UnsafeUploadError) as info:
        read_scheme(_zip(members), filename="site.zip", settings=settings)
    message = str(info.value)
    assert "zip-slip" in message
    assert f"'{member}' {reason}" in message
    assert not (tmp_path.parent / "evil.shp").exists()


def test_symlink_member_is_refused(settings: Settings) -> None:
    info = zipfile.ZipInfo("site.shp")
    info.external_attr = 0o120777 << 16  # a symbolic link to /etc/passwd
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeUploadError, match=r"'site\.shp' is a symbolic link"):
        read_scheme(buffer.getvalue(), filename="site.zip", settings=settings)


def test_zip_bomb_member_ratio_is_refused(settings: Settings) -> None:
    bomb = _zip({"site.shp": b"\x00" * (20 * 1024 * 1024), "site.shx": b"", "site.dbf": b""})
    assert len(bomb) < 100_000
    with pytest.raises(
        UnsafeUploadError, match=r"possible zip bomb: member 'site.shp' expands [\d,]+ times"
    ):
        read_scheme(bomb, filename="site.zip", settings=settings)


def test_zip_total_uncompressed_size_is_limited(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(max_unzipped_mb=1)
    noisy = bytes(range(256)) * 6000  # 1.5 MB that compresses poorly
    archive = _zip({"a.shp": noisy}, compression=zipfile.ZIP_STORED)
    with pytest.raises(
        UnsafeUploadError, match=r"add up to 1\.5 MB uncompressed, over the 1 MB limit"
    ):
        read_scheme(archive, filename="a.zip", settings=settings)


def test_limits_are_enforced_while_extracting(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    # The declared sizes passed inspection under generous limits; a tighter limit at extraction
    # time stands in for an archive whose headers understate what it expands to.
    data = _zip({"site.shp": b"\x00" * (3 * RATIO_CHECK_MIN_BYTES)})
    members = inspect_zip(data, settings=make_settings(max_zip_ratio=10_000), source="site.zip")
    tight = make_settings(max_unzipped_mb=1, max_zip_ratio=10_000)
    with pytest.raises(UnsafeUploadError, match=r"refused while extracting 'site\.shp'"):
        extract_members(
            data, [(members[0], tmp_path / "out.shp")], settings=tight, source="site.zip"
        )
    assert (tmp_path / "out.shp").stat().st_size <= tight.max_unzipped_bytes


def test_upload_size_limit(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(max_upload_mb=0.001)
    data = geojson_bytes(site_frame()) + b" " * 2048
    with pytest.raises(UnsafeUploadError, match=r"larger than the 0\.001 MB upload limit"):
        read_scheme(data, filename="site.geojson", settings=settings)


def test_billion_laughs_kml_is_refused(settings: Settings) -> None:
    with pytest.raises(UnsafeUploadError, match="billion laughs"):
        read_scheme(BILLION_LAUGHS, filename="laughs.kml", settings=settings)


def test_billion_laughs_inside_kmz_is_refused(settings: Settings) -> None:
    with pytest.raises(UnsafeUploadError, match="billion laughs"):
        read_scheme(_zip({"doc.kml": BILLION_LAUGHS}), filename="laughs.kmz", settings=settings)


def test_external_entity_and_network_link_are_refused(settings: Settings) -> None:
    with pytest.raises(UnsafeUploadError, match="declares a DTD or XML entities"):
        read_scheme(EXTERNAL_ENTITY, filename="xxe.kml", settings=settings)
    with pytest.raises(UnsafeUploadError, match="NetworkLink"):
        read_scheme(NETWORK_LINK, filename="link.kml", settings=settings)


def test_malformed_xml_is_a_plain_scheme_error() -> None:
    with pytest.raises(SchemeError, match="not well-formed") as info:
        check_xml_safe(b"<kml><Document></kml>", source="bad.kml")
    assert not isinstance(info.value, UnsafeUploadError)


def test_temporary_files_are_always_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def spy(suffix: str | None = None, prefix: str | None = None, dir: str | None = None) -> str:
        path = real_mkdtemp(suffix, prefix, dir)
        made.append(path)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", spy)
    read_scheme(shapefile_zip(tmp_path, site_frame()), filename="ok.zip", settings=settings)
    read_scheme(kml_bytes(tmp_path, site_frame()), filename="ok.kml", settings=settings)
    with pytest.raises(SchemeError):
        read_scheme(
            shapefile_zip(tmp_path, site_frame(), drop=(".prj",)),
            filename="noprj.zip",
            settings=settings,
        )
    with pytest.raises(SchemeError):
        read_scheme(b"{broken", filename="x.geojson", settings=settings)
    # GeoJSON and KML are parsed in memory by hiap: only the two zips needed a folder
    assert len(made) == 2 and all(Path(p).parent == scratch for p in made)
    assert list(scratch.iterdir()) == []
