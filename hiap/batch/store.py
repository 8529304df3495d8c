"""Where a batch keeps its finished partitions: one parquet file each, and a manifest.

Every write is atomic (a temporary file in the same folder, then :func:`os.replace`), so a
run killed at any moment leaves either a whole partition or none, and a manifest that lists
only whole partitions. A partition is *finished* when the manifest lists its key and its file
is there; a rerun skips those.

Layout of the output folder::

    manifest.json            {"format": 1, "partitions": {key: {region, tile, file, rows, seconds}}}
    partitions/<key>.parquet one partition's per-origin rows
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from hiap.batch.partition import BATCH_FORMAT

__all__ = ["PartitionStore"]


def _atomic_write(path: Path, write: Any) -> None:
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PartitionStore:
    """The finished partitions of one output folder.

    Parameters
    ----------
    folder
        The batch's output folder (created when missing).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        (self.folder / "partitions").mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.folder / "manifest.json"
        self._entries: dict[str, dict[str, Any]] = {}
        if self.manifest_path.is_file():
            data = json.loads(self.manifest_path.read_text())
            if data.get("format") == BATCH_FORMAT:
                self._entries = dict(data.get("partitions", {}))

    def path(self, key: str) -> Path:
        """Return the parquet file of a partition."""
        return self.folder / "partitions" / f"{key}.parquet"

    def finished(self, key: str) -> bool:
        """Whether a partition is listed in the manifest and its file is there."""
        return key in self._entries and self.path(key).is_file()

    def save(self, key: str, table: pd.DataFrame, **info: Any) -> None:
        """Write a partition's rows, then list it in the manifest (both atomically)."""
        _atomic_write(self.path(key), lambda tmp: table.to_parquet(tmp, index=False))
        self._entries[key] = {"file": f"partitions/{key}.parquet", "rows": len(table), **info}
        body = json.dumps({"format": BATCH_FORMAT, "partitions": self._entries}, indent=1)
        _atomic_write(self.manifest_path, lambda tmp: tmp.write_text(body))

    def load(self, key: str) -> pd.DataFrame:
        """Read a finished partition's rows."""
        return pd.read_parquet(self.path(key))

    def info(self, key: str) -> dict[str, Any]:
        """Return a finished partition's manifest entry."""
        return dict(self._entries[key])
