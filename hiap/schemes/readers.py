"""Read a scheme file (path or uploaded bytes) into one GeoDataFrame, safely.

Formats: GeoJSON (``.geojson``, ``.json``), GeoPackage (``.gpkg``), zipped Shapefile
(``.zip``), KML (``.kml``) and KMZ (``.kmz``); a bare ``.shp`` is read from a path (its
``.shx``, ``.dbf`` and ``.prj`` sit beside it) but cannot be uploaded alone. An unknown suffix
is recognised by its first bytes.

Uploaded bytes are checked by :mod:`hiap.schemes.safety` and written under names hiap chooses
inside a :class:`tempfile.TemporaryDirectory`, which is always removed; GDAL (through pyogrio)
only ever opens those files. Reading does not judge the geometry: that is
:mod:`hiap.schemes.validate`'s job, so that every problem can be reported together.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely.errors

from hiap.errors import SchemeError
from hiap.schemes.safety import (
    check_upload_size,
    check_xml_safe,
    extract_members,
    inspect_zip,
)
from hiap.settings import Settings

logger = logging.getLogger(__name__)

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
_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.CRSError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    shapely.errors.GEOSException,
    UnicodeDecodeError,
    OSError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    # why: pyogrio 0.13 raises UnboundLocalError for a .prj that is not valid UTF-8 (found by
    # the property-based test)
    UnboundLocalError,
)


@dataclass
class RawScheme:
    """A scheme file as read, before validation.

    Parameters
    ----------
    frame
        Every feature read, in the file's own CRS (``frame.crs`` is ``None`` when unknown).
    source_name
        The file or upload name, for messages.
    file_format
        Which reader was used.
    layers
        The layer(s) read.
    notes
        What the reader noticed (GDAL warnings, layers merged, options ignored).
    """

    frame: gpd.GeoDataFrame
    source_name: str
    file_format: SchemeFormat
    layers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def format_label(self) -> str:
        """Human-readable name of the format."""
        return FORMAT_LABELS[self.file_format]


def _sniff(data: bytes) -> str | None:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith((b"{", b"[")):
        return "geojson"
    if head.startswith(b"<"):
        return "kml"
    return None


def _upload_kind(filename: str, data: bytes) -> str:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    kind = _SUFFIX_KINDS.get(suffix) or _sniff(data)
    if kind is None:
        raise SchemeError(
            f"Unsupported file type '{suffix or '(no suffix)'}'. Upload the scheme as {SUPPORTED}.",
            source=filename,
        )
    return kind


@contextlib.contextmanager
def _gdal_warnings(source: str) -> Iterator[None]:
    """Log GDAL's warnings about a damaged upload instead of raising or printing them.

    Note: ``warnings.catch_warnings`` is process-wide; a warning from another thread at the
    same moment is logged here too, which is harmless.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        logger.info("GDAL warning reading %s: %s", source, warning.message)


def _read_layer(path: Path, layer: str | None, *, source: str, label: str) -> gpd.GeoDataFrame:
    """Read one layer with pyogrio, turning GDAL failures into SchemeError."""
    with _gdal_warnings(source):
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, force_2d=True, on_invalid="ignore")
        except _READ_ERRORS as exc:
            # GDAL's own text names the server's temporary file and GDAL-only hints
            # ("CSV:path"): log it for the administrator, tell the user what to do.
            logger.info("GDAL could not read %s: %s", source, exc)
            raise SchemeError(
                f"The file could not be read as {label}: it is damaged, or not {label}. Check "
                f"it opens in a GIS (e.g. QGIS) and export it again as {SUPPORTED}.",
                source=source,
            ) from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise SchemeError(
            f"The {label} layer has no geometry column: it is a plain table. Export the "
            "scheme's boundary or route as a spatial layer.",
            source=source,
        )
    return frame


def _spatial_layers(path: Path, *, source: str, label: str) -> list[str]:
    try:
        with _gdal_warnings(source):
            listed = pyogrio.list_layers(path)
    except _READ_ERRORS as exc:
        logger.info("GDAL could not open %s: %s", source, exc)  # its text names server paths
        raise SchemeError(
            f"The file could not be opened as {label}: it is damaged, or not {label}. Check it "
            f"opens in a GIS and export it again as {SUPPORTED}.",
            source=source,
        ) from None
    return [str(name) for name, geometry_type in listed if geometry_type is not None]


