"""hiap's GeoPackage reader: names are data, never SQL; nothing in the file runs; WKB is walked."""

from __future__ import annotations

import contextlib
import sqlite3
import struct
from pathlib import Path

import pytest
import shapely

from hiap.schemes import read_scheme
from hiap.schemes.gpkg import PastTheCaps, WkbTally, check_wkb, open_gpkg, quote_identifier
from hiap.settings import Settings
from tests.schemes.conftest import site_frame, write_gpkg
from tests.schemes.test_reader_equality import assert_same_features, old_features

INJECTION = "site\"; DROP TABLE gpkg_contents; ATTACH DATABASE 'x.db' AS x; --"


def _drop_gdal_triggers(db: sqlite3.Connection) -> None:
    # GDAL's triggers call its own SQL functions, which plain sqlite3 lacks
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {quote_identifier(name)}")


def test_injection_looking_names_are_read_as_names(tmp_path: Path, settings: Settings) -> None:
    frame = site_frame(name="Site", dwellings=300).rename(columns={"name": "x'); DROP TABLE t; --"})
    path = write_gpkg(tmp_path / "names.gpkg", {INJECTION: frame})
    before = path.read_bytes()
    scheme = read_scheme(path, settings=settings, layer=INJECTION)
    assert scheme.metadata.dwellings == 300
    assert scheme.boundary is not None
    assert scheme.boundary["x'); DROP TABLE t; --"].tolist() == ["Site"]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["names.gpkg"]


def test_triggers_never_fire_and_the_connection_only_reads(tmp_path: Path, settings: Settings) -> None:
    path = write_gpkg(tmp_path / "trigger.gpkg", {"site": site_frame(dwellings=300)})
    with sqlite3.connect(path) as db:
        _drop_gdal_triggers(db)
        db.execute("CREATE TABLE log (what TEXT)")
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER t_{event} AFTER {event} ON site BEGIN "
                "INSERT INTO log VALUES (hex(randomblob(100))); END"
            )
    before = path.read_bytes()
    assert read_scheme(path, settings=settings).metadata.dwellings == 300
    assert path.read_bytes() == before
    with open_gpkg(path, source="trigger.gpkg") as db:
        for sql in (
            f"ATTACH DATABASE '{tmp_path / 'other.db'}' AS other",
            "INSERT INTO log VALUES ('x')",
            "SELECT hex(randomblob(10))",
            "PRAGMA writable_schema = ON",
        ):
            with pytest.raises(sqlite3.DatabaseError, match=r"not authorized|readonly"):
                db.execute(sql)
    assert not (tmp_path / "other.db").exists()


@pytest.mark.parametrize("srs_id", [0, -1, 4326, 99999, 12345, 777, 778, 779])
def test_reserved_and_unknown_crs_ids_read_as_gdal_reads_them(tmp_path: Path, srs_id: int) -> None:
    path = write_gpkg(tmp_path / "crs.gpkg", {"site": site_frame(4326)})
    bng = site_frame(27700).crs.to_wkt("WKT1_GDAL")
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, '')",
            [
                ("broken", 777, "x", 1, 'GEOGCS["broken"'),  # WKT PROJ cannot read
                ("named", 778, "HIAP", 1, bng),  # another organisation: the WKT counts
                ("wrong code", 779, "EPSG", 99999999, bng),  # no such EPSG code: the WKT
            ],
        )
        db.execute("UPDATE gpkg_geometry_columns SET srs_id = ?", (srs_id,))
    old = old_features(path)
    with open_gpkg(path, source="crs.gpkg") as db:
        from hiap.schemes.gpkg import read_gpkg_layer

        assert_same_features(old, read_gpkg_layer(db, "site", source="crs.gpkg"))


@pytest.mark.parametrize(
    "wkt",
    [
        "POINT (1 2)", "POINT Z (1 2 3)", "LINESTRING M (0 0 1, 1 1 2)", "POLYGON ZM ((0 0 1 2, 1 0 1 2, 1 1 1 2, 0 0 1 2))",
        "MULTIPOINT ((0 0), (1 1))", "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))",
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
        "GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION (LINESTRING (0 0, 1 1)))",
        "POINT EMPTY", "POLYGON EMPTY", "GEOMETRYCOLLECTION EMPTY", "MULTIPOLYGON EMPTY",
        "GEOMETRYCOLLECTION (GEOMETRYCOLLECTION EMPTY, POINT EMPTY, POLYGON ((0 0, 1 0, 1 1, 0 0), "
        "(0.5 0.1, 0.9 0.1, 0.9 0.5, 0.5 0.1)), MULTIPOLYGON (EMPTY, ((0 0, 1 0, 1 1, 0 0))))",
    ],
)  # fmt: skip
def test_the_wkb_walker_reads_what_shapely_writes(wkt: str) -> None:
    geometry = shapely.from_wkt(wkt)
    expected = _counts(geometry)
    for options in ({"byte_order": 0}, {"byte_order": 1}, {"flavor": "iso"}, {"include_srid": True}):
        if "include_srid" in options:
            geometry = shapely.set_srid(geometry, 27700)
        wkb = shapely.to_wkb(geometry, output_dimension=4, **options)  # type: ignore[arg-type]
        tally = WkbTally()
        assert check_wkb(wkb, tally=tally) == len(wkb), (wkt, options)
        assert (tally.vertices, tally.rings, tally.members) == expected, (wkt, options)
        with pytest.raises(ValueError):
            check_wkb(wkb[:-1] if len(wkb) > 9 else wkb[:4])


