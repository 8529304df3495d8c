"""Fetching datasets into the data directory, safely and verifiably.

:func:`download_dataset` fetches every file of one catalogue entry; :func:`download_file` is the
single-file step it uses. Each file is streamed to a temporary file in the destination folder,
its SHA-256 computed on the way, checked against the pinned checksum when the catalogue has one
(or when the manifest marks the recorded one as pinned), and only then renamed into place, so an
interrupted or corrupt download never replaces a good file. Every download is recorded in
``data_dir/CHECKSUMS.json`` (checksum, size, URL, time); :func:`verify_checksums` checks the
files on disk against it later.

Offline, a download fails within about ``Settings.download_timeout_s`` (name resolution is bounded
too) with a :class:`~hiap.errors.DownloadError` giving the URL to fetch by hand and the folder
to put it in.

Resuming: bytes arrive in ``.NAME.part`` beside the destination, with ``.NAME.part.json``
recording the URL and the server's ETag / Last-Modified. When a transfer breaks off, both are
kept and the error says to run the command again (an attempt made offline in between keeps
them too, as it fetched nothing); the next attempt asks the server for the rest
(an HTTP ``Range`` request, guarded by ``If-Range`` so a file changed meanwhile is fetched
whole) and the checksum covers the whole file. HTTP is spoken by ``requests``.

Mirrors: ``Settings.download_mirror`` (``HIAP_DOWNLOAD_MIRROR``) replaces every publisher URL by
``MIRROR/DEST``, DEST being the file's path in the data directory, so an office can serve one
copy of the data to every machine (or a test, real files from a loopback server).
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Literal

import requests

from hiap.data.registry import CHECKSUMS_FILE, Dataset, Download, get_dataset
from hiap.errors import DownloadError
from hiap.settings import Settings

__all__ = [
    "ChecksumCheck",
    "DownloadResult",
    "ProgressCallback",
    "download_dataset",
    "download_file",
    "download_url",
    "read_checksums",
    "verify_checksums",
]

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int | None], None]
"""``progress(label, bytes_done, bytes_total_or_None)``, called as bytes arrive."""

_CHUNK_BYTES = 1024 * 256
_FILE_MODE = 0o644
_USER_AGENT = "hiap (health-in-all-policies impact assessment; https://pypi.org/project/hiap)"


@dataclass(frozen=True)
class DownloadResult:
    """One file fetched and installed.

    Parameters
    ----------
    url
        Where it came from.
    path
        The downloaded file as installed (for archives: the archive, now removed).
    sha256
        Checksum of the bytes received.
    size_bytes
        Number of bytes received.
    extracted
        Files extracted from the archive (empty for plain files).
    verified
        Whether the checksum was checked against a pinned value (and matched).
    """

    url: str
    path: Path
    sha256: str
    size_bytes: int
    extracted: tuple[Path, ...] = ()
    verified: bool = False


@dataclass(frozen=True)
class ChecksumCheck:
    """The result of checking one recorded file against its checksum.

    Parameters
    ----------
    path
        The file (relative to the data directory).
    status
        ``"ok"``, ``"changed"`` (different content) or ``"missing"``.
    expected_sha256
        The recorded checksum.
    actual_sha256
        The checksum of the file on disk (``None`` when missing).
    """

    path: str
    status: Literal["ok", "changed", "missing"]
    expected_sha256: str
    actual_sha256: str | None


def read_checksums(data_dir: Path) -> dict[str, dict[str, object]]:
    """Return the download records of ``data_dir`` (empty when there is no manifest).

    Parameters
    ----------
    data_dir
        The data directory.

    Returns
    -------
    dict
        ``{relative path: {"sha256", "size_bytes", "url", "dataset", "downloaded_at", ...}}``.

    Raises
    ------
    DownloadError
        When the manifest exists but is not valid JSON (it is never silently overwritten).
    """
    path = data_dir / CHECKSUMS_FILE
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DownloadError(
            f"The checksum manifest {path.name} is not valid JSON ({exc}). Fix it or delete it "
            "(it is rebuilt as files are downloaded again)."
        ) from None
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        raise DownloadError(f"The checksum manifest {path.name} has no 'files' object. Delete it.")
    return files


def _write_checksums(data_dir: Path, files: Mapping[str, Mapping[str, object]]) -> None:
    """Write the manifest atomically (a crash leaves the old one intact)."""
    payload = json.dumps({"version": 1, "files": dict(sorted(files.items()))}, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".CHECKSUMS.", suffix=".tmp", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(payload + "\n")
        os.replace(tmp, data_dir / CHECKSUMS_FILE)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


class _OfflineError(DownloadError):
    """No byte could be fetched: offline, refused, or the name did not resolve."""


def _offline_error(url: str, dest: Path, reason: str) -> _OfflineError:
    return _OfflineError(
        f"Could not download {url}: {reason}. You appear to be offline (or the server is "
        f"unreachable). Fetch it by hand (in a browser or with curl) and save it as {dest.name} "
        f"in {dest.parent}, then run `hiap data status`."
    )


def _resolve_host(host: str, port: int, timeout_s: float) -> None:
    """Resolve ``host`` in a daemon thread so a hung resolver cannot outlast the timeout.

    ``requests``' connect timeout does not cover name resolution, which on some offline
    machines blocks for a long time.
    """
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=work, name=f"hiap-resolve-{host}", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not outcome:
        raise TimeoutError(f"looking up {host} took more than {timeout_s:g} s")
    if outcome[0] is not None:
        raise outcome[0]


def _stream_to(
    fh: IO[bytes],
    chunks: Iterable[bytes],
    total: int | None,
    label: str,
    progress: ProgressCallback | None,
    *,
    digest: hashlib._Hash | None = None,
    done: int = 0,
) -> tuple[str, int]:
    """Append ``chunks`` to ``fh``; ``digest`` and ``done`` carry on from bytes already there."""
    digest = hashlib.sha256() if digest is None else digest
    if progress:
        progress(label, done, total)
    for chunk in chunks:
        if not chunk:
            continue
        fh.write(chunk)
        digest.update(chunk)
        done += len(chunk)
        if progress:
            progress(label, done, total)
    return digest.hexdigest(), done


class _InterruptedError(DownloadError):
    """A transfer that broke off after some bytes: the partial file is kept for a resume."""


def _digest_of_part(fh: IO[bytes], size: int) -> hashlib._Hash:
    """Hash the first ``size`` bytes already in the partial file."""
    digest = hashlib.sha256()
    fh.seek(0)
    remaining = size
    while remaining > 0:
        block = fh.read(min(_CHUNK_BYTES, remaining))
        if not block:
            break
        digest.update(block)
        remaining -= len(block)
    fh.seek(size)
    fh.truncate()
    return digest


def _fetch(
    url: str,
    fh: IO[bytes],
    dest: Path,
    *,
    timeout_s: float,
    progress: ProgressCallback | None,
    resume: Mapping[str, object] | None = None,
    on_headers: Callable[[dict[str, object]], None] | None = None,
) -> tuple[str, int]:
    """Stream ``url`` into ``fh`` (a partial file, opened for reading and writing).

    ``resume`` is the record of a broken-off earlier transfer (``size``, ``validator``): the
    rest is asked for with a ``Range`` request. ``on_headers`` receives what to record so the
    next attempt can resume. Returns the SHA-256 and size of the whole file.
    """
    parts = urllib.parse.urlsplit(url)
    label = dest.name
    if parts.scheme == "file":
        source = Path(urllib.request.url2pathname(parts.path))
        fh.seek(0)
        fh.truncate()
        try:
            file_size = source.stat().st_size
            with source.open("rb") as src:
                chunks = iter(lambda: src.read(_CHUNK_BYTES), b"")
                return _stream_to(fh, chunks, file_size, label, progress)
        except OSError as exc:
            raise DownloadError(f"Could not read {url}: {exc.strerror or exc}.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"Cannot download {url!r}: only http(s) and file URLs are supported.")
    try:
        _resolve_host(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), timeout_s
        )
    except (OSError, TimeoutError) as exc:
        raise _offline_error(url, dest, f"cannot resolve {parts.hostname} ({exc})") from None
    headers = {"User-Agent": _USER_AGENT}
    have = int(resume.get("size", 0)) if resume else 0  # type: ignore[call-overload]
    validator = str(resume.get("validator") or "") if resume else ""
    if have > 0:
        headers["Range"] = f"bytes={have}-"
        if validator:
            headers["If-Range"] = validator  # the rest of *this* version, or the whole new one
    done = 0
    total: int | None = None
    try:
        # Connect timeout short so offline fails fast; the read timeout is per chunk, so large
        # files on slow links still complete.
        with requests.get(
            url, stream=True, timeout=(timeout_s, max(timeout_s, 30.0)), headers=headers
        ) as response:
            if response.status_code == 416 and have > 0:
                # The partial file is already whole (or the server cannot resume): start over.
                fh.seek(0)
                fh.truncate()
                return _fetch(
                    url, fh, dest, timeout_s=timeout_s, progress=progress, on_headers=on_headers
                )
            if response.status_code >= 400:
                raise DownloadError(
                    f"Could not download {url}: the server answered HTTP {response.status_code} "
                    f"{response.reason}. The file may have moved: check the publisher's page "
                    f"(`hiap data status` lists it) and save the file in {dest.parent}."
                )
            length = response.headers.get("Content-Length")
            body = int(length) if length and length.isdigit() else None
            if response.status_code == 206 and have > 0:
                digest = _digest_of_part(fh, have)
                done = have
                total = have + body if body is not None else None
                logger.info("resuming %s from byte %d", url, have)
            else:  # a whole file: the server ignored the range, or the file changed
                fh.seek(0)
                fh.truncate()
                digest = hashlib.sha256()
                total = body
            if on_headers is not None:
                tag = response.headers.get("ETag") or response.headers.get("Last-Modified")
                on_headers({"url": url, "validator": tag, "total": total})
            try:
                sha256, done = _stream_to(
                    fh, response.iter_content(_CHUNK_BYTES), total, label, progress,
                    digest=digest, done=done,
                )
            except (requests.RequestException, OSError) as exc:
                # fh.tell(): the bytes safely in the partial file, kept for the next attempt.
                raise _interrupted(url, dest, fh.tell(), total, type(exc).__name__) from None
            if total is not None and done != total:
                raise _interrupted(url, dest, done, total, "the connection closed early")
            return sha256, done
    except (requests.ConnectionError, requests.Timeout) as exc:
        if fh.tell() > have:  # bytes arrived in this attempt: keep them
            raise _interrupted(url, dest, fh.tell(), total, type(exc).__name__) from None
        raise _offline_error(url, dest, type(exc).__name__) from None
    except requests.RequestException as exc:
        raise DownloadError(f"Could not download {url}: {exc}.") from None


def _interrupted(url: str, dest: Path, done: int, total: int | None, why: str) -> _InterruptedError:
    of = f" of {total:,}" if total is not None else ""
    return _InterruptedError(
        f"The download of {url} stopped after {done:,}{of} bytes ({why}). The part received is "
        f"kept: run the same command again to resume from there (into {dest.parent})."
    )


def _safe_member_path(folder: Path, member: str) -> Path:
    """Where to extract ``member``; refuses absolute paths and ``..`` (zip-slip)."""
    pure = PurePosixPath(member)
    if pure.is_absolute() or ".." in pure.parts:
        raise DownloadError(f"Refusing to extract {member!r}: it points outside its folder ({folder.name}).")
    return folder.joinpath(*pure.parts)


def _extract(archive: Path, folder: Path, patterns: tuple[str, ...]) -> tuple[Path, ...]:
    """Extract the wanted members of ``archive`` into ``folder``, each file atomically."""
    extracted = []
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                if patterns and not any(
                    fnmatch.fnmatch(info.filename, p)
                    or fnmatch.fnmatch(Path(info.filename).name, p)
                    for p in patterns
                ):
                    continue
                target = _safe_member_path(folder, info.filename)
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(
                    prefix=f".{target.name}.", suffix=".part", dir=target.parent
                )
                try:
                    with os.fdopen(fd, "wb") as out, zf.open(info) as src:
                        shutil.copyfileobj(src, out, _CHUNK_BYTES)
                    os.chmod(tmp, _FILE_MODE)
                    os.replace(tmp, target)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                    raise
                extracted.append(target)
    except zipfile.BadZipFile as exc:
        raise DownloadError(
            f"The downloaded archive {archive.name} is not a valid zip ({exc})."
        ) from None
    if not extracted:
        raise DownloadError(
            f"The archive {archive.name} holds none of the expected files ({', '.join(patterns)})."
        )
    return tuple(extracted)


def download_url(download: Download, settings: Settings) -> str:
    """Return the URL to fetch: the publisher's, or the mirror's copy when one is set.

    Parameters
    ----------
    download
        The catalogue's download.
    settings
        ``download_mirror`` (``HIAP_DOWNLOAD_MIRROR``), when set, serves every file at
        ``MIRROR/DEST`` (DEST: the file's path in the data directory).

    Returns
    -------
    str
        The URL.
    """
    mirror = settings.download_mirror
    if not mirror:
        return download.url
    return f"{mirror.rstrip('/')}/{PurePosixPath(download.dest).as_posix()}"


def _discard(tmp: Path, meta: Path, created: list[Path]) -> None:
    """Remove a failed download's partial file, its record and the folders this call made."""
    for leftover in (tmp, meta):
        with contextlib.suppress(OSError):
            leftover.unlink()
    for folder in created:  # deepest first; only empty ones go
        with contextlib.suppress(OSError):
            folder.rmdir()


def download_file(
    download: Download,
    settings: Settings,
    *,
    dataset_name: str = "",
    progress: ProgressCallback | None = None,
) -> DownloadResult:
    """Fetch one file into the data directory, verify it and record its checksum.

    Parameters
    ----------
    download
        What to fetch and where to put it (relative to ``settings.data_dir``).
    settings
        Gives the data directory and ``download_timeout_s``.
    dataset_name
        Recorded in the manifest next to the checksum.
    progress
        Called as ``progress(label, bytes_done, bytes_total_or_None)`` while bytes arrive.

    Returns
    -------
    DownloadResult
        The installed file, its checksum and any extracted files.

    Raises
    ------
    DownloadError
        When offline or the server fails (nothing is changed on disk, except that the part of
        an earlier broken-off transfer is kept for the next attempt to resume), when the checksum differs
        from the pinned one (the download is discarded), or when an archive is unusable.
    """
    data_dir = settings.data_dir
    dest = _safe_member_path(data_dir, download.dest)
    records = read_checksums(data_dir) if data_dir.is_dir() else {}
    key = PurePosixPath(download.dest).as_posix()
    # Remember which folders this call creates, to remove them again if the download fails.
    created = [p for p in (dest.parent, *dest.parent.parents) if not p.exists()]
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(
            f"Cannot create {dest.parent} ({exc.strerror}). Set HIAP_DATA_DIR to a writable folder."
        ) from None
    previous = records.get(key, {})
    pinned = download.sha256
    if pinned is None and previous.get("pinned") and isinstance(previous.get("sha256"), str):
        pinned = str(previous["sha256"])

    url = download_url(download, settings)
    # A stable partial-file name, so a broken-off transfer is found and resumed next time.
    tmp = dest.parent / f".{dest.name}.part"
    meta = dest.parent / f".{dest.name}.part.json"
    resume: dict[str, object] | None = None
    if tmp.is_file() and meta.is_file():
        try:
            recorded = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            recorded = {}
        if isinstance(recorded, dict) and recorded.get("url") == url:
            resume = {"size": tmp.stat().st_size, "validator": recorded.get("validator")}

    def remember(headers: dict[str, object]) -> None:
        meta.write_text(json.dumps(headers), encoding="utf-8")

    try:
        with tmp.open("r+b" if tmp.exists() else "w+b") as fh:
            sha256, size = _fetch(
                url,
                fh,
                dest,
                timeout_s=settings.download_timeout_s,
                progress=progress,
                resume=resume,
                on_headers=remember,
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _FILE_MODE)
        if pinned is not None and sha256 != pinned.lower():
            raise DownloadError(
                f"Checksum mismatch for {url}: expected SHA-256 {pinned}, got {sha256}. "
                f"The download was discarded and {dest.name} left unchanged. If the publisher has "
                f"released a new version on purpose, remove the pinned checksum for {key} from "
                f"{CHECKSUMS_FILE} in the data directory."
            )
        extracted: tuple[Path, ...] = ()
        if download.unzip and zipfile.is_zipfile(tmp):
            extracted = _extract(tmp, dest.parent, download.extract)
            tmp.unlink()
        else:
            os.replace(tmp, dest)  # atomic: the old file stays until the new one is whole
        with contextlib.suppress(OSError):
            meta.unlink()
    except _InterruptedError:
        raise  # keep the part and its record: the next run resumes
    except _OfflineError as exc:
        kept = int(resume.get("size") or 0) if resume else 0  # type: ignore[call-overload]
        if not kept:
            _discard(tmp, meta, created)
            raise
        # why: an attempt made offline fetched nothing, so the bytes of an earlier broken-off
        # transfer are still good: keep them and their record for the next online attempt
        raise _OfflineError(
            f"{exc} The {kept:,} bytes received before are kept; the next attempt resumes "
            "from there."
        ) from None
    except BaseException:
        _discard(tmp, meta, created)
        raise

    if previous.get("sha256") and previous.get("sha256") != sha256:
        logger.info("%s changed upstream since its last download", key)
    record: dict[str, object] = {
        "sha256": sha256,
        "size_bytes": size,
        "url": url,
        "dataset": dataset_name,
        "downloaded_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
    }
    if previous.get("pinned"):
        record["pinned"] = True
    if extracted:
        record["archive"] = True
        record["extracted"] = {p.relative_to(data_dir).as_posix(): _sha256_of(p) for p in extracted}
    records = read_checksums(data_dir)  # re-read: another download may have finished meanwhile
    records[key] = record
    _write_checksums(data_dir, records)
    logger.info("downloaded %s (%d bytes, sha256 %s)", url, size, sha256)
    return DownloadResult(
        url=url,
        path=dest,
        sha256=sha256,
        size_bytes=size,
        extracted=extracted,
        verified=pinned is not None,
    )


def download_dataset(
    name: str,
    settings: Settings,
    *,
    progress: ProgressCallback | None = None,
    registry: Mapping[str, Dataset] | None = None,
) -> list[DownloadResult]:
    """Download every file of the dataset ``name`` into the data directory.

    Parameters
    ----------
    name
        A dataset name from the catalogue (``hiap data status`` lists them).
    settings
        Gives the data directory and ``download_timeout_s``.
    progress
        Called as ``progress(label, bytes_done, bytes_total_or_None)`` while bytes arrive.
    registry
        The catalogue to use (defaults to :data:`hiap.data.registry.DATASETS`); mirrors and
        tests pass their own.

    Returns
    -------
    list of DownloadResult
        One per file fetched.

    Raises
    ------
    DataError
        When ``name`` is unknown (the message lists the valid names).
    DownloadError
        When the dataset has no direct download (the message says how to get it), when offline
        (the message gives the URL and folder for a manual download), or on a checksum mismatch.
    """
    dataset = get_dataset(name, registry=registry)
    if not dataset.downloads:
        raise DownloadError(
            f"hiap cannot download {name!r} ({dataset.title}). "
            f"{dataset.how_to_get or ''} Source: {dataset.source_url}"
        )
    return [
        download_file(d, settings, dataset_name=dataset.name, progress=progress)
        for d in dataset.downloads
    ]


def verify_checksums(settings: Settings) -> list[ChecksumCheck]:
    """Check every file recorded in the manifest against its recorded SHA-256.

    Parameters
    ----------
    settings
        Gives the data directory.

    Returns
    -------
    list of ChecksumCheck
        One per recorded file (extracted archive members included), sorted by path.
    """
    data_dir = settings.data_dir
    expected: dict[str, str] = {}
    for key, record in read_checksums(data_dir).items():
        extracted = record.get("extracted")
        if isinstance(extracted, dict):
            expected.update({str(k): str(v) for k, v in extracted.items()})
        elif isinstance(record.get("sha256"), str):
            expected[key] = str(record["sha256"])
    checks = []
    for key, sha in sorted(expected.items()):
        path = data_dir / key
        if not path.is_file():
            checks.append(ChecksumCheck(key, "missing", sha, None))
            continue
        actual = _sha256_of(path)
        checks.append(ChecksumCheck(key, "ok" if actual == sha else "changed", sha, actual))
    return checks