def _choose_layer(available: list[str], layer: str | None, *, source: str, what: str) -> str:
    if layer is not None:
        if layer in available:
            return layer
        raise SchemeError(
            f"There is no {what} named '{layer}'. The {what}s are: "
            f"{', '.join(available) or '(none)'}. Choose one of them.",
            source=source,
        )
    if len(available) == 1:
        return available[0]
    raise SchemeError(
        f"The file holds {len(available)} {what}s: {', '.join(available)}. Choose the one "
        f"with the scheme (in the CLI: --layer NAME; in the app: the layer box).",
        source=source,
    )


def _empty_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=None)}, geometry="geometry")


def _read_gpkg(path: Path, layer: str | None, *, source: str) -> RawScheme:
    label = FORMAT_LABELS["gpkg"]
    available = _spatial_layers(path, source=source, label=label)
    if not available:
        return RawScheme(_empty_frame(), source, "gpkg", notes=["The GeoPackage has no layers."])
    chosen = _choose_layer(available, layer, source=source, what="layer")
    frame = _read_layer(path, chosen, source=source, label=label)
    return RawScheme(frame, source, "gpkg", layers=[chosen])


def _read_kml(path: Path, layer: str | None, *, source: str) -> RawScheme:
    """Read every KML folder (GDAL makes each a layer) unless one is chosen."""
    label = FORMAT_LABELS["kml"]
    available = _spatial_layers(path, source=source, label=label)
    if layer is not None:
        available = [_choose_layer(available, layer, source=source, what="KML folder")]
    frames = [_read_layer(path, name, source=source, label=label) for name in available]
    frames = [frame for frame in frames if not frame.empty]
    notes = []
    if len(frames) > 1:
        notes.append(f"Read {len(frames)} KML folders together: {', '.join(available)}.")
    if not frames:
        return RawScheme(_empty_frame(), source, "kml", layers=available)
    crs = frames[0].crs
    merged = gpd.GeoDataFrame(
        pd.concat([frame.to_crs(crs) for frame in frames], ignore_index=True), crs=crs
    )
    if "Name" in merged.columns and "name" not in merged.columns:
        # why: GDAL reads a placemark's <name> as "Name"; it is the scheme's name
        merged = merged.rename(columns={"Name": "name"})
    return RawScheme(merged, source, "kml", available, notes)


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


def _read_zip(
    data: bytes, tmp: Path, layer: str | None, *, settings: Settings, source: str, kmz: bool
) -> RawScheme:
    members = inspect_zip(data, settings=settings, source=source)
    if kmz or not _shapefile_sets(members):
        kmls = [m for m in members if m.filename.lower().endswith(".kml")]
        if kmls:
            # why: a KMZ's main document is doc.kml by convention, else the first KML
            main = next((m for m in kmls if m.filename.lower() == "doc.kml"), kmls[0])
            extract_members(data, [(main, tmp / "upload.kml")], settings=settings, source=source)
            kml_bytes = (tmp / "upload.kml").read_bytes()
            check_xml_safe(kml_bytes, source=source)
            return _read_kml(tmp / "upload.kml", layer, source=source)
        others = [
            m
            for m in members
            if PurePosixPath(m.filename).suffix.lower() in (".geojson", ".json", ".gpkg")
        ]
        if len(others) == 1:
            # why: people zip a GeoJSON or GeoPackage too; read it after the same checks
            suffix = PurePosixPath(others[0].filename).suffix.lower()
            target = tmp / f"upload{suffix}"
            extract_members(data, [(others[0], target)], settings=settings, source=source)
            if suffix == ".gpkg":
                return _read_gpkg(target, layer, source=source)
            frame = _read_layer(target, None, source=source, label="GeoJSON")
            return RawScheme(frame, source, "geojson", layers=[others[0].filename])
        names = ", ".join(m.filename for m in members[:10]) or "(nothing)"
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
            f"The shapefile '{chosen}' is incomplete: the zip has no "
            f"{' or '.join(chosen + s for s in missing)}. A shapefile needs its .shp, .shx and "
            ".dbf (and .prj for the coordinate system); zip all of them together.",
            source=source,
        )
    targets = [(info, tmp / f"upload{suffix}") for suffix, info in parts.items()]
    extract_members(data, targets, settings=settings, source=source)
    _check_prj_text(tmp / "upload.prj", source=source)
    frame = _read_layer(tmp / "upload.shp", None, source=source, label="a Shapefile")
    notes = []
    if len(sets) > 1:
        notes.append(f"Read shapefile '{chosen}' of {len(sets)} in the zip.")
    # why: without a .prj GDAL leaves frame.crs as None; validation reports it with the remedy
    return RawScheme(frame, source, "shapefile", layers=[chosen], notes=notes)


