"""Bounded many-to-many walking distances on a CSR street graph, with sparse output.

:func:`bounded_pairs` answers "which targets lie within ``limit_m`` of each source, and how
far": the question every walking leg of a public-transport query asks (origin -> stops,
stops -> destinations, stop -> stop transfers, origin -> destination on foot). scipy's
``csgraph.dijkstra`` answers it too, but returns a dense ``sources x nodes`` array per call,
so a 10-minute leg from each of 4,000 stops allocates and scans 4,000 full rows to keep a few
dozen entries each; profiling ``benchmarks/transit_matrix.py`` showed that allocation and scan
dominating a one-departure matrix. Here each search is a binary-heap Dijkstra that stops at
the limit, touches only the nodes it settles and resets only those, and reports only targets
reached. Sources and targets may be attached to one or two nodes each (node or edge
snapping), every attachment with its own offset in metres, so distances are door to door.

Blocks of sources run in parallel on Python threads (the compiled search releases the GIL).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numba
import numpy as np

__all__ = ["bounded_pairs"]


@numba.njit(cache=True, nogil=True)
def _heap_push(keys, vals, size, key, val):
    i = size
    keys[i] = key
    vals[i] = val
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        vals[i] = vals[parent]
        i = parent
    keys[i] = key
    vals[i] = val
    return size + 1


@numba.njit(cache=True, nogil=True)
def _heap_pop(keys, vals, size):
    """Remove the root; the caller has read it. Returns the new size."""
    size -= 1
    if size == 0:
        return 0
    key = keys[size]
    val = vals[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[i] = keys[child]
        vals[i] = vals[child]
        i = child
    keys[i] = key
    vals[i] = val
    return size


@numba.njit(cache=True, nogil=True)
def _block(
    indptr,
    indices,
    data,
    src_ptr,
    src_node,
    src_off,
    tgt_ptr,
    tgt_of,
    tgt_off,
    n_targets,
    limit,
    first,
    last,
):
    """Run the searches of sources ``first..last-1``; return (source, target, metres) arrays."""
    n = indptr.shape[0] - 1
    inf = np.inf
    dist = np.full(n, inf)
    done = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    best = np.full(n_targets, inf)
    hit = np.empty(n_targets, dtype=np.int64)
    cap = indices.shape[0] + 16
    keys = np.empty(cap, dtype=np.float64)
    vals = np.empty(cap, dtype=np.int64)
    out_cap = 1024
    out_s = np.empty(out_cap, dtype=np.int64)
    out_t = np.empty(out_cap, dtype=np.int64)
    out_d = np.empty(out_cap, dtype=np.float64)
    n_out = 0
    for src in range(first, last):
        n_touched = 0
        size = 0
        for a in range(src_ptr[src], src_ptr[src + 1]):
            u = src_node[a]
            d0 = src_off[a]
            if d0 <= limit and d0 < dist[u]:
                if dist[u] == inf:
                    touched[n_touched] = u
                    n_touched += 1
                dist[u] = d0
                size = _heap_push(keys, vals, size, d0, u)
        n_hit = 0
        while size > 0:
            d = keys[0]
            u = vals[0]
            size = _heap_pop(keys, vals, size)
            if done[u]:
                continue
            done[u] = True
            for q in range(tgt_ptr[u], tgt_ptr[u + 1]):
                t = tgt_of[q]
                v = d + tgt_off[q]
                if v <= limit and v < best[t]:
                    if best[t] == inf:
                        hit[n_hit] = t
                        n_hit += 1
                    best[t] = v
            for e in range(indptr[u], indptr[u + 1]):
                w = indices[e]
                nd = d + data[e]
                if nd <= limit and nd < dist[w]:
                    if dist[w] == inf:
                        touched[n_touched] = w
                        n_touched += 1
                    dist[w] = nd
                    if size == cap:
                        # A node can be pushed once per incoming edge: grow rather than fail.
                        cap *= 2
                        k2 = np.empty(cap, dtype=np.float64)
                        v2 = np.empty(cap, dtype=np.int64)
                        k2[:size] = keys[:size]
                        v2[:size] = vals[:size]
                        keys = k2
                        vals = v2
                    size = _heap_push(keys, vals, size, nd, w)
        if n_out + n_hit > out_cap:
            out_cap = max(2 * out_cap, n_out + n_hit)
            s2 = np.empty(out_cap, dtype=np.int64)
            t2 = np.empty(out_cap, dtype=np.int64)
            d2 = np.empty(out_cap, dtype=np.float64)
            s2[:n_out] = out_s[:n_out]
            t2[:n_out] = out_t[:n_out]
            d2[:n_out] = out_d[:n_out]
            out_s = s2
            out_t = t2
            out_d = d2
        for i in range(n_hit):
            t = hit[i]
            out_s[n_out] = src
            out_t[n_out] = t
            out_d[n_out] = best[t]
            n_out += 1
            best[t] = inf
        for i in range(n_touched):
            u = touched[i]
            dist[u] = inf
            done[u] = False
    return out_s[:n_out], out_t[:n_out], out_d[:n_out]


def _attachments_csr(
    nodes: np.ndarray, offsets: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group (row, node, offset) attachments by row: ``ptr``, ``node``, ``offset``."""
    rows = np.repeat(np.arange(nodes.shape[0]), nodes.shape[1]).reshape(nodes.shape)
    keep = np.isfinite(offsets)
    r, nd, off = rows[keep], nodes[keep], offsets[keep]
    order = np.argsort(r, kind="stable")
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.add.at(ptr, r + 1, 1)
    return np.cumsum(ptr), nd[order].astype(np.int64), off[order].astype(np.float64)


