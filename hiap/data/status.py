"""What of each dataset is in the data directory: files, sizes and data dates.

:func:`dataset_status` gives one :class:`DatasetStatus` per catalogue entry. A file's data date
is read, best first, from its name (``epraccur_2025-11.csv``), its content (the replication
timestamp in an OSM PBF header, a GTFS feed's validity, an XML file's header), hiap's download
record in ``CHECKSUMS.json``, or else its modification time; ``DatasetFile.date_source`` says
which, so the user knows how far to trust it.

With ``coverage=True`` each OSM extract, GTFS feed and TransXChange file also says what it
covers, read from the file (:mod:`hiap.data.coverage`): districts and their share, places,
services, and whether it is only a sample from elsewhere or a drive-only network.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hiap.data.registry import (
    CHECKSUMS_FILE,
    DATASETS,
    Dataset,
    fetch_command,
    find_dataset_files,
)
from hiap.settings import Settings

if TYPE_CHECKING:
    from hiap.data.coverage import Coverage

__all__ = [
    "DatasetFile",
    "DatasetStatus",
    "DateSource",
    "dataset_status",
    "date_from_name",
    "relative_name",
]

logger = logging.getLogger(__name__)

DateSource = Literal["file name", "file content", "download record", "file mtime"]
"""Where a file's data date was read from, best first."""


@dataclass(frozen=True)
class DatasetFile:
    """One file of a dataset found in the data directory.

    Parameters
    ----------
    path
        Absolute path of the file.
    size_bytes
        File size.
    data_date
        The date the data refers to (ISO ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a range).
    date_source
        Where ``data_date`` was read from.
    coverage
        What the file covers (OSM, GTFS and TransXChange files, when asked for).
    """

    path: Path
    size_bytes: int
    data_date: str
    date_source: DateSource
    coverage: Coverage | None = None


@dataclass(frozen=True)
class DatasetStatus:
    """Whether one dataset is in the data directory, and what of it.

    Parameters
    ----------
    dataset
        The catalogue entry.
    files
        The matching files, sorted by path (empty when missing).
    fetch_command
        The command that fetches it (``hiap data download NAME``), or ``None`` when the
        publisher has no direct download (then ``dataset.how_to_get`` says what to do).
    """

    dataset: Dataset
    files: tuple[DatasetFile, ...]
    fetch_command: str | None

    @property
    def present(self) -> bool:
        """Whether at least one file of the dataset was found."""
        return bool(self.files)

    @property
    def size_bytes(self) -> int:
        """Total size of the dataset's files."""
        return sum(f.size_bytes for f in self.files)

    @property
    def data_date(self) -> str | None:
        """The newest data date among the files (``None`` when missing)."""
        if not self.files:
            return None
        return max(f.data_date for f in self.files)

    @property
    def date_source(self) -> DateSource | None:
        """Where the newest file's date came from."""
        if not self.files:
            return None
        return max(self.files, key=lambda f: f.data_date).date_source

    @property
    def sample_only(self) -> bool:
        """Whether every file whose coverage is known lies outside the region (a sample)."""
        known = [f.coverage for f in self.files if f.coverage is not None]
        return bool(known) and all(c.is_sample for c in known)

    def region_cover(self) -> str | None:
        """Return each of the six districts with the best share any one file covers, or None.

        ``None`` when no file's coverage is known (tables, or coverage not asked for).
        """
        known = [f.coverage for f in self.files if f.coverage is not None]
        if not known or not any(c.district_share or c.is_sample for c in known):
            return None  # nothing measured as an area (e.g. bus routes)
        from hiap.data.registry import CAMBS_PETERBOROUGH_LADS

        best = {
            name: max((c.district_share.get(name, 0.0) for c in known), default=0.0)
            for name in CAMBS_PETERBOROUGH_LADS.values()
        }
        return ", ".join(
            f"{name} {share:.0%}" if share == 0 or share >= 0.005 else f"{name} <1%"
            for name, share in sorted(best.items(), key=lambda kv: -kv[1])
        )

    @property
    def state(self) -> str:
        """``"yes"``, ``"sample only"`` (present, but none of it is the region's) or ``"missing"``."""
        if not self.present:
            return "missing"
        return "sample only" if self.sample_only else "yes"

    def as_rows(self, data_dir: Path) -> list[dict[str, str]]:
        """Return display-ready rows for tables: one per file, or one saying how to fetch it.

        Parameters
        ----------
        data_dir
            The data directory, so file paths can be shown relative to it.
        """
        base = {"dataset": self.dataset.name, "present": self.state}
        if not self.present:
            how = self.fetch_command or self.dataset.how_to_get or self.dataset.source_url
            return [
                {
                    **base,
                    "file": "",
                    "covers": "",
                    "date": "",
                    "licence": self.dataset.licence,
                    "how to get it": how or "",
                }
            ]
        return [
            {
                **base,
                "file": relative_name(f.path, data_dir),
                "covers": f.coverage.label() if f.coverage is not None else "",
                "date": f"{f.data_date} ({f.date_source})",
                "licence": self.dataset.licence,
                "how to get it": self.fetch_command or "",
            }
            for f in self.files
        ]


