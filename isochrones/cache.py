"""On-disk cache of built street graphs, as two parquet files named by a hash of the inputs.

Building the Rutland walk graph from its PBF takes seconds (most of it OSMnx's simplification);
reading the two parquet files back and rebuilding the MultiDiGraph takes a fraction of that.

The key is a SHA-256 over: the extract's full SHA-256 (see :func:`file_digest`), the area's WKB,
the build options, :data:`GRAPH_FORMAT_VERSION`, the builder's source files and the OSMnx
version (whose simplification shapes the result). A stale cache is impossible short of a SHA-256 collision; an unused one is
just a folder that can be deleted at any time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from shapely.geometry.base import BaseGeometry

from isochrones.osm_reader import WALK_FILTER_VERSION

__all__ = [
    "GRAPH_FORMAT_VERSION",
    "cache_key",
    "file_digest",
    "load_graph",
    "save_graph",
    "source_digest",
]

logger = logging.getLogger(__name__)

GRAPH_FORMAT_VERSION = "1"
"""Bump when the graph builder or the cache layout changes, to invalidate old caches."""

_JSON_PREFIX = "json:"


def file_digest(path: str | Path) -> str:
    """Return the SHA-256 of a file's whole content, memoised per (path, size, mtime).

    Hashing all of it (not size + mtime) means a cache survives copies and ``touch`` and never
    serves a graph from an edited file; SHA-256 runs at roughly 1 GB/s, so even a regional
    extract costs well under a second, and the per-process memo makes repeat calls free.

    Parameters
    ----------
    path
        The file to hash.

    Returns
    -------
    str
        Hex digest.
    """
    p = Path(path).resolve()
    stat = p.stat()
    return _digest(str(p), stat.st_size, stat.st_mtime_ns)


# Bounded so a long-running app server (many sessions, many uploads) cannot grow it forever;
# size and mtime are in the key so an edited file is hashed again.
@lru_cache(maxsize=64)
def _digest(resolved: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(resolved, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(osm_path: str | Path, *, area_wkb: bytes | None, options: Mapping[str, Any]) -> str:
    """Return the cache key of a graph build.

    Parameters
    ----------
    osm_path
        The OSM extract.
    area_wkb
        WKB of the clip area, or None for the whole extract.
    options
        Every other build option (JSON-serialisable).

    Returns
    -------
    str
        A 32-character hex key.
    """
    digest = hashlib.sha256()
    digest.update(file_digest(osm_path).encode())
    digest.update(b"|area|" + (area_wkb or b"none"))
    digest.update(b"|options|" + json.dumps(dict(options), sort_keys=True).encode())
    digest.update(f"|format {GRAPH_FORMAT_VERSION}|osmnx {version('osmnx')}".encode())
    # The builder's own source is part of the key, so editing it invalidates old graphs.
    here = Path(__file__).parent
    digest.update(source_digest(*(here / m for m in ("osm_reader.py", "network.py", "cache.py"))).encode())
    return digest.hexdigest()[:32]


def source_digest(*paths: Path) -> str:
    """Return a SHA-256 of source code: files, or every ``.py`` file under folders.

    A cache key that holds the digest of the code computing the answer is invalidated by any
    change to that code, without anyone remembering to bump a version number. Files are
    named by their path relative to the folder given, so a moved package digests the same.

    Parameters
    ----------
    paths
        Source files or package folders.

    Returns
    -------
    str
        Hex digest (memoised per file list, sizes and modification times).

    Examples
    --------
    >>> import isochrones
    >>> from pathlib import Path
    >>> len(source_digest(Path(isochrones.__file__).parent))
    64
    """
    files: list[tuple[str, str, int, int]] = []
    for path in (Path(p).resolve() for p in paths):
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            name = file.relative_to(path).as_posix() if path.is_dir() else file.name
            stat = file.stat()
            files.append((name, str(file), stat.st_size, stat.st_mtime_ns))
    return _source_digest(tuple(files))


@lru_cache(maxsize=16)
def _source_digest(files: tuple[tuple[str, str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, resolved, _size, _mtime_ns in files:
        digest.update(f"|{name}|".encode())
        digest.update(Path(resolved).read_bytes())
    return digest.hexdigest()


def walk_cache_key(
    osm_path: str | Path, kind: str, area: BaseGeometry | None, options: Mapping[str, Any]
) -> str:
    """Return the cache key of a walk-network build (graph or arrays): one set of options.

    Parameters
    ----------
    osm_path
        The OSM extract.
    kind
        What is cached (``"walk"`` graphs, ``"walk_arrays"``), so the two never collide.
    area
        The clip area, or None for the whole extract.
    options
        The build's other options (clip CRS and margin, ``to_crs``, ``walk_filter``, and any of
        one builder's own); the walk rules' version is added, so a network built under other
        rules is never reused.

    Returns
    -------
    str
        A 32-character hex key (:func:`cache_key`).
    """
    return cache_key(
        osm_path,
        area_wkb=None if area is None else shapely.to_wkb(area),
        options={**options, "kind": kind, "walk_filter_version": WALK_FILTER_VERSION},
    )


def _encode_column(values: list[Any]) -> pa.Array:
    """Encode one attribute column: native when uniform scalars, JSON text otherwise."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.array(values, type=pa.bool_())
    if present and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in present
    ):
        return pa.array([None if v is None else int(v) for v in values], type=pa.int64())
    if present and all(isinstance(v, float | np.floating) for v in present):
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if all(isinstance(v, str) and not v.startswith(_JSON_PREFIX) for v in present):
        return pa.array(values, type=pa.string())
    # Lists (merged ways after simplification) and mixed types round-trip through JSON.
    return pa.array(
        [None if v is None else _JSON_PREFIX + json.dumps(_plain(v)) for v in values],
        type=pa.string(),
    )


