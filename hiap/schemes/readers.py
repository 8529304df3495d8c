"""Read a scheme file (path or uploaded bytes) into its features, safely.

Formats: GeoJSON (``.geojson``, ``.json``), GeoPackage (``.gpkg``), zipped Shapefile
(``.zip``), KML (``.kml``) and KMZ (``.kmz``); a bare ``.shp`` is read from a path (its
``.shx``, ``.dbf`` and ``.prj`` sit beside it) but cannot be uploaded alone.

Every upload is opened only by the reader of its own format, chosen from the file name's
extension and confirmed by a check of its content; no library picks a reader:

- GeoJSON is parsed by hiap (:mod:`hiap.schemes.geojson`) and KML/KMZ by hiap with defusedxml
  (:mod:`hiap.schemes.kml`): GDAL never sees them.
- GeoPackage is read by hiap with Python's ``sqlite3`` (:mod:`hiap.schemes.gpkg`: read-only,
  immutable, an authorizer that allows reading only; views, virtual tables and generated
  columns refused; geometry blobs checked before shapely decodes them): GDAL never sees it.
- Shapefile: the ``.shp``/``.shx`` file codes and the ``.dbf`` version byte are checked and the
  ``.prj`` must be WKT text, then hiap reads the parts from memory
  (:mod:`hiap.schemes.shapefile`, every size checked against the bytes there are).

GDAL reads no upload: it stays for writing exports.

Uploaded bytes are checked by :mod:`hiap.schemes.safety` and written under names hiap chooses
inside a :class:`tempfile.TemporaryDirectory`, which is always removed. Messages name the
upload by its own base name (:func:`~hiap.schemes.safety.display_name`), never a server path,
and repeat at most a short, cleaned excerpt of its content. Reading does not judge the
geometry: that is :mod:`hiap.schemes.validate`'s job, so that every problem can be reported
together. Every reader gives shapely geometries and plain records
(:class:`~hiap.schemes.features.Features`; no pandas); ``RawScheme.frame`` is the GeoDataFrame.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

import pyproj
import pyproj.network

from hiap.errors import SchemeError
from hiap.schemes.features import Features
from hiap.schemes.geojson import parse_geojson
from hiap.schemes.gpkg import gpkg_layers, open_gpkg, read_gpkg_layer
from hiap.schemes.kml import kml_layers
from hiap.schemes.safety import (
    MAX_CRS_DEFINITION_BYTES,
    check_crs_definition,
    check_geometries_size,
    check_upload_size,
    display_name,
    excerpt,
    extract_members,
    inspect_zip,
    read_members,
    refuse_vrt,
)
from hiap.schemes.shapefile import cpg_note, prj_crs, read_shapefile
from hiap.settings import Settings

# why: no reader needs pandas or geopandas (about half a second of CPU to import); the
# GeoDataFrame is built only when a caller asks for RawScheme.frame
if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)

# why: PROJ never downloads grids or definitions for an upload (PROJ_NETWORK=OFF is set at
# ``import hiap`` for GDAL's PROJ; this is pyproj's own switch, set where the readers load it)
pyproj.network.set_network_enabled(False)

SchemeFormat = Literal["geojson", "gpkg", "shapefile", "kml"]
SourceLike = str | os.PathLike[str] | bytes

FORMAT_LABELS: dict[SchemeFormat, str] = {
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "shapefile": "Shapefile",
    "kml": "KML",
}

SUPPORTED = "GeoJSON (.geojson), GeoPackage (.gpkg), zipped Shapefile (.zip) or KML (.kml/.kmz)"

_SUFFIX_KINDS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "zip",
    ".kml": "kml",
    ".kmz": "kmz",
    ".shp": "shp",
}
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_REQUIRED_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf")


_SHAPE_FILE_CODE = b"\x00\x00\x27\x0a"  # 9994, big-endian: the first word of a .shp and .shx
_DBF_VERSIONS = frozenset(
    {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xE5, 0xF5, 0xFB}
)
MAX_PRJ_BYTES = MAX_CRS_DEFINITION_BYTES
_WKT_START = re.compile(
    r"^\s*(?:PROJCS|GEOGCS|GEOCCS|COMPD_CS|LOCAL_CS|VERT_CS|PROJCRS|GEOGCRS|GEODCRS|BASEGEOGCRS|"
    r"COMPOUNDCRS|BOUNDCRS|ENGCRS|VERTCRS|PROJECTEDCRS|GEODETICCRS)\s*\[",
    re.IGNORECASE,
)


@dataclass
class RawScheme:
    """A scheme file as read, before validation.

    Parameters
    ----------
    features
        Every feature read, in the file's own CRS (``features.crs`` is ``None`` when unknown);
        :attr:`frame` gives them as a GeoDataFrame.
    source_name
        The file or upload name, for messages.
    file_format
        Which reader was used.
    layers
        The layer(s) read.
    notes
        What the reader noticed (GDAL warnings, layers merged, options ignored).
    """

    features: Features
    source_name: str
    file_format: SchemeFormat
    layers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # why: every reader's geometries pass here, before validation repairs them with GEOS
        check_geometries_size(self.features.geometries, source=self.source_name)

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """Every feature as a GeoDataFrame in the file's own CRS (``crs`` ``None`` if unknown)."""
        return self.features.frame

    @property
    def format_label(self) -> str:
        """Human-readable name of the format."""
        return FORMAT_LABELS[self.file_format]


