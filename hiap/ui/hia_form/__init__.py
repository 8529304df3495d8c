"""The HIA stages of the open assessment as editable forms, saved on every change.

One function per stage, each drawn in a tab of ``pages/hia.py``:
:func:`render_headline` (overall rating capped by gateways, significant impacts, matrix
completeness), :func:`render_screening`, :func:`render_scoping`, :func:`render_gateways`,
:func:`render_recommendations`, :func:`render_monitoring` and :func:`render_bfhl`; and
:func:`baseline_profile`, the health baseline the Health baseline page and the reports use.
Field edits save at once through :func:`hiap.ui.checklist_form.save_edit`, like the checklist
pages; the recommendation and monitoring tables save with a button and keep the rows typed
when a row is invalid, naming the problem.

Modules: ``_common`` (rules, district, saving a field), ``headline``, ``stages`` (screening,
scoping, gateways), ``tables`` (recommendations and monitoring), ``bfhl``, ``baseline``.
"""

from hiap.ui.hia_form._common import hia_rules, scheme_district
from hiap.ui.hia_form.baseline import baseline_profile
from hiap.ui.hia_form.bfhl import render_bfhl
from hiap.ui.hia_form.headline import render_headline
from hiap.ui.hia_form.stages import render_gateways, render_scoping, render_screening
from hiap.ui.hia_form.tables import render_monitoring, render_recommendations

__all__ = [
    "baseline_profile",
    "hia_rules",
    "render_bfhl",
    "render_gateways",
    "render_headline",
    "render_monitoring",
    "render_recommendations",
    "render_scoping",
    "render_screening",
    "scheme_district",
]
