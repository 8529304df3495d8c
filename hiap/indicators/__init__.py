"""Automated spatial indicators of a scheme: access, greenspace, neighbourhood, food, play, GP capacity.

Use :func:`assess_indicators` for a whole scheme; the modules hold the methods one concern
each (:mod:`~hiap.indicators.greenspace` for ANGSt and the Green Infrastructure Framework,
:mod:`~hiap.indicators.capacity` for the two-step floating catchment, and so on) and can be
called on their own with a :class:`WalkGraph` and :class:`Homes`.
"""

from hiap.indicators.capacity import (
    GpCapacity,
    TwoStepResult,
    decay_weights,
    gp_capacity,
    two_step_fca,
)
from hiap.indicators.criteria import (
    CriterionSuggestion,
    HuduSuggestion,
    apply_indicators,
    suggest_criteria,
    suggest_hudu,
)
from hiap.indicators.homes import Homes
from hiap.indicators.osm_features import OsmFeatures, extract_osm_features
from hiap.indicators.results import (
    INDICATOR_IDS,
    IndicatorReport,
    IndicatorResult,
    UnavailableIndicator,
)
from hiap.indicators.run import assess_indicators, find_osm_extract
from hiap.indicators.walkgraph import WalkGraph
from hiap.schemes.points import scheme_points

__all__ = [
    "INDICATOR_IDS",
    "CriterionSuggestion",
    "GpCapacity",
    "Homes",
    "HuduSuggestion",
    "IndicatorReport",
    "IndicatorResult",
    "OsmFeatures",
    "TwoStepResult",
    "UnavailableIndicator",
    "WalkGraph",
    "apply_indicators",
    "assess_indicators",
    "decay_weights",
    "extract_osm_features",
    "find_osm_extract",
    "gp_capacity",
    "scheme_points",
    "suggest_criteria",
    "suggest_hudu",
    "two_step_fca",
]