def _check_prj_text(prj: Path, *, source: str) -> None:
    """Refuse a .prj that is not text, before GDAL (whose reader fails obscurely on it)."""
    if not prj.is_file():
        return
    try:
        prj.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise SchemeError(
            "The shapefile's .prj is not a text coordinate-system definition (it holds "
            "non-text bytes, so the file is damaged). Export the layer again from your GIS so "
            "the .prj is rewritten, and zip it with the .shp, .shx and .dbf.",
            source=source,
        ) from None


def _read_bytes(data: bytes, filename: str, layer: str | None, *, settings: Settings) -> RawScheme:
    source = filename
    check_upload_size(len(data), settings=settings, source=source)
    if not data.strip():
        raise SchemeError(
            "The file is empty (no content). Export the scheme boundary again and re-upload it.",
            source=source,
        )
    kind = _upload_kind(filename, data)
    if kind == "shp":
        raise SchemeError(
            "A .shp file cannot be read alone: its attributes and coordinate system are in the "
            ".dbf, .shx and .prj files beside it. Zip the .shp, .shx, .dbf and .prj together "
            "and upload the .zip.",
            source=source,
        )
    with tempfile.TemporaryDirectory(prefix="hiap-upload-") as tmp_name:
        tmp = Path(tmp_name)
        if kind in ("zip", "kmz"):
            return _read_zip(data, tmp, layer, settings=settings, source=source, kmz=kind == "kmz")
        if kind == "kml":
            check_xml_safe(data, source=source)
            target = tmp / "upload.kml"
            target.write_bytes(data)
            return _read_kml(target, layer, source=source)
        if kind == "gpkg":
            target = tmp / "upload.gpkg"
            target.write_bytes(data)
            return _read_gpkg(target, layer, source=source)
        target = tmp / "upload.geojson"
        target.write_bytes(data)
        frame = _read_layer(target, None, source=source, label="GeoJSON")
        notes = []
        if layer is not None:
            notes.append(f"Layer '{layer}' ignored: a GeoJSON file has a single layer.")
        return RawScheme(frame, source, "geojson", notes=notes)


def _read_shp_path(path: Path, layer: str | None, *, settings: Settings) -> RawScheme:
    source = path.name
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
    _check_prj_text(parts[".prj"], source=source)
    frame = _read_layer(path, None, source=source, label="a Shapefile")
    notes = [f"Layer '{layer}' ignored: a shapefile has a single layer."] if layer else []
    return RawScheme(frame, source, "shapefile", layers=[path.stem], notes=notes)


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
        raise SchemeError(
            f"File not found: {path}. Check the path and the file name.",
            source=path.name or str(path),
        )
    if path.suffix.lower() == ".shp":
        return _read_shp_path(path, layer, settings=settings)
    check_upload_size(path.stat().st_size, settings=settings, source=path.name)
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
                source=path.name or str(path),
            )
        check_upload_size(path.stat().st_size, settings=settings, source=path.name)
        data, name = path.read_bytes(), filename or path.name
    check_upload_size(len(data), settings=settings, source=name)
    if _upload_kind(name, data) != "gpkg":
        raise SchemeError(
            "A file with several named layers must be a GeoPackage (.gpkg). Save the layers "
            "into one GeoPackage, or give each layer as its own file.",
            source=name,
        )
    label = FORMAT_LABELS["gpkg"]
    with tempfile.TemporaryDirectory(prefix="hiap-upload-") as tmp_name:
        target = Path(tmp_name) / "upload.gpkg"
        target.write_bytes(data)
        names = _spatial_layers(target, source=name, label=label)
        return {
            layer: RawScheme(
                _read_layer(target, layer, source=name, label=label), name, "gpkg", [layer]
            )
            for layer in names
        }