def relative_name(path: Path, data_dir: Path) -> str:
    """Return ``path`` relative to the data directory when inside it (for display)."""
    return str(path.relative_to(data_dir)) if path.is_relative_to(data_dir) else str(path)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
# A year 1990-2099, optionally followed by a month and a day, not inside a longer number
# (so "lad2017" gives 2017 but an ONS code such as E01020123 gives nothing).
_DATE_IN_NAME = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:[-_]?(0[1-9]|1[0-2])(?:[-_]?(0[1-9]|[12]\d|3[01]))?)?(?!\d)"
)
_MONTH_YEAR_IN_NAME = re.compile(
    r"(?<![A-Za-z])(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d{2})(?!\d)", re.I
)


def date_from_name(name: str) -> str | None:
    """Return the newest date written in a file name, or ``None``.

    Parameters
    ----------
    name
        A file name such as ``epraccur_2025-11.csv`` or ``PCD_..._MAY22.csv``.

    Returns
    -------
    str or None
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
    """
    dates = []
    for m in _DATE_IN_NAME.finditer(name):
        dates.append("-".join(part for part in m.groups() if part))
    for m in _MONTH_YEAR_IN_NAME.finditer(name):
        dates.append(f"20{m.group(2)}-{_MONTHS[m.group(1).upper()]:02d}")
    # Several dates (e.g. "pop2020_imd2019"): the newest is what the file is up to date to.
    return max(dates) if dates else None


def _iso(yyyymmdd: str) -> str | None:
    s = yyyymmdd.strip()
    if len(s) == 8 and s.isdigit():
        return f"{s[:4]}-{s[4:6]}-{s[6:]}"
    return None


def _gtfs_date(path: Path) -> str | None:
    """Return a GTFS feed's validity: feed_info dates, else the span of calendar.txt."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = {Path(n).name: n for n in zf.namelist()}
            for member, start_col, end_col in (
                ("feed_info.txt", "feed_start_date", "feed_end_date"),
                ("calendar.txt", "start_date", "end_date"),
            ):
                if member not in names:
                    continue
                with zf.open(names[member]) as fh:
                    text = io.TextIOWrapper(fh, encoding="utf-8-sig")
                    rows = list(csv.DictReader(text))
                starts = [d for r in rows if (d := _iso(r.get(start_col) or ""))]
                ends = [d for r in rows if (d := _iso(r.get(end_col) or ""))]
                if starts and ends:
                    return f"{min(starts)} to {max(ends)}"
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def _pbf_date(path: Path) -> str | None:
    """Return the replication timestamp in an OSM PBF header (Geofabrik and osmium write it)."""
    try:
        import osmium

        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        try:
            header = reader.header()
            stamp = header.get("osmosis_replication_timestamp") or header.get("timestamp")
        finally:
            reader.close()
    except Exception:  # a damaged or foreign file: fall back to the next date source
        logger.debug("could not read the PBF header of %s", path, exc_info=True)
        return None
    return stamp[:10] if stamp else None


_XML_STAMP = re.compile(
    r'(?:osm_base|timestamp|ModificationDateTime|CreationDateTime)="(\d{4}-\d{2}-\d{2})'
)


def _xml_head_date(path: Path) -> str | None:
    """Return a date in the first few kilobytes of an OSM or TransXChange XML file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    # Only the root element and its header, not every node's edit timestamp.
    head = head.split("<node", 1)[0]
    m = _XML_STAMP.search(head)
    return m.group(1) if m else None


