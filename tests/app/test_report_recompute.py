"""The report's access run is the one the user saw; recomputed only on request, and said so."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from hiap.storage import AssessmentStore
from hiap.ui.access import ACCESS_RESULT_KEY, KeptAccess
from hiap.ui.saved_work import REPORT_KEY
from hiap.ui.store import assessment_for_scheme
from tests.app.apptest import needs_hampton, open_page

pytestmark = [
    pytest.mark.slow,
    needs_hampton,
]


def test_recompute_access_for_the_report_uses_the_stored_run(module_app_state: Path) -> None:
    scheme = load_sample_scheme("hampton", get_settings())
    AssessmentStore(module_app_state).save(assessment_for_scheme(scheme), author="Sam")

    at = open_page("pages/access.py", scheme=scheme)
    at.slider(key="access.buffer").set_value(1.5)  # not the default: the recompute keeps it
    at.multiselect(key="access.bands").set_value([10, 20])
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    seen = at.session_state[ACCESS_RESULT_KEY]
    assert isinstance(seen, KeptAccess) and seen.recomputed_at is None

    at.switch_page("pages/assessments.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("As shown on the Access page in this session" in c.value for c in at.caption)
    at.button(key="hiap.saved.recompute_access").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Recomputed at") for s in at.success), [e.value for e in at.error]
    fresh = at.session_state[ACCESS_RESULT_KEY]
    assert isinstance(fresh, KeptAccess) and fresh.recomputed_at is not None
    # the stored run's exact options, never the defaults, and the same answer
    assert fresh.result.options == seen.result.options
    assert fresh.result.options.buffer_km == 1.5 and fresh.result.options.bands_min == (10.0, 20.0)
    assert fresh.result.osm_path == seen.result.osm_path
    assert fresh.result.parameters == seen.result.parameters
    assert fresh.result.origins["walk_min"].tolist() == seen.result.origins["walk_min"].tolist()

    at.button(key="hiap.saved.prepare.html").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Recomputed on request at" in c.value for c in at.caption)  # the page says so too
    html = next(iter(at.session_state[REPORT_KEY].values())).decode("utf-8")
    stamp = f"{fresh.recomputed_at:%H:%M:%S} UTC"
    assert f"Recomputed on request at {stamp}" in html and "with these parameters" in html
    assert "Area buffer" in html and "1.5 km" in html
