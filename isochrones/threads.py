"""Pin numba's threading layer to a thread-safe one before any parallel kernel runs.

The RAPTOR kernel (:mod:`isochrones.raptor`) is compiled with ``parallel=True``. In a web
server several sessions can call it from their own threads at once. numba has three threading
layers: ``tbb`` and ``omp`` are safe to enter from several threads; ``workqueue``, which numba
falls back to when neither is installed, aborts the whole process when entered concurrently.
So the layer is pinned here, once, to ``tbb`` (the ``tbb`` package is a dependency of the
project; its library is loaded from the environment's ``lib`` folder, where pip puts it) or
else ``omp``; with neither, :func:`pin_threading_layer` raises a clear error at start-up
instead of a crash under load.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
import threading

from isochrones.errors import IsochronesError

SAFE_LAYERS = ("tbb", "omp")
_lock = threading.Lock()
_pinned: list[str] = []


class ThreadingLayerError(RuntimeError, IsochronesError):
    """No thread-safe numba threading layer (TBB or OpenMP) is available."""


def _load_pip_tbb() -> None:
    """Load ``libtbb`` from the environment's lib folder (pip's tbb wheel puts it there)."""
    for path in sorted(glob.glob(os.path.join(sys.prefix, "lib", "libtbb.so.1[2-9]*"))):
        try:
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            continue
        return


def _available() -> list[str]:
    found = []
    for layer, module in (("tbb", "tbbpool"), ("omp", "omppool")):
        try:
            __import__(f"numba.np.ufunc.{module}")
        except ImportError:
            continue
        found.append(layer)
    return found


def pin_threading_layer() -> str:
    """Make numba use a thread-safe threading layer; call before the first parallel kernel.

    Returns
    -------
    str
        The layer chosen: ``"tbb"`` or ``"omp"``.

    Raises
    ------
    ThreadingLayerError
        When neither TBB nor OpenMP is available, or numba already runs another layer.
    """
    with _lock:
        if _pinned:
            return _pinned[0]
        import numba
        from numba.np.ufunc import parallel

        _load_pip_tbb()
        available = _available()
        if not available:
            raise ThreadingLayerError(
                "No thread-safe threading layer for numba: neither TBB nor OpenMP can be "
                "loaded, and numba's fallback aborts the process when two users route at once. "
                "Reinstall hiap's dependencies (they include the 'tbb' package: "
                "`pip install tbb`), or install an OpenMP runtime (e.g. `apt-get install "
                "libgomp1`)."
            )
        chosen = available[0]
        if parallel._is_initialized:
            running = numba.threading_layer()
            if running not in SAFE_LAYERS:
                raise ThreadingLayerError(
                    f"numba already runs its '{running}' threading layer, which is not safe "
                    "for several threads; import isochrones.raptor before other numba code."
                )
            chosen = running
        numba.config.THREADING_LAYER = chosen  # type: ignore[attr-defined]
        _pinned.append(chosen)
        return chosen
