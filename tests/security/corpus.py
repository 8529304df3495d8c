"""An adversarial corpus of scheme uploads, built in code, with the exact message hiap must give.

Every file tries to make the server read a file (``/etc/passwd``, a canary file, the
assessments database, ``/proc/self/environ``) or fetch a URL (a loopback listener the test
starts). Each :class:`Attack` names the upload, its bytes, the error class and the exact
problem text hiap must answer with. ``CANARY`` is written into every file the attacks point
at, so a test can assert that it never appears in any output.
"""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from pyogrio import write_dataframe

from hiap.errors import SchemeError, UnsafeUploadError
from hiap.schemes.safety import MAX_ZIP_MEMBERS, SHAPEFILE_ZIP_REMEDY, VRT_REFUSAL

CANARY = "HIAPCANARY7f3a9c"
"""Written into every file an attack points at; must never appear in any output."""

SQUARE_WKT = "POLYGON((0.10 52.20,0.11 52.20,0.11 52.21,0.10 52.21,0.10 52.20))"
SHP_FIX = (
    "Export the layer again from your GIS so the .prj is rewritten, and zip it with the .shp, "
    ".shx and .dbf."
)
SHP_REMEDY = "Export the layer again from your GIS and zip its .shp, .shx, .dbf and .prj together."
GPKG_FIX = "Check it opens in a GIS and export it again as GeoPackage."
HREF_FIX = (
    "and hiap never fetches references named inside an upload. Save the scheme's own "
    "placemarks as a plain KML (File > Save Place As… in Google Earth, or export from your "
    "GIS) and upload that."
)
CRS_LINK_FIX = (
    "and hiap never fetches references named inside an upload. Remove the 'crs' member "
    "(GeoJSON is WGS84 longitude/latitude) or name the system instead, e.g. "
    '{"type": "name", "properties": {"name": "EPSG:27700"}}.'
)


@dataclass(frozen=True)
class Attack:
    """One hostile upload and the answer hiap must give."""

    name: str
    filename: str
    data: bytes
    error: type[SchemeError]
    message: str


@dataclass(frozen=True)
class Targets:
    """What the attacks point at: a canary file, a database, a loopback URL."""

    canary_csv: Path
    database: Path
    base_url: str


def make_targets(folder: Path, base_url: str) -> Targets:
    """Write the canary CSV and an assessments-like SQLite database holding the canary."""
    canary_csv = folder / "secret.csv"
    canary_csv.write_text(f"secret\n{CANARY}\n")
    database = folder / "assessments.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE assessment (name TEXT)")
        db.execute("INSERT INTO assessment VALUES (?)", (CANARY,))
    return Targets(canary_csv, database, base_url)


def vrt(source: str, sql: str) -> bytes:
    """A GDAL VRT that reads ``source`` and builds a polygon whose name holds its rows."""
    return f"""<OGRVRTDataSource>
  <OGRVRTLayer name="site">
    <SrcDataSource>{source}</SrcDataSource>
    <SrcSQL dialect="sqlite">{sql}</SrcSQL>
    <GeometryType>wkbPolygon</GeometryType>
    <GeometryField encoding="WKT" field="wkt"/>
  </OGRVRTLayer>
</OGRVRTDataSource>
""".encode()


def _rows(table: str, column: str) -> str:
    return f"SELECT group_concat({column}, ' | ') AS name, '{SQUARE_WKT}' AS wkt FROM {table}"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _symlink_zip() -> bytes:
    info = zipfile.ZipInfo("site.shp")
    info.external_attr = 0o120777 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _many_members_zip(n: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(n):
            archive.writestr(f"f{i}.txt", b"")
    return buffer.getvalue()


def _site() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Site"]}, geometry=[shapely.box(545_000, 254_000, 545_300, 254_300)], crs=27700
    )


def _shapefile_members(folder: Path, prj: bytes | None) -> dict[str, bytes]:
    out = folder / "shp"
    out.mkdir(exist_ok=True)
    write_dataframe(_site(), out / "site.shp", driver="ESRI Shapefile")
    members = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix != ".prj"}
    if prj is not None:
        members["site.prj"] = prj
    return members


def _patched_shapefile(folder: Path, suffix: str, patch: dict[int, bytes], *, append: bytes = b"") -> bytes:
    """The site shapefile, zipped, with bytes of one part overwritten at the given offsets."""
    members = _shapefile_members(folder, None)
    part = bytearray(members["site" + suffix])
    for at, value in patch.items():
        part[at : at + len(value)] = value
    members["site" + suffix] = bytes(part) + append
    return _zip(members)


def _gpkg(folder: Path, name: str, text: str) -> bytes:
    path = folder / name
    write_dataframe(_site().assign(name=text), path, driver="GPKG", layer="site")
    return path.read_bytes()


def _gpkg_with_view(folder: Path) -> bytes:
    path = folder / "view.gpkg"
    write_dataframe(_site(), path, driver="GPKG", layer="site")
    with sqlite3.connect(path) as db:
        db.execute("CREATE VIEW leak AS SELECT * FROM site")
    return path.read_bytes()


def _gpkg_edited(folder: Path, name: str, *statements: tuple[str, tuple[object, ...]]) -> bytes:
    """The site GeoPackage with SQL run on it (its GDAL triggers dropped first: they call
    GDAL's own functions, which plain sqlite3 does not have)."""
    path = folder / name
    write_dataframe(_site(), path, driver="GPKG", layer="site")
    with sqlite3.connect(path) as db:
        triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (trigger,) in triggers:
            db.execute(f'DROP TRIGGER "{trigger}"')
        for sql, parameters in statements:
            db.execute(sql, parameters)
    return path.read_bytes()


def _gpkg_blob(folder: Path, name: str, blob: bytes) -> bytes:
    """The site GeoPackage with its one geometry replaced by ``blob``."""
    return _gpkg_edited(folder, name, ("UPDATE site SET geom = ?", (blob,)))


def _gp_header(flags: int = 0x01, envelope: bytes = b"") -> bytes:
    """A GeoPackage geometry header: magic, version 1, flags, srs_id 27700, envelope."""
    return b"GP\x00" + bytes([flags]) + struct.pack("<i", 27700) + envelope


def _nested_collections(depth: int) -> bytes:
    """WKB of a point inside ``depth`` nested GeometryCollections (GEOS crashes on it)."""
    return struct.pack("<BII", 1, 7, 1) * depth + shapely.to_wkb(shapely.Point(545_100, 254_100))


def _kml(body: str, head: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{head}<kml xmlns="http://www.opengis.net/kml/2.2" '
        f'xmlns:xi="http://www.w3.org/2001/XInclude"><Document>{body}</Document></kml>'
    ).encode()


def _placemark(extra: str = "") -> str:
    return (
        f"<Placemark><name>Site</name>{extra}<Polygon><outerBoundaryIs><LinearRing><coordinates>"
        "0.10,52.20 0.11,52.20 0.11,52.21 0.10,52.21 0.10,52.20"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
    )


def _geojson(crs: object = None, name: str = "Site") -> bytes:
    document: dict[str, object] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": json.loads(shapely.to_geojson(shapely.from_wkt(SQUARE_WKT))),
            }
        ],
    }
    if crs is not None:
        document["crs"] = crs
    return json.dumps(document).encode()


def _vsi(what: str, path: str) -> str:
    return (
        f"The file was refused: a text value ({what}) holds a GDAL virtual file path "
        f"('{path}'), which could make a reader open other files on the server or on the web. "
        "Remove it and export the scheme again."
    )


