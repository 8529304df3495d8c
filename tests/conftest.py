"""Session-wide test setup: keep numba's compiled-code cache out of the repository.

This runs before any test module imports ``isochrones.raptor``; numba chooses where to cache
a compiled function when its decorator runs, so the folder must be set first.
"""

from __future__ import annotations

from hiap.settings import configure_numba_cache, get_settings

configure_numba_cache(get_settings())
