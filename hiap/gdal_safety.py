"""Switch GDAL's network access off for the whole process, and guard each use of GDAL.

Two entry points, used at two moments:

- :func:`switch_off_gdal_network` sets the process-wide options below; ``import hiap`` calls
  it, before anything can load GDAL.
- :func:`guard_gdal` installs the fetch hook below; every place in hiap that reads or writes a
  file with GDAL (pyogrio or geopandas: data-directory boundaries, ``--area`` and ``--points``
  files, GeoPackage exports) calls it right before. It is not called at ``import hiap``,
  because loading GDAL means loading pyogrio, and commands that never touch GDAL (``hiap data
  status``, ``hiap scheme check``) start without it.

hiap runs as a shared web app that reads files uploaded by anyone, so the server must never be
made to fetch a URL named inside a file (server-side request forgery). hiap's own readers
never hand GDAL a URL, and uploads are opened only by the driver of their own format (see
:mod:`hiap.schemes.readers`); these switches are the second line, in case a file still gets a
reference past them. What each does:

``CPL_VSIL_CURL_ALLOWED_FILENAME``
    ``/vsicurl/`` (and the ``/vsis3/``-style handlers built on it) may open only this one file
    name; hiap sets a name no URL can have, so every remote open fails before any request.
``GDAL_HTTP_PROXY`` / ``GDAL_HTTPS_PROXY``
    Every HTTP(S) request GDAL makes through libcurl is sent to a proxy URL with a scheme
    libcurl does not know, so it fails at once without opening a connection.
``GDAL_HTTP_MAX_RETRY`` = 0, ``GDAL_HTTP_TIMEOUT`` / ``GDAL_HTTP_CONNECTTIMEOUT`` = 1 s
    Nothing retries, and nothing waits long if a request were still attempted.
``GDAL_SKIP``
    The drivers that reach the network, run programs or read other files by reference are
    never registered: VRT and OGR_VRT (a virtual dataset naming other files), GDALG, HTTP, WFS,
    WMS, WMTS, WCS, OAPIF, OGCAPI, CSW, NGW, Carto, AmigoCloud, EEDA, Elasticsearch, PLSCENES,
    GPSBabel (runs a program) and ADBC (loads libraries). Read by GDAL when its drivers are
    registered, so it must be set before ``pyogrio`` is first imported: ``import hiap`` does.
``PROJ_NETWORK`` = OFF
    PROJ never downloads transformation grids.
``CPLHTTPSetFetchCallback``
    Not an option but a hook, installed by :func:`guard_gdal` right before hiap first uses
    GDAL: every ``CPLHTTPFetch`` (used by CRS look-ups such as a GeoJSON ``crs`` link and by
    the network drivers) is answered by hiap with an error, with no request at all, even where
    ``NO_PROXY`` would let a request skip the proxy above.

No upload reaches GDAL (hiap reads every upload format itself, see :mod:`hiap.schemes`); the
files GDAL still opens are the data directory's and those named on the command line, which
can still name a URL inside them (a GeoJSON ``crs`` link, say).

Set ``HIAP_GDAL_NETWORK=1`` to leave GDAL's network alone (hiap itself never needs it).
"""

from __future__ import annotations

import ctypes
import glob
import logging
import os
import threading
from typing import Any

logger = logging.getLogger(__name__)

NETWORK_OFF_OPTIONS: dict[str, str] = {
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/hiap-gdal-network-access-is-off",
    "GDAL_HTTP_PROXY": "hiap-network-off://0",
    "GDAL_HTTPS_PROXY": "hiap-network-off://0",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "PROJ_NETWORK": "OFF",
}
SKIPPED_DRIVERS = [
    "VRT",
    "OGR_VRT",
    "GDALG",
    "HTTP",
    "WFS",
    "WMS",
    "WMTS",
    "WCS",
    "OAPIF",
    "OGCAPI",
    "CSW",
    "NGW",
    "Carto",
    "AmigoCloud",
    "EEDA",
    "Elasticsearch",
    "PLSCENES",
    "GPSBabel",
    "ADBC",
]

_guard_lock = threading.Lock()
_guard: dict[str, Any] = {}