def _upload_kind(filename: str, *, source: str) -> str:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    kind = _SUFFIX_KINDS.get(suffix)
    if kind is None:
        raise SchemeError(
            f"Unsupported file type '{excerpt(suffix) or '(no suffix)'}'. Upload the scheme as "
            f"{SUPPORTED}; the file name's extension says which it is.",
            source=source,
        )
    return kind


def _no_features() -> Features:
    return Features.from_records([], [], None)


# --- GeoJSON and KML: parsed by hiap --------------------------------------------------------


def _read_geojson(data: bytes, layer: str | None, *, source: str) -> RawScheme:
    features = parse_geojson(data, source=source)
    notes = [f"Layer '{layer}' ignored: a GeoJSON file has a single layer."] if layer else []
    return RawScheme(features, source, "geojson", notes=notes)


def _read_kml(data: bytes, layer: str | None, *, source: str) -> RawScheme:
    """Read every KML folder unless one is chosen."""
    layers = kml_layers(data, source=source)
    available = list(layers)
    if layer is not None:
        available = [_choose_layer(available, layer, source=source, what="KML folder")]
    read = [layers[name] for name in available if layers[name][0]]
    notes = []
    if len(read) > 1:
        notes.append(f"Read {len(read)} KML folders together: {_listing(available)}.")
    if not read:
        return RawScheme(_no_features(), source, "kml", layers=available)
    geometries = [geometry for _, layer_geometries in read for geometry in layer_geometries]
    wgs84 = pyproj.CRS.from_user_input("EPSG:4326")
    features = Features.from_records([records for records, _ in read], geometries, wgs84)
    return RawScheme(features, source, "kml", available, notes)


# --- GeoPackage: read by hiap with sqlite3 (hiap.schemes.gpkg) ------------------------------


def _read_gpkg(path: Path, layer: str | None, *, source: str) -> RawScheme:
    with open_gpkg(path, source=source) as db:
        available = gpkg_layers(db, source=source)
        if not available:
            return RawScheme(
                _no_features(), source, "gpkg", notes=["The GeoPackage has no layers."]
            )
        chosen = _choose_layer(available, layer, source=source, what="layer")
        features = read_gpkg_layer(db, chosen, source=source)
    return RawScheme(features, source, "gpkg", layers=[chosen])


# --- Shapefile: headers and .prj checked, then the ESRI Shapefile driver --------------------