def _counts(geometry: shapely.Geometry) -> tuple[int, int, int]:
    """Vertices, rings (a polygon's, at least one; one per line or point) and collection
    members of a built geometry, counted one geometry at a time as a reader would."""
    if shapely.get_type_id(geometry) in (4, 5, 6, 7):
        members = list(shapely.get_parts(geometry))
        inner = [_counts(member) for member in members]
        return (
            sum(i[0] for i in inner), sum(i[1] for i in inner), len(members) + sum(i[2] for i in inner)
        )
    rings = shapely.get_num_interior_rings(geometry) + 1 if geometry.geom_type == "Polygon" else 1
    return int(shapely.get_num_coordinates(geometry)), int(rings), 0


def test_the_wkb_walker_stops_once_past_its_caps() -> None:
    many = struct.pack("<BII", 1, 7, 5) + struct.pack("<BII", 1, 7, 0) * 5
    with pytest.raises(PastTheCaps):
        check_wkb(many, tally=WkbTally(most_members=4))
    assert check_wkb(many, tally=WkbTally(most_members=5)) == len(many)
    holes = shapely.to_wkb(shapely.Polygon(*_rings(3)))
    with pytest.raises(PastTheCaps):
        check_wkb(holes, tally=WkbTally(most_rings=2))


def _rings(n: int) -> tuple[list[tuple[float, float]], list[list[tuple[float, float]]]]:
    shell = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 0.0)]
    return shell, [[(i + 1.0, 0.5), (i + 1.5, 0.5), (i + 1.5, 0.8), (i + 1.0, 0.5)] for i in range(n - 1)]


def test_the_wkb_walker_refuses_unknown_types_and_deep_nesting() -> None:
    with pytest.raises(ValueError, match="not a point, line, polygon or collection"):
        check_wkb(struct.pack("<BI", 1, 8) + b"\x00" * 40)  # CircularString
    nested = struct.pack("<BII", 1, 7, 1) * 33 + shapely.to_wkb(shapely.Point(0, 0))
    with pytest.raises(ValueError, match="nested more than 32 deep"):
        check_wkb(nested)
    assert check_wkb(nested[9:]) == len(nested) - 9


def test_quote_identifier() -> None:
    assert quote_identifier('a"b') == '"a""b"'
    with pytest.raises(ValueError):
        quote_identifier("a\x00b")


@pytest.mark.parametrize("gap", [False, True])
def test_booleans_dates_and_gaps_read_as_gdal_reads_them(tmp_path: Path, gap: bool) -> None:
    frame = site_frame(flag=True, opened="x", day="x")
    frame = frame.loc[[0, 0, 0]].reset_index(drop=True)
    frame["flag"] = [True, False, True]
    path = write_gpkg(tmp_path / "types.gpkg", {"site": frame})
    with sqlite3.connect(path) as db:
        _drop_gdal_triggers(db)
        db.execute('ALTER TABLE site ADD COLUMN "when" DATETIME')
        db.execute('ALTER TABLE site ADD COLUMN "date" DATE')
        db.execute("""UPDATE site SET "when" = '2031-04-01T10:30:00.000Z', "date" = '2031-04-01'""")
        db.execute("""UPDATE site SET "when" = 'not a date', "date" = '2031-4-1' WHERE fid = 3""")
        if gap:
            db.execute('UPDATE site SET flag = NULL, "when" = NULL, "date" = NULL WHERE fid = 2')
    from hiap.schemes.gpkg import read_gpkg_layer

    with open_gpkg(path, source="types.gpkg") as db:
        assert_same_features(old_features(path), read_gpkg_layer(db, "site", source="types.gpkg"))


def test_a_geopackage_left_in_wal_mode_reads(tmp_path: Path, settings: Settings) -> None:
    # QGIS leaves GeoPackages in write-ahead-log mode; the upload is the one file, without
    # its -wal and -shm, and must still read (immutable, read-only)
    path = write_gpkg(tmp_path / "wal.gpkg", {"site": site_frame(dwellings=300)})
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    data = path.read_bytes()
    assert data[18:20] == b"\x02\x02"
    assert read_scheme(data, filename="wal.gpkg", settings=settings).metadata.dwellings == 300
