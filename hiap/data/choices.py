"""Data files a user of the web app may choose: listed from the data directory, or uploaded.

On a shared server a free-text path is an attack surface: anyone could name any file on the
server, learn whether it exists from the answer, and make the server hash or parse it. So the
app offers only:

- the OSM extracts and timetables found in the data directory (:func:`data_file_choices`:
  GTFS feeds, and TransXChange files and the folders holding them, whose stops the data
  directory's NaPTAN files place), chosen by their label in a select box and looked up again
  by :func:`resolve_data_choice`;
- an uploaded file, kept under the cache folder by :func:`store_data_upload` after the same
  size limit as scheme uploads and a check of its content (a PBF header, a GTFS zip);
- a typed path (:func:`local_data_path`), only when ``settings.allow_local_paths`` is on
  (``HIAP_ALLOW_LOCAL_PATHS=1``, for a single-user desktop install).

Nothing here imports Streamlit; the widget is :mod:`hiap.ui.data_picker`.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hiap.data.registry import DATASETS, find_dataset_files
from hiap.errors import ProblemsError, SchemeError, SettingsError, UnsafeUploadError
from hiap.schemes.safety import check_upload_size, display_name, inspect_zip
from hiap.settings import Settings

DataKind = Literal["osm", "gtfs"]

DATA_KIND_LABELS: dict[DataKind, str] = {
    "osm": "OSM extract",
    "gtfs": "timetable (GTFS feed or TransXChange)",
}
UPLOAD_SUFFIXES: dict[DataKind, tuple[str, ...]] = {
    # why: an uploaded OSM extract must be PBF: its binary header is checked before anything
    # parses it; XML extracts come only from the data directory, which the operator fills
    "osm": (".osm.pbf",),
    "gtfs": (".zip",),
}
GTFS_REQUIRED_MEMBERS = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
_GTFS_REMEDY = (
    "Upload the GTFS feed's own .zip (stops.txt, routes.txt, trips.txt, stop_times.txt and "
    "the rest at its top level), as published by the operator or the Bus Open Data Service."
)


class DataFileError(ProblemsError):
    """A data file chosen or uploaded in the app cannot be used (see :class:`ProblemsError`)."""


@dataclass(frozen=True)
class DataFileChoice:
    """One data file the app may offer.

    Parameters
    ----------
    label
        What the select box shows and returns: the path inside the data directory (never the
        server's full path) and the size.
    path
        The file on the server.
    """

    label: str
    path: Path


def data_file_choices(settings: Settings, kind: DataKind) -> list[DataFileChoice]:
    """List the data directory's files of one kind, for a select box.

    Parameters
    ----------
    settings
        Gives the data directory.
    kind
        ``"osm"`` (extracts) or ``"gtfs"`` (timetable feeds).

    Returns
    -------
    list of DataFileChoice
        In path order; labels are relative to the data directory.
    """
    files = find_dataset_files(DATASETS[kind], settings.data_dir)
    choices = []
    for path in files:
        relative = path.relative_to(settings.data_dir).as_posix()
        size_mb = path.stat().st_size / (1024 * 1024)
        choices.append(DataFileChoice(f"{relative} ({size_mb:,.1f} MB)", path))
    if kind == "gtfs":  # TransXChange: each folder of files (a region, as TNDS ships it), each file
        txc = find_dataset_files(DATASETS["txc"], settings.data_dir)
        for folder in sorted({p.parent for p in txc} - {settings.data_dir / "transit"}):
            inside = [p for p in txc if p.parent == folder]
            relative = folder.relative_to(settings.data_dir).as_posix()
            size_mb = sum(p.stat().st_size for p in inside) / (1024 * 1024)
            choices.append(DataFileChoice(
                f"{relative}/ ({len(inside)} TransXChange files, {size_mb:,.1f} MB)", folder
            ))
        for path in txc:
            relative = path.relative_to(settings.data_dir).as_posix()
            size_mb = path.stat().st_size / (1024 * 1024)
            choices.append(DataFileChoice(f"{relative} (TransXChange, {size_mb:,.1f} MB)", path))
    return choices


def resolve_data_choice(settings: Settings, kind: DataKind, label: str) -> Path:
    """Return the file behind a label from :func:`data_file_choices`.

    The label is looked up in a fresh listing, so a forged widget value can only ever name a
    file the listing offers.

    Parameters
    ----------
    settings
        Gives the data directory.
    kind
        ``"osm"`` or ``"gtfs"``.
    label
        A label the select box returned.

    Returns
    -------
    Path
        The chosen file.

    Raises
    ------
    DataFileError
        When the label is not one of the listed files (the listing changed, or it was forged).
    """
    for choice in data_file_choices(settings, kind):
        if choice.label == label:
            return choice.path
    raise DataFileError(
        f"'{display_name(label)}' is not one of the {DATA_KIND_LABELS[kind]}s in the data "
        "directory (the list may have changed). Choose again from the list.",
        source=DATA_KIND_LABELS[kind],
    )


def _has_suffix(name: str, kind: DataKind) -> bool:
    return name.lower().endswith(UPLOAD_SUFFIXES[kind])


def check_osm_pbf_header(head: bytes, *, source: str) -> None:
    """Refuse bytes that do not start like an OSM PBF file.

    A PBF file starts with a 4-byte length and a ``BlobHeader`` whose first field is the
    string ``OSMHeader``; checking it costs nothing and happens before any parser (or a hash
    of the whole file) sees the bytes.

    Parameters
    ----------
    head
        At least the first 16 bytes of the file.
    source
        Name of the file, for the message.

    Raises
    ------
    DataFileError
        When the header is not an OSM PBF header.
    """
    if len(head) < 16 or head[4:6] != b"\x0a\x09" or head[6:15] != b"OSMHeader":
        raise DataFileError(
            "The file is not an OpenStreetMap PBF extract (its first bytes are not a PBF "
            "header). Download the area's .osm.pbf (e.g. from Geofabrik) and upload that.",
            source=source,
        )


def check_gtfs_zip(data: bytes, *, settings: Settings, source: str) -> None:
    """Refuse an upload that is not a safe GTFS zip.

    The zip is listed (never extracted) with the same defences as a scheme zip: member count,
    zip-slip names, links, nested archives, declared sizes against ``max_unzipped_mb`` and the
    compression ratio. Then the feed's required tables must be present.

    Parameters
    ----------
    data
        The uploaded zip.
    settings
        Supplies the limits.
    source
        Name of the upload, for messages.

    Raises
    ------
    UnsafeUploadError
        When the zip is crafted (see :func:`hiap.schemes.safety.inspect_zip`).
    DataFileError
        When it is not a zip or lacks the GTFS tables.
    """
    if not data.startswith(b"PK\x03\x04"):
        raise DataFileError(
            f"The file is not a zip archive. {_GTFS_REMEDY}",
            source=source,
        )
    try:
        members = inspect_zip(data, settings=settings, source=source, remedy=_GTFS_REMEDY)
    except UnsafeUploadError:
        raise
    except SchemeError as exc:  # why: an unreadable zip is a bad data file, not a bad scheme
        raise DataFileError(exc.problems, source=source) from None
    names = {info.filename.rsplit("/", 1)[-1].lower() for info in members}
    missing = [name for name in GTFS_REQUIRED_MEMBERS if name not in names]
    if missing:
        raise DataFileError(
            f"The zip is not a GTFS feed: it has no {', '.join(missing)}. {_GTFS_REMEDY}",
            source=source,
        )


def store_data_upload(settings: Settings, kind: DataKind, data: bytes, filename: str) -> Path:
    """Check an uploaded OSM extract or GTFS feed and keep it under the cache folder.

    The order matters: the size limit, then the suffix, then the content check, and only then
    is the file hashed (to name it) and written.

    Parameters
    ----------
    settings
        Supplies the size limits and the cache folder.
    kind
        ``"osm"`` or ``"gtfs"``.
    data
        The uploaded bytes.
    filename
        The name it arrived with (only its suffix and base name are used).

    Returns
    -------
    Path
        ``<cache_dir>/uploads/<kind>/<digest><suffix>``; the same bytes give the same path.

    Raises
    ------
    UnsafeUploadError
        When the upload is too large or a crafted zip.
    DataFileError
        When its suffix or content is not the expected format.
    """
    source = display_name(filename)
    check_upload_size(len(data), settings=settings, source=source)
    if not _has_suffix(filename, kind):
        raise DataFileError(
            f"A {DATA_KIND_LABELS[kind]} upload must be a "
            f"{' or '.join(UPLOAD_SUFFIXES[kind])} file.",
            source=source,
        )
    if kind == "osm":
        check_osm_pbf_header(data[:16], source=source)
    else:
        check_gtfs_zip(data, settings=settings, source=source)
    folder = Path(settings.cache_dir) / "uploads" / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:32]}{UPLOAD_SUFFIXES[kind][0]}"
    if not path.is_file():
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)
    return path


def local_data_path(settings: Settings, kind: DataKind, text: str) -> Path:
    """Turn a typed server path into a data file, when the settings allow typed paths.

    Parameters
    ----------
    settings
        ``allow_local_paths`` must be on (``HIAP_ALLOW_LOCAL_PATHS=1``).
    kind
        ``"osm"`` or ``"gtfs"``.
    text
        The path typed by the (single, trusted) user.

    Returns
    -------
    Path
        The file, after its suffix and first bytes were checked.

    Raises
    ------
    SettingsError
        When typed paths are not allowed (the shared-server default).
    DataFileError
        When the path is not a file of the expected kind.
    """
    if not settings.allow_local_paths:
        raise SettingsError(
            "Typed server paths are switched off on this server. Choose a file from the list "
            "or upload one; a single-user install can set HIAP_ALLOW_LOCAL_PATHS=1."
        )
    path = Path(text.strip()).expanduser()
    label = DATA_KIND_LABELS[kind]
    suffixes = (".osm.pbf", ".osm") if kind == "osm" else (".zip",)
    if not path.name.lower().endswith(suffixes) or not path.is_file():
        raise DataFileError(
            f"{path} is not a {' or '.join(suffixes)} file. Give the full path to the {label}.",
            source=label,
        )
    with path.open("rb") as handle:
        head = handle.read(16)
    if path.name.lower().endswith(".osm.pbf"):
        check_osm_pbf_header(head, source=path.name)
    elif kind == "gtfs" and not zipfile.is_zipfile(path):
        raise DataFileError(f"{path} is not a zip archive. {_GTFS_REMEDY}", source=label)
    return path
