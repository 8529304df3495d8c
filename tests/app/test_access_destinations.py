"""The Access page's destination controls: hospital classes and GP branch surgeries.

They reach the run's options, its cache key (recorded here from
:func:`hiap.access.keys.access_key` as the page calls it), the method printed with the result
and the destinations table.
"""

from __future__ import annotations

from typing import Any

import pytest

import hiap.ui.cache
from hiap.access import AccessOptions
from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from tests.app.apptest import needs_hampton, open_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("module_app_state"),
    needs_hampton,
]


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> list[tuple[AccessOptions, str]]:
    """Every (options, key) the page asks the cache for."""
    seen: list[tuple[AccessOptions, str]] = []
    real = hiap.ui.cache.access_key

    def recording(settings: Any, options: AccessOptions, **inputs: Any) -> str:
        key = real(settings, options, **inputs)
        seen.append((options, key))
        return key

    monkeypatch.setattr(hiap.ui.cache, "access_key", recording)
    return seen


def _parameters(at: Any) -> dict[str, str]:
    table = next(t.value for t in reversed(at.table) if "Value" in t.value.columns)
    return {str(k): str(v) for k, v in table["Value"].items()}


def test_branch_surgeries_change_the_key_and_the_result(keys: list[tuple[AccessOptions, str]]) -> None:
    at = open_page("pages/access.py", scheme=load_sample_scheme("hampton", get_settings()))
    assert at.checkbox(key="access.branches").value is False  # off by default, as the CLI
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    plain_options, plain_key = keys[-1]
    assert plain_options.include_branches is False
    assert _parameters(at)["Branch surgeries"] == "not included"
    assert not any("branch" in w.value.lower() for w in at.warning)

    at.checkbox(key="access.branches").check().run()
    assert not at.exception, [e.value for e in at.exception]
    options, key = keys[-1]
    assert options.include_branches is True and key != plain_key
    assert _parameters(at)["Branch surgeries"] == "included"
    # the method says which branch list was used, and the table says main or branch surgery
    assert any("branch" in w.value.lower() and "2017" in w.value for w in at.warning)
    tables = [f.value for f in at.dataframe if "Site" in f.value.columns]
    assert tables and set(tables[-1]["Site"]) <= {"main surgery", "branch surgery"}


def test_hospital_classes_change_the_key_and_the_method(keys: list[tuple[AccessOptions, str]]) -> None:
    at = open_page("pages/access.py", scheme=load_sample_scheme("hampton", get_settings()))
    at.radio(key="access.to").set_value("Hospitals").run()
    assert at.multiselect(key="access.hospital_classes").value == ["acute_ae"]
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    default_options, default_key = keys[-1]
    assert default_options.to == "hospital" and default_options.hospital_classes is None
    # no acute hospital with A&E lies on the Hampton extract's network: said, not a traceback
    assert any("No result for hospitals" in w.value for w in at.warning)

    at.multiselect(key="access.hospital_classes").select("community").run()
    assert not at.exception, [e.value for e in at.exception]
    options, key = keys[-1]
    assert options.hospital_classes == ("acute_ae", "community") and key != default_key
    assert "Community hospital" in options.describe()["Hospitals counted"]

    at.multiselect(key="access.hospital_classes").unselect("acute_ae").unselect("community").run()
    assert any("at least one class of hospital" in e.value for e in at.error)