def _date_from_content(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".osm.pbf"):
        return _pbf_date(path)
    if name.endswith(".zip"):
        return _gtfs_date(path)
    if name.endswith((".osm", ".xml")):
        return _xml_head_date(path)
    return None


def _load_manifest(data_dir: Path) -> dict[str, dict[str, object]]:
    path = data_dir / CHECKSUMS_FILE
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        logger.warning("ignoring unreadable checksum manifest %s", path.name)
        return {}
    files = raw.get("files", {}) if isinstance(raw, dict) else {}
    return files if isinstance(files, dict) else {}


def _describe(
    path: Path, data_dir: Path, manifest: Mapping[str, Mapping[str, object]]
) -> DatasetFile:
    stat = path.stat()
    date: str | None = date_from_name(path.name)
    source: DateSource = "file name"
    if date is None:
        date, source = _date_from_content(path), "file content"
    if date is None:
        try:
            key = path.relative_to(data_dir).as_posix()
        except ValueError:
            key = ""
        record = manifest.get(key, {})
        stamp = record.get("downloaded_at") if isinstance(record, Mapping) else None
        if isinstance(stamp, str):
            date, source = stamp[:10], "download record"
    if date is None:
        date = datetime.fromtimestamp(stat.st_mtime, tz=UTC).date().isoformat()
        source = "file mtime"
    return DatasetFile(path=path, size_bytes=stat.st_size, data_date=date, date_source=source)


def dataset_status(
    settings: Settings,
    *,
    registry: Mapping[str, Dataset] | None = None,
    coverage: bool = False,
) -> list[DatasetStatus]:
    """Report, for every dataset, whether it is in the data directory.

    Parameters
    ----------
    settings
        Gives the data directory.
    registry
        The catalogue to check (defaults to :data:`DATASETS`).
    coverage
        Also read what each OSM extract, GTFS feed and TransXChange file covers (slower the
        first time; cached under ``cache_dir``).

    Returns
    -------
    list of DatasetStatus
        One entry per dataset, in catalogue order. Each present file carries its data date,
        read from its name when it holds one, else from its content (OSM PBF header, GTFS
        feed_info/calendar, XML header), else from hiap's download record, else its mtime;
        ``DatasetFile.date_source`` says which.
    """
    catalogue = DATASETS if registry is None else registry
    data_dir = settings.data_dir
    manifest = _load_manifest(data_dir)
    found = {name: find_dataset_files(d, data_dir) for name, d in catalogue.items()}
    covers: dict[Path, Coverage] = {}
    if coverage:
        from hiap.data.coverage import files_coverage

        covers = files_coverage([p for paths in found.values() for p in paths], settings)
    statuses = []
    for name, dataset in catalogue.items():
        files = tuple(
            replace(_describe(p, data_dir, manifest), coverage=covers.get(p)) for p in found[name]
        )
        statuses.append(
            DatasetStatus(dataset=dataset, files=files, fetch_command=fetch_command(dataset))
        )
    return statuses
