"""Health impact assessment stages: screening, scoping, appraisal, recommendations, monitoring.

Which module to use when:

- :mod:`hiap.hia.rules` loads the stage rules kept as data (``checklists/hia.yaml``:
  screening thresholds, population groups, gateway criteria; ``checklists/bfhl.yaml``:
  Building for a Healthy Life).
- :mod:`hiap.hia.record` holds what the assessor records at each stage; it is saved as
  ``Assessment.hia``.
- :mod:`hiap.hia.screening` decides which HIA a scheme needs and why.
- :mod:`hiap.hia.appraisal` checks the HUDU matrix is complete, lists the significant
  impacts and the groups who bear them, and gives the overall rating capped by unmet
  gateways.
- :mod:`hiap.hia.ambition` states the HNT / Blue Zones percentages as the appendix figure
  "completeness / ambition".

Only :mod:`hiap.hia.record` is re-exported here: :mod:`hiap.assessment` imports it, and the
other modules import :mod:`hiap.assessment`.
"""

from hiap.hia.record import (
    BfhlAnswer,
    GatewayAnswer,
    GatewayStatus,
    HiaRecord,
    HiaType,
    Likelihood,
    Magnitude,
    Mechanism,
    MonitoringIndicator,
    Recommendation,
    TopicScope,
)

__all__ = [
    "BfhlAnswer",
    "GatewayAnswer",
    "GatewayStatus",
    "HiaRecord",
    "HiaType",
    "Likelihood",
    "Magnitude",
    "Mechanism",
    "MonitoringIndicator",
    "Recommendation",
    "TopicScope",
]