def bounded_pairs(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    src_nodes: np.ndarray,
    src_offsets_m: np.ndarray,
    tgt_nodes: np.ndarray,
    tgt_offsets_m: np.ndarray,
    limit_m: float,
    *,
    n_threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Door-to-door network distances of every (source, target) pair within a limit.

    Parameters
    ----------
    indptr, indices, data
        The street graph in CSR form (row = from), lengths in metres.
    src_nodes, src_offsets_m
        ``(n_sources, k)`` attachment nodes of each source and the metres walked between the
        point and each (``k`` is 1 for node snapping, 2 for edge snapping; an ``inf`` offset
        leaves that attachment out).
    tgt_nodes, tgt_offsets_m
        The same for targets.
    limit_m
        Longest distance kept (offsets included).
    n_threads
        Parallel searches; defaults to numba's thread count.

    Returns
    -------
    tuple of numpy.ndarray
        ``source``, ``target`` (int64 indices) and ``metres`` (float64) of every pair within
        ``limit_m``, sorted by source.
    """
    src_nodes = np.asarray(src_nodes, dtype=np.int64).reshape(len(src_nodes), -1)
    src_off = np.asarray(src_offsets_m, dtype=np.float64).reshape(src_nodes.shape)
    tgt_nodes = np.asarray(tgt_nodes, dtype=np.int64).reshape(len(tgt_nodes), -1)
    tgt_off = np.asarray(tgt_offsets_m, dtype=np.float64).reshape(tgt_nodes.shape)
    n_src, n_tgt = len(src_nodes), len(tgt_nodes)
    n_nodes = len(indptr) - 1
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if n_src == 0 or n_tgt == 0:
        return empty
    s_ptr, s_node, s_off = _attachments_csr(src_nodes, src_off, n_src)
    # Targets grouped by the node they hang off, so a settled node finds its targets at once.
    t_rows = np.repeat(np.arange(n_tgt), tgt_nodes.shape[1]).reshape(tgt_nodes.shape)
    keep = np.isfinite(tgt_off)
    t_node, t_row, t_o = tgt_nodes[keep], t_rows[keep], tgt_off[keep]
    order = np.argsort(t_node, kind="stable")
    t_ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.add.at(t_ptr, t_node + 1, 1)
    t_ptr = np.cumsum(t_ptr)
    t_row, t_o = t_row[order].astype(np.int64), t_o[order].astype(np.float64)
    args = (
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(data, dtype=np.float64),
        s_ptr,
        s_node,
        s_off,
        t_ptr,
        t_row,
        t_o,
        n_tgt,
        float(limit_m),
    )
    threads = max(1, n_threads or numba.get_num_threads() or os.cpu_count() or 1)
    n_blocks = min(n_src, threads * 4)
    bounds = np.linspace(0, n_src, n_blocks + 1).astype(np.int64)
    spans = [(int(a), int(b)) for a, b in pairwise(bounds) if b > a]
    if threads == 1 or len(spans) == 1:
        parts = [_block(*args, a, b) for a, b in spans]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(lambda span: _block(*args, span[0], span[1]), spans))
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )
