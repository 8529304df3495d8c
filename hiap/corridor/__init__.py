"""Cambridgeshire's own buses: the TransXChange feed, the Busway corridor, route priorities.

- :mod:`hiap.corridor.feed` -- every TransXChange file of the data directory with NaPTAN stops,
  checked and summarised, and the service day to use;
- :mod:`hiap.corridor.analysis` -- public transport + walking from the corridor's LSOAs to
  acute hospitals and GPs over weekday windows, with the last bus back;
- :mod:`hiap.corridor.priorities` -- candidate service changes ranked by the
  population-weighted minutes they save to the nearest GP and acute hospital.

The routing is :mod:`isochrones.transit` and :mod:`isochrones.prioritise`.
"""

from hiap.corridor.analysis import CorridorConfig, CorridorResult, run_corridor
from hiap.corridor.feed import CambsFeed, DateChoice, load_cambs_feed, service_date_choice

__all__ = [
    "CambsFeed",
    "CorridorConfig",
    "CorridorResult",
    "DateChoice",
    "load_cambs_feed",
    "run_corridor",
    "service_date_choice",
]