def attacks(folder: Path, targets: Targets) -> list[Attack]:
    """Build the whole corpus (files go in ``folder``; targets from :func:`make_targets`)."""
    url = targets.base_url
    passwd = vrt("CSV:/etc/passwd", _rows("passwd", "field_1"))
    canary = vrt(f"CSV:{targets.canary_csv}", _rows("secret", "secret"))
    remote = vrt(f"CSV:/vsicurl/{url}/rows.csv", _rows("rows", "field_1"))
    database = vrt(str(targets.database), _rows("assessment", "name"))
    environ = vrt("CSV:/proc/self/environ", _rows("environ", "field_1"))
    unsafe, plain = UnsafeUploadError, SchemeError
    prj_refused = (
        "The shapefile's .prj was refused: it names a web address or another file instead of "
        "defining a coordinate system, and hiap never fetches references named inside an "
        f"upload. {SHP_FIX}"
    )
    cases = [
        # 1. The issue's first finding: a VRT named .geojson reading /etc/passwd.
        Attack("vrt-passwd", "site.geojson", passwd, unsafe, VRT_REFUSAL),
        Attack("vrt-canary", "site.geojson", canary, unsafe, VRT_REFUSAL),
        Attack("vrt-vsicurl", "site.geojson", remote, unsafe, VRT_REFUSAL),
        Attack("vrt-database", "site.geojson", database, unsafe, VRT_REFUSAL),
        Attack("vrt-environ", "site.geojson", environ, unsafe, VRT_REFUSAL),
        Attack("vrt-as-kml", "site.kml", canary, unsafe, VRT_REFUSAL),
        Attack("vrt-as-gpkg", "site.gpkg", canary, unsafe, VRT_REFUSAL),
        Attack("vrt-as-zip", "site.zip", canary, unsafe, VRT_REFUSAL),
        Attack("vrt-in-zip", "site.zip", _zip({"site.geojson": canary}), unsafe, VRT_REFUSAL),
        Attack("vrt-in-kmz", "site.kmz", _zip({"doc.kml": canary}), unsafe, VRT_REFUSAL),
        Attack(
            "vrt-as-shp",
            "site.zip",
            _zip({**_shapefile_members(folder, None), "site.shp": canary}),
            plain,
            "The shapefile's site.shp is not shapefile data (the header is wrong or missing). "
            "Export the layer again from your GIS and zip its .shp, .shx, .dbf and .prj together.",
        ),
        # 2. The issue's second finding: GeoJSON crs links (SSRF), and a local-file link.
        Attack(
            "crs-link-http",
            "site.geojson",
            _geojson({"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}}),
            unsafe,
            "The GeoJSON was refused: its 'crs' member links to another file or web address "
            f"('{url}/crs.wkt'), {CRS_LINK_FIX}",
        ),
        Attack(
            "crs-link-file",
            "site.geojson",
            _geojson({"type": "link", "properties": {"href": "file:///etc/passwd"}}),
            unsafe,
            "The GeoJSON was refused: its 'crs' member links to another file or web address "
            f"('file:///etc/passwd'), {CRS_LINK_FIX}",
        ),
        Attack(
            "crs-name-url",
            "site.geojson",
            _geojson({"type": "name", "properties": {"name": f"{url}/crs"}}),
            plain,
            "The GeoJSON's 'crs' member is not one hiap understands ('{\"type\": \"name\", "
            "\"properties\": {\"name\":…'). Remove it (GeoJSON is WGS84 longitude/latitude) or name an "
            'EPSG code, e.g. {"type": "name", "properties": {"name": "EPSG:27700"}}.',
        ),
        Attack(
            "vsicurl-in-property",
            "site.geojson",
            _geojson(name=f"/vsicurl/{url}/x.csv"),
            unsafe,
            _vsi("'name'", "/vsicurl"),
        ),
        # 3. KML: network link, external entity, href, XInclude, billion laughs.
        Attack(
            "kml-network-link",
            "site.kml",
            _kml(f"<NetworkLink><Link><href>{url}/more.kml</href></Link></NetworkLink>"),
            unsafe,
            "The KML was refused: it holds a NetworkLink, which points to other files on the "
            "web. Save the scheme's own placemarks as a plain KML (not a network link) and "
            "upload that.",
        ),
        Attack(
            "kml-external-entity",
            "site.kml",
            _kml(
                _placemark("<description>&xxe;</description>"),
                f'<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file://{targets.canary_csv}">]>',
            ),
            unsafe,
            "The KML was refused: it declares a DTD or XML entities (DTDForbidden), which can "
            "expand to gigabytes (the 'billion laughs' attack) or read other files. KML needs "
            "neither: export the file again from your mapping tool.",
        ),
        Attack(
            "kml-remote-entity",
            "site.kml",
            _kml(_placemark(), f'<!DOCTYPE kml SYSTEM "{url}/kml.dtd">'),
            unsafe,
            "The KML was refused: it declares a DTD or XML entities (DTDForbidden), which can "
            "expand to gigabytes (the 'billion laughs' attack) or read other files. KML needs "
            "neither: export the file again from your mapping tool.",
        ),
        Attack(
            "kml-overlay-href",
            "site.kml",
            _kml(f"<GroundOverlay><Icon><href>{url}/a.png</href></Icon></GroundOverlay>"),
            unsafe,
            f"The KML was refused: an <href> in <Icon> names another file or web address, {HREF_FIX}",
        ),
        Attack(
            "kml-xlink-href",
            "site.kml",
            _kml(_placemark(f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" href="{url}/x"/>')),
            unsafe,
            "The KML was refused: <link> has an href attribute naming another file or web "
            f"address, {HREF_FIX}",
        ),
        Attack(
            "kml-xinclude",
            "site.kml",
            _kml(f'<xi:include href="{targets.canary_csv}" parse="text"/>'),
            unsafe,
            f"The KML was refused: it uses XInclude to pull in other files, {HREF_FIX}",
        ),
        Attack(
            "kmz-network-link",
            "site.kmz",
            _zip({"doc.kml": _kml(f"<NetworkLink><Link><href>{url}/x</href></Link></NetworkLink>")}),
            unsafe,
            "The KML was refused: it holds a NetworkLink, which points to other files on the "
            "web. Save the scheme's own placemarks as a plain KML (not a network link) and "
            "upload that.",
        ),
        # 4. Shapefile .prj that is not a CRS definition.
        Attack(
            "prj-url",
            "site.zip",
            _zip(_shapefile_members(folder, f"{url}/epsg27700.prj".encode())),
            unsafe,
            prj_refused,
        ),
        Attack(
            "prj-vsicurl",
            "site.zip",
            _zip(_shapefile_members(folder, f"/vsicurl/{url}/x.prj".encode())),
            unsafe,
            prj_refused,
        ),
        Attack(
            "prj-local-path",
            "site.zip",
            _zip(_shapefile_members(folder, str(targets.canary_csv).encode())),
            plain,
            "The shapefile's .prj is not a coordinate-system definition: it must be WKT text "
            'starting with a keyword such as PROJCS or GEOGCS (PROJCS["OSGB 1936 / British '
            f'National Grid", …), and it does not. {SHP_FIX}',
        ),
        # 5. Zips: symlink, nested, 10,000 members, ../ and absolute names.
        Attack(
            "zip-symlink",
            "site.zip",
            _symlink_zip(),
            unsafe,
            "The zip archive was refused: member paths must stay inside the archive's folder "
            f"(zip-slip protection), but 'site.shp' is a symbolic link. {SHAPEFILE_ZIP_REMEDY}",
        ),
        Attack(
            "zip-nested",
            "site.zip",
            _zip({"inner.zip": _zip({"site.geojson": _geojson()})}),
            unsafe,
            "The zip archive was refused: it holds another archive ('inner.zip'). hiap does not "
            f"open archives inside archives. {SHAPEFILE_ZIP_REMEDY}",
        ),
        Attack(
            "zip-10000-members",
            "site.zip",
            _many_members_zip(10_000),
            unsafe,
            "The zip archive was refused: it holds 10,000 members, more than the "
            f"{MAX_ZIP_MEMBERS:,} hiap accepts. {SHAPEFILE_ZIP_REMEDY}",
        ),
        Attack(
            "zip-dotdot",
            "site.zip",
            _zip({**_shapefile_members(folder, None), "../../evil.shp": b"x"}),
            unsafe,
            "The zip archive was refused: member paths must stay inside the archive's folder "
            "(zip-slip protection), but '../../evil.shp' climbs out of the folder with '..'. "
            f"{SHAPEFILE_ZIP_REMEDY}",
        ),
        Attack(
            "zip-absolute",
            "site.zip",
            _zip({**_shapefile_members(folder, None), "/etc/cron.d/evil": b"x"}),
            unsafe,
            "The zip archive was refused: member paths must stay inside the archive's folder "
            "(zip-slip protection), but '/etc/cron.d/evil' is an absolute path. "
            f"{SHAPEFILE_ZIP_REMEDY}",
        ),
        # 6. GeoPackage: a VRT (or a /vsi path) in a text column, a view.
        Attack(
            "gpkg-vrt-in-column",
            "site.gpkg",
            _gpkg(folder, "vrt.gpkg", canary.decode()),
            unsafe,
            VRT_REFUSAL,
        ),
        Attack(
            "gpkg-vsicurl-in-column",
            "site.gpkg",
            _gpkg(folder, "vsi.gpkg", f"/vsicurl/{url}/x"),
            unsafe,
            _vsi("column 'name'", "/vsicurl"),
        ),
        Attack(
            "gpkg-view",
            "site.gpkg",
            _gpkg_with_view(folder),
            unsafe,
            "The GeoPackage was refused: it defines a view ('leak'), which runs SQL when read. "
            "Export the scheme's layer as a plain table (in QGIS: Export > Save Features As… "
            "GeoPackage).",
        ),
        # 6b. GeoPackage as hiap reads it with sqlite3: malformed geometry blobs, a table that
        # is not there, a generated column (SQL run on read).
        Attack(
            "gpkg-blob-not-gp",
            "site.gpkg",
            _gpkg_blob(folder, "notgp.gpkg", shapely.to_wkb(shapely.Point(545_100, 254_100))),
            plain,
            "The GeoPackage's feature 1 has a geometry that is not a GeoPackage geometry (it does "
            f"not start with 'GP'). {GPKG_FIX}",
        ),
        Attack(
            "gpkg-extended-binary",
            "site.gpkg",
            _gpkg_blob(folder, "ext.gpkg", _gp_header(0x21) + b"\x00" * 64),
            plain,
            "The GeoPackage's feature 1 has a geometry that is an ExtendedGeoPackageBinary "
            f"geometry, which hiap does not read. {GPKG_FIX}",
        ),
        Attack(
            "gpkg-bad-envelope-kind",
            "site.gpkg",
            _gpkg_blob(folder, "envkind.gpkg", _gp_header(0x0F) + b"\x00" * 64),
            plain,
            "The GeoPackage's feature 1 has a geometry that has a malformed header (reserved "
            f"flags set or an unknown envelope kind). {GPKG_FIX}",
        ),
        Attack(
            "gpkg-envelope-past-the-end",
            "site.gpkg",
            _gpkg_blob(folder, "envlong.gpkg", _gp_header(0x09) + struct.pack("<4d", 0, 1e308, 0, 1e308)),
            plain,
            "The GeoPackage's feature 1 has a geometry that is shorter than its header says (a "
            f"64-byte envelope, then WKB). {GPKG_FIX}",
        ),
        Attack(
            "gpkg-wkb-count-lie",
            "site.gpkg",
            _gpkg_blob(folder, "count.gpkg", _gp_header() + struct.pack("<BIII", 1, 3, 1, 2**31) + b"\x00" * 64),
            plain,
            "The GeoPackage's feature 1 has a geometry that has a malformed header or WKB (claims "
            f"more than the blob holds). {GPKG_FIX}",
        ),
        Attack(
            "gpkg-deep-collections",
            "site.gpkg",
            _gpkg_blob(folder, "deep.gpkg", _gp_header() + _nested_collections(100_000)),
            plain,
            "The GeoPackage's feature 1 has a geometry that has a malformed header or WKB "
            f"(collections nested more than 32 deep). {GPKG_FIX}",
        ),
        Attack(
            "gpkg-missing-table",
            "site.gpkg",
            _gpkg_edited(
                folder,
                "ghost.gpkg",
                ("UPDATE gpkg_contents SET table_name = 'ghost'", ()),
                ("UPDATE gpkg_geometry_columns SET table_name = 'ghost'", ()),
            ),
            plain,
            "The GeoPackage lists a layer 'ghost' that it does not hold (no such table): the "
            f"file is damaged. {GPKG_FIX}",
        ),
        Attack(
            "gpkg-generated-column",
            "site.gpkg",
            _gpkg_edited(
                folder,
                "generated.gpkg",
                ("ALTER TABLE site ADD COLUMN big BLOB AS (zeroblob(2000000000)) VIRTUAL", ()),
            ),
            unsafe,
            "The GeoPackage was refused: layer 'site' has a generated column ('big'), which runs "
            "SQL when read. Export the scheme's layer as a plain table (in QGIS: Export > Save "
            "Features As… GeoPackage).",
        ),
        # 6c. Shapefile parts as hiap reads them from memory: sizes and counts that lie.
        Attack(
            "shx-count-lie",
            "site.zip",
            _patched_shapefile(folder, ".shx", {24: struct.pack(">i", 1_000_000)}),
            plain,
            "The shapefile's site.shx is damaged: its header says 2,000,000 bytes but it has "
            f"108. {SHP_REMEDY}",
        ),
        Attack(
            "shx-index-past-the-shp",
            "site.zip",
            _patched_shapefile(
                folder, ".shx", {24: struct.pack(">i", 58)}, append=struct.pack(">2i", 10_000, 68)
            ),
            plain,
            "The shapefile's site.shp is damaged: shape 2 of 2 lies outside the file (the .shx "
            f"says so). {SHP_REMEDY}",
        ),
        Attack(
            "shx-repeated-record",
            "site.zip",
            _patched_shapefile(
                folder,
                ".shx",
                {24: struct.pack(">i", 58)},
                append=_shapefile_members(folder, None)["site.shx"][100:108],  # entry 1 again
            ),
            plain,
            "The shapefile's site.shp is damaged: shape 2 overlaps the one before it (the .shx "
            f"says so). {SHP_REMEDY}",
        ),
        Attack(
            "dbf-zero-width-field",
            "site.zip",
            _patched_shapefile(folder, ".dbf", {32 + 16: b"\x00"}),
            plain,
            f"The shapefile's site.dbf is damaged: a field has no width. {SHP_REMEDY}",
        ),
        Attack(
            "shp-point-count-lie",
            "site.zip",
            _patched_shapefile(folder, ".shp", {100 + 8 + 40: struct.pack("<i", 2**31 - 1)}),
            plain,
            "The shapefile's site.shp is damaged: shape 1 claims more parts or points than it "
            f"holds. {SHP_REMEDY}",
        ),
        Attack(
            "shp-multipatch",
            "site.zip",
            _patched_shapefile(folder, ".shp", {100 + 8: struct.pack("<i", 31)}),
            plain,
            "The shapefile's site.shp holds shape type 31 (shape 1), which hiap does not read: a "
            "scheme is polygons, lines or points. Export the layer again from your GIS as "
            "polygons, lines or points.",
        ),
        Attack(
            "dbf-row-count-lie",
            "site.zip",
            _patched_shapefile(folder, ".dbf", {4: struct.pack("<I", 2**32 - 1)}),
            plain,
            "The shapefile's site.dbf is damaged: it claims 4,294,967,295 rows of 81 bytes but "
            f"holds 82 bytes of rows. {SHP_REMEDY}",
        ),
        Attack(
            "dbf-row-length-lie",
            "site.zip",
            _patched_shapefile(folder, ".dbf", {10: struct.pack("<H", 3)}),
            plain,
            "The shapefile's site.dbf is damaged: its rows are 3 bytes, but its 1 fields need 81. "
            f"{SHP_REMEDY}",
        ),
        Attack(
            "dbf-shp-count-disagree",
            "site.zip",
            _patched_shapefile(folder, ".dbf", {4: struct.pack("<I", 0)}),
            plain,
            "The shapefile's parts disagree: site.shp holds 1 shape but site.dbf 0 rows of "
            f"attributes. {SHP_REMEDY}",
        ),
        # 7. Sizes and names: a deeply nested GeoJSON, a hostile upload name.
        Attack(
            "geojson-deep",
            "site.geojson",
            b'{"type": "FeatureCollection", "features": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            unsafe,
            "The GeoJSON was refused: it nests arrays and objects 5001 levels deep, more than "
            "the 32 a scheme needs. Check it opens in a GIS (e.g. QGIS) and export it again as "
            "GeoJSON (a FeatureCollection of Polygons or LineStrings).",
        ),
        Attack(
            "name-with-path",
            "../../../../etc/passwd.geojson",
            canary,
            unsafe,
            VRT_REFUSAL,
        ),
    ]
    return cases