def _plain(value: Any) -> Any:
    """Turn numpy scalars inside lists into JSON-serialisable Python values."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_JSON_PREFIX):
        return json.loads(value[len(_JSON_PREFIX) :])
    return value


def save_graph(graph: nx.MultiDiGraph, folder: str | Path) -> Path:
    """Write a graph as ``nodes.parquet`` and ``edges.parquet`` in a folder, atomically.

    Parameters
    ----------
    graph
        A MultiDiGraph whose edges may carry shapely ``geometry`` attributes.
    folder
        Destination folder (replaced if it exists).

    Returns
    -------
    Path
        The folder written.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    node_ids = list(graph.nodes)
    node_keys = sorted({k for _, d in graph.nodes(data=True) for k in d})
    node_cols: dict[str, pa.Array] = {"osmid": pa.array(node_ids, type=pa.int64())}
    for key in node_keys:
        node_cols[key] = _encode_column([graph.nodes[n].get(key) for n in node_ids])
    edges = list(graph.edges(keys=True, data=True))
    edge_keys = sorted({k for *_, d in edges for k in d} - {"geometry"})
    edge_cols: dict[str, pa.Array] = {
        "u": pa.array([e[0] for e in edges], type=pa.int64()),
        "v": pa.array([e[1] for e in edges], type=pa.int64()),
        "key": pa.array([e[2] for e in edges], type=pa.int64()),
    }
    geoms = [d.get("geometry") for *_, d in edges]
    if any(g is not None for g in geoms):
        edge_cols["geometry"] = pa.array(
            [None if g is None else shapely.to_wkb(g) for g in geoms], type=pa.binary()
        )
    for key in edge_keys:
        edge_cols[key] = _encode_column([d.get(key) for *_, d in edges])
    meta = {b"graph": json.dumps(_plain_graph_attrs(graph.graph)).encode()}
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        pq.write_table(pa.table(node_cols).replace_schema_metadata(meta), tmp / "nodes.parquet")
        pq.write_table(pa.table(edge_cols), tmp / "edges.parquet")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _plain_graph_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, str | int | float | bool) else str(v)) for k, v in attrs.items()}


def load_graph(folder: str | Path) -> nx.MultiDiGraph:
    """Read a graph written by :func:`save_graph`.

    Parameters
    ----------
    folder
        The folder holding ``nodes.parquet`` and ``edges.parquet``.

    Returns
    -------
    networkx.MultiDiGraph
        The graph, with the same node ids, edge keys, attributes and graph attributes.
    """
    folder = Path(folder)
    nodes_table = pq.read_table(folder / "nodes.parquet")
    edges_table = pq.read_table(folder / "edges.parquet")
    meta = nodes_table.schema.metadata or {}
    graph = nx.MultiDiGraph(**json.loads(meta.get(b"graph", b"{}")))
    node_cols = {name: nodes_table.column(name).to_pylist() for name in nodes_table.column_names}
    ids = node_cols.pop("osmid")
    node_json = {k for k, col in node_cols.items() if _has_json(col)}
    graph.add_nodes_from(
        (
            n,
            {
                k: (_decode(col[i]) if k in node_json else col[i])
                for k, col in node_cols.items()
                if col[i] is not None
            },
        )
        for i, n in enumerate(ids)
    )
    edge_cols = {name: edges_table.column(name).to_pylist() for name in edges_table.column_names}
    us, vs, ks = edge_cols.pop("u"), edge_cols.pop("v"), edge_cols.pop("key")
    wkb = edge_cols.pop("geometry", None)
    geoms = None
    if wkb is not None:
        arr = np.array(wkb, dtype=object)
        present = np.array([w is not None for w in wkb], dtype=bool)
        geoms = np.full(len(wkb), None, dtype=object)
        if present.any():
            geoms[present] = shapely.from_wkb(arr[present])
    edge_json = {k for k, col in edge_cols.items() if _has_json(col)}

    def edge_attrs(i: int) -> dict[str, Any]:
        attrs = {
            k: (_decode(col[i]) if k in edge_json else col[i])
            for k, col in edge_cols.items()
            if col[i] is not None
        }
        if geoms is not None and geoms[i] is not None:
            attrs["geometry"] = geoms[i]
        return attrs

    graph.add_edges_from((us[i], vs[i], ks[i], edge_attrs(i)) for i in range(len(us)))
    logger.debug("loaded cached graph from %s", folder)
    return graph


def _has_json(column: list[Any]) -> bool:
    return any(isinstance(v, str) and v.startswith(_JSON_PREFIX) for v in column)