def check_prj_text(data: bytes, *, source: str) -> None:
    """Refuse a ``.prj`` that is not a WKT coordinate-system definition.

    Parameters
    ----------
    data
        The ``.prj`` file's bytes.
    source
        Name of the upload, for the message.

    Raises
    ------
    UnsafeUploadError
        When the text holds a web address, a network share, a GDAL virtual path or a PROJ
        setting that opens files (see :func:`~hiap.schemes.safety.check_crs_definition`).
    SchemeError
        When it is not text, too long, or not WKT.
    """
    fix = (
        "Export the layer again from your GIS so the .prj is rewritten, and zip it with the "
        ".shp, .shx and .dbf."
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemeError(
            "The shapefile's .prj is not a text coordinate-system definition (it holds "
            f"non-text bytes, so the file is damaged). {fix}",
            source=source,
        ) from None
    check_crs_definition(text, what="The shapefile's .prj", fix=fix, source=source)
    if not _WKT_START.match(text):
        raise SchemeError(
            "The shapefile's .prj is not a coordinate-system definition: it must be WKT text "
            'starting with a keyword such as PROJCS or GEOGCS (PROJCS["OSGB 1936 / British '
            f'National Grid", …), and it does not. {fix}',
            source=source,
        )


def _check_shapefile_parts(parts: dict[str, bytes], *, source: str, stem: str) -> None:
    """Check the .shp/.shx file codes, the .dbf version and the .prj text before reading."""
    heads = {suffix: parts[suffix][:100] for suffix in (".shp", ".shx", ".dbf")}
    bad = [
        stem + suffix
        for suffix in (".shp", ".shx")
        if len(heads[suffix]) < 100 or heads[suffix][:4] != _SHAPE_FILE_CODE
    ]
    if len(heads[".dbf"]) < 32 or heads[".dbf"][0] not in _DBF_VERSIONS:
        bad.append(stem + ".dbf")
    if bad:
        raise SchemeError(
            f"The shapefile's {' and '.join(bad)} {'is' if len(bad) == 1 else 'are'} not "
            "shapefile data (the header is wrong or missing). Export the layer again from your "
            "GIS and zip its .shp, .shx, .dbf and .prj together.",
            source=source,
        )
    if ".prj" in parts:
        check_prj_text(parts[".prj"], source=source)
    cpg = parts.get(".cpg")
    if cpg is not None and (len(cpg) > 64 or not re.fullmatch(rb"\s*[A-Za-z0-9_.-]*\s*", cpg)):
        raise SchemeError(
            "The shapefile's .cpg is not a character-set name (such as UTF-8). Export the "
            "layer again from your GIS, or leave the .cpg out of the zip.",
            source=source,
        )
    for suffix in (".dbf", ".prj", ".cpg"):
        if suffix in parts:
            refuse_vrt(parts[suffix], source=source)


def _read_shapefile(
    parts: dict[str, bytes], *, source: str, stem: str, notes: list[str], layer_name: str
) -> RawScheme:
    _check_shapefile_parts(parts, source=source, stem=stem)
    # why: without a .prj the CRS is None; validation reports it with the remedy
    crs = prj_crs(parts[".prj"].decode("utf-8-sig"), source=source) if ".prj" in parts else None
    features = read_shapefile(parts, crs=crs, source=source, stem=stem)
    note = cpg_note(parts.get(".cpg"), parts[".dbf"][29])
    if note:
        notes = [*notes, note]
    return RawScheme(features, source, "shapefile", layers=[layer_name], notes=notes)


def _listing(names: list[str]) -> str:
    shown = ", ".join(excerpt(name) for name in names[:10])
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _choose_layer(available: list[str], layer: str | None, *, source: str, what: str) -> str:
    if layer is not None:
        if layer in available:
            return layer
        raise SchemeError(
            f"There is no {what} named '{excerpt(layer)}'. The {what}s are: "
            f"{_listing(available) or '(none)'}. Choose one of them.",
            source=source,
        )
    if len(available) == 1:
        return available[0]
    raise SchemeError(
        f"The file holds {len(available)} {what}s: {_listing(available)}. Choose the one "
        f"with the scheme (in the CLI: --layer NAME; in the app: the layer box).",
        source=source,
    )


def _shapefile_sets(members: list[zipfile.ZipInfo]) -> dict[str, dict[str, zipfile.ZipInfo]]:
    """Group zip members into shapefiles by path stem: {stem: {suffix: member}}."""
    sets: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in members:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        suffix = path.suffix.lower()
        if suffix in _SHAPEFILE_PARTS:
            stem = str(path.with_suffix(""))
            sets.setdefault(stem, {})[suffix] = info
    return {stem: parts for stem, parts in sets.items() if ".shp" in parts}


# --- Zip and KMZ archives -------------------------------------------------------------------


def _read_member(data: bytes, member: zipfile.ZipInfo, *, settings: Settings, source: str) -> bytes:
    return read_members(data, [member], settings=settings, source=source)[0]


def _read_zip(
    data: bytes, tmp: Path, layer: str | None, *, settings: Settings, source: str, kmz: bool
) -> RawScheme:
    members = inspect_zip(data, settings=settings, source=source)
    if kmz or not _shapefile_sets(members):
        kmls = [m for m in members if m.filename.lower().endswith(".kml")]
        if kmls:
            # why: a KMZ's main document is doc.kml by convention, else the first KML
            main = next((m for m in kmls if m.filename.lower() == "doc.kml"), kmls[0])
            kml = _read_member(data, main, settings=settings, source=source)
            return _read_kml(kml, layer, source=source)
        others = [
            m
            for m in members
            if PurePosixPath(m.filename).suffix.lower() in (".geojson", ".json", ".gpkg")
        ]
        if len(others) == 1:
            # why: people zip a GeoJSON or GeoPackage too; read it after the same checks
            suffix = PurePosixPath(others[0].filename).suffix.lower()
            if suffix == ".gpkg":
                target = tmp / "upload.gpkg"
                extract_members(data, [(others[0], target)], settings=settings, source=source)
                return _read_gpkg(target, layer, source=source)
            content = _read_member(data, others[0], settings=settings, source=source)
            raw = _read_geojson(content, None, source=source)
            raw.layers = [display_name(others[0].filename)]
            return raw
        names = ", ".join(excerpt(m.filename) for m in members[:10]) or "(nothing)"
        raise SchemeError(
            f"The zip holds no shapefile (.shp) or KML; it holds: {names}. Zip the "
            "shapefile's .shp, .shx, .dbf and .prj files together and upload that.",
            source=source,
        )
    sets = _shapefile_sets(members)
    stems = {PurePosixPath(stem).name: stem for stem in sets}
    if len(stems) < len(sets):
        stems = {stem: stem for stem in sets}
    chosen = _choose_layer(sorted(stems), layer, source=source, what="shapefile")
    parts = sets[stems[chosen]]
    missing = [suffix for suffix in _REQUIRED_SHAPEFILE_PARTS if suffix not in parts]
    if missing:
        raise SchemeError(
            f"The shapefile '{excerpt(chosen)}' is incomplete: the zip has no "
            f"{' or '.join(excerpt(chosen) + s for s in missing)}. A shapefile needs its .shp, "
            ".shx and .dbf (and .prj for the coordinate system); zip all of them together.",
            source=source,
        )
    contents = read_members(data, list(parts.values()), settings=settings, source=source)
    notes = []
    if len(sets) > 1:
        notes.append(f"Read shapefile '{excerpt(chosen)}' of {len(sets)} in the zip.")
    read = dict(zip(parts, contents, strict=True))
    return _read_shapefile(read, source=source, stem=chosen, notes=notes, layer_name=chosen)


def _read_bytes(data: bytes, filename: str, layer: str | None, *, settings: Settings) -> RawScheme:
    source = display_name(filename)
    check_upload_size(len(data), settings=settings, source=source)
    if not data.strip():
        raise SchemeError(
            "The file is empty (no content). Export the scheme boundary again and re-upload it.",
            source=source,
        )
    kind = _upload_kind(filename, source=source)
    if kind == "shp":
        raise SchemeError(
            "A .shp file cannot be read alone: its attributes and coordinate system are in the "
            ".dbf, .shx and .prj files beside it. Zip the .shp, .shx, .dbf and .prj together "
            "and upload the .zip.",
            source=source,
        )
    if kind == "geojson":
        return _read_geojson(data, layer, source=source)
    if kind == "kml":
        return _read_kml(data, layer, source=source)
    if kind in ("zip", "kmz") and not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        refuse_vrt(data, source=source)
        raise SchemeError(
            f"The file is named as a {'KMZ' if kind == 'kmz' else 'zip'} archive but is not one. "
            f"Upload the scheme as {SUPPORTED}.",
            source=source,
        )
    if kind == "gpkg":
        refuse_vrt(data, source=source)
    with tempfile.TemporaryDirectory(prefix="hiap-upload-") as tmp_name:
        tmp = Path(tmp_name)
        if kind in ("zip", "kmz"):
            return _read_zip(data, tmp, layer, settings=settings, source=source, kmz=kind == "kmz")
        target = tmp / "upload.gpkg"
        target.write_bytes(data)
        return _read_gpkg(target, layer, source=source)


def _read_shp_path(path: Path, layer: str | None, *, settings: Settings) -> RawScheme:
    source = display_name(path.name)
    parts = {suffix: path.with_suffix(suffix) for suffix in _SHAPEFILE_PARTS}
    present = {suffix: p for suffix, p in parts.items() if p.is_file()}
    missing = [suffix for suffix in _REQUIRED_SHAPEFILE_PARTS if suffix not in present]
    if missing:
        raise SchemeError(
            f"The shapefile is incomplete: {', '.join(path.stem + s for s in missing)} not "
            "found beside it. Keep the .shp, .shx, .dbf and .prj together.",
            source=source,
        )
    total = sum(p.stat().st_size for p in present.values())
    check_upload_size(total, settings=settings, source=source)
    notes = [f"Layer '{layer}' ignored: a shapefile has a single layer."] if layer else []
    read = {suffix: p.read_bytes() for suffix, p in present.items()}
    return _read_shapefile(read, source=source, stem=path.stem, notes=notes, layer_name=path.stem)


def read_raw(
    source: SourceLike,
    *,
    settings: Settings,
    filename: str | None = None,
    layer: str | None = None,
) -> RawScheme:
    """Read a scheme file or upload into a :class:`RawScheme`, applying the upload defences.

    Parameters
    ----------
    source
        A path to the file, or the uploaded bytes.
    settings
        Supplies the upload limits.
    filename
        The upload's name (required with bytes; its suffix picks the reader).
    layer
        GeoPackage layer, shapefile name in a zip, or KML folder to read.

    Returns
    -------
    RawScheme
        Every feature of the chosen layer in the file's own CRS.

    Raises
    ------
    UnsafeUploadError
        When the upload is too large or crafted (zip-slip, zip bomb, XML entities).
    SchemeError
        When the file is missing, empty, of an unsupported type, unreadable, or the layer
        choice is missing or wrong.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        if not filename:
            raise SchemeError(
                "An upload needs its file name (its suffix says which format it is).",
                source="upload",
            )
        return _read_bytes(bytes(source), filename, layer, settings=settings)
    path = Path(source)
    if not path.is_file():
        # why: a path comes from the command line (the app only passes bytes); the user typed it
        raise SchemeError(
            f"File not found: {path}. Check the path and the file name.",
            source=display_name(path.name or str(path)),
        )
    if path.suffix.lower() == ".shp":
        return _read_shp_path(path, layer, settings=settings)
    check_upload_size(path.stat().st_size, settings=settings, source=display_name(path.name))
    return _read_bytes(path.read_bytes(), filename or path.name, layer, settings=settings)


def read_layers(
    source: SourceLike, *, settings: Settings, filename: str | None = None
) -> dict[str, RawScheme]:
    """Read every spatial layer of a GeoPackage, with the same defences as :func:`read_raw`.

    For multi-layer inputs such as a scheme proposal (``boundary``, ``homes``, ``paths``...).

    Parameters
    ----------
    source
        A path to a ``.gpkg`` file, or the uploaded bytes.
    settings
        Supplies the upload limits.
    filename
        The upload's name (required with bytes).

    Returns
    -------
    dict of str to RawScheme
        Each spatial layer by name, in the file's own CRS.

    Raises
    ------
    UnsafeUploadError
        When the GeoPackage holds a VRT, a GDAL virtual path, a view, a virtual table or a
        generated column.
    SchemeError
        When the file is not a GeoPackage, is missing, empty or unreadable.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        if not filename:
            raise SchemeError(
                "An upload needs its file name (its suffix says which format it is).",
                source="upload",
            )
        data, name = bytes(source), filename
    else:
        path = Path(source)
        if not path.is_file():
            raise SchemeError(
                f"File not found: {path}. Check the path and the file name.",
                source=display_name(path.name or str(path)),
            )
        check_upload_size(path.stat().st_size, settings=settings, source=display_name(path.name))
        data, name = path.read_bytes(), filename or path.name
    shown = display_name(name)
    check_upload_size(len(data), settings=settings, source=shown)
    if _upload_kind(name, source=shown) != "gpkg":
        raise SchemeError(
            "A file with several named layers must be a GeoPackage (.gpkg). Save the layers "
            "into one GeoPackage, or give each layer as its own file.",
            source=shown,
        )
    refuse_vrt(data, source=shown)
    with tempfile.TemporaryDirectory(prefix="hiap-upload-") as tmp_name:
        target = Path(tmp_name) / "upload.gpkg"
        target.write_bytes(data)
        with open_gpkg(target, source=shown) as db:
            return {
                layer: RawScheme(read_gpkg_layer(db, layer, source=shown), shown, "gpkg", [layer])
                for layer in gpkg_layers(db, source=shown)
            }