def switch_off_gdal_network(environ: dict[str, str] | os._Environ[str] | None = None) -> None:
    """Set the GDAL and PROJ options that switch their network access off (see module doc).

    Parameters
    ----------
    environ
        Environment to change (defaults to ``os.environ``, which GDAL reads).
    """
    env = os.environ if environ is None else environ
    if env.get("HIAP_GDAL_NETWORK") == "1":
        return
    for name, value in NETWORK_OFF_OPTIONS.items():
        env[name] = value
    skipped = env.get("GDAL_SKIP", "").split()
    env["GDAL_SKIP"] = " ".join(dict.fromkeys([*skipped, *SKIPPED_DRIVERS]))


class _HttpResult(ctypes.Structure):
    # why: the leading fields of GDAL's CPLHTTPResult (cpl_http.h), the only ones hiap sets
    _fields_ = [
        ("nStatus", ctypes.c_int),
        ("pszContentType", ctypes.c_void_p),
        ("pabyData", ctypes.c_void_p),
        ("nDataLen", ctypes.c_int),
        ("nDataAlloc", ctypes.c_int),
        ("pszErrBuf", ctypes.c_void_p),
    ]


_FETCH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_void_p,  # CPLHTTPResult*
    ctypes.c_char_p,  # the URL
    *([ctypes.c_void_p] * 6),  # options, progress, progress arg, writer, writer arg, user data
)
_RESULT_BYTES = 512  # why: larger than CPLHTTPResult in any GDAL 3.x; the rest stays zero


def _gdal_library() -> ctypes.CDLL | None:
    import pyogrio

    folder = os.path.join(os.path.dirname(pyogrio.__file__), os.pardir, "pyogrio.libs")
    candidates = sorted(glob.glob(os.path.join(folder, "libgdal*")))
    if not candidates:
        return None
    return ctypes.CDLL(candidates[0])


def guard_gdal() -> None:
    """Make GDAL safe to call: call right before reading or writing a file with GDAL.

    The first call loads pyogrio and installs the fetch hook (:func:`install_fetch_guard`);
    every later call returns at once. Every GDAL call site in hiap calls it (a test checks),
    so no code path reaches GDAL before the hook is in place, and ``import hiap`` stays light.
    """
    if "tried" not in _guard:
        install_fetch_guard()


def install_fetch_guard() -> bool:
    """Make every ``CPLHTTPFetch`` in pyogrio's GDAL fail without a request.

    Installed once per process; later calls do nothing. Call :func:`guard_gdal` rather than
    this: it is what the GDAL call sites use.

    Returns
    -------
    bool
        True when the guard is in place (False when pyogrio's GDAL library was not found, e.g.
        a GDAL from the system; the configuration options above still apply).
    """
    with _guard_lock:
        if "callback" not in _guard:
            _install(_guard)
        # why: set last, so guard_gdal on another thread waits on the lock until this is done
        _guard["tried"] = True
        return "callback" in _guard


def _install(guard: dict[str, Any]) -> None:
    if os.environ.get("HIAP_GDAL_NETWORK") == "1":
        return
    lib = _gdal_library()
    if lib is None:
        logger.warning("GDAL library of pyogrio not found: HTTP fetch guard not installed")
        return
    lib.CPLCalloc.restype = ctypes.c_void_p
    lib.CPLCalloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
    lib.CPLStrdup.restype = ctypes.c_void_p
    lib.CPLStrdup.argtypes = [ctypes.c_char_p]
    lib.CPLHTTPSetFetchCallback.argtypes = [_FETCH_CALLBACK, ctypes.c_void_p]
    lib.CPLHTTPSetFetchCallback.restype = None

    def refuse(url: bytes | None, *_: object) -> int:
        # GDAL frees the result with CPLHTTPDestroyResult, so it is allocated by GDAL too
        address = lib.CPLCalloc(1, _RESULT_BYTES)
        result = _HttpResult.from_address(address)
        result.nStatus = 1
        result.pszErrBuf = lib.CPLStrdup(b"network access is switched off by hiap")
        logger.warning("refused a GDAL network request (%d-byte URL)", len(url or b""))
        return int(address)

    callback = _FETCH_CALLBACK(refuse)
    lib.CPLHTTPSetFetchCallback(callback, None)
    guard["callback"] = callback  # why: ctypes callbacks must outlive their use
    guard["lib"] = lib
