"""One number everywhere: the Hampton sample's GP figures on the Access page, in the scheme
indicators and from the CLI (`hiap scheme assess --csv`) are the same numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from tests.app.apptest import needs_hampton, open_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("module_app_state"),
    needs_hampton,
]


def test_gp_figures_agree_on_the_access_page_the_indicators_and_the_cli(tmp_path: Path) -> None:
    scheme = load_sample_scheme("hampton", get_settings())
    out = tmp_path / "hampton.csv"
    cli = CliRunner().invoke(app, ["scheme", "assess", "hampton", "--csv", str(out)])
    assert cli.exit_code == 0, cli.output
    rows = pd.read_csv(out).set_index("id")

    at = open_page("pages/access.py", scheme=scheme)
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    page = " ".join(m.value for m in at.markdown)

    # GP capacity: "about 1 practice per N people" and the list pressure, word for word
    capacity = rows.loc["gp_capacity_2sfca"]
    assert capacity["unit"] == "people per practice"
    shown = re.search(r"About 1 GP practice per ([\d,]+) people", page)
    assert shown is not None, page
    step = 100 if capacity["value"] < 10_000 else 500
    assert int(shown.group(1).replace(",", "")) == round(capacity["value"] / step) * step
    for sentence in re.findall(r"(About 1 GP practice per [^.]*\.|List pressure [^;]*;)", page):
        assert sentence in capacity["notes"], sentence

    # Walking to the nearest GP from the scheme's homes: the same shares within 15 and 30 min
    from hiap.indicators import assess_indicators

    walk = assess_indicators(scheme, settings=get_settings()).get("gp_walk_min")
    assert walk is not None and walk.value == pytest.approx(rows.loc["gp_walk_min", "value"])
    table = next(f.value for f in at.dataframe if any(str(i).startswith("Scheme (") for i in f.value.index))
    scheme_row = table.loc[next(i for i in table.index if str(i).startswith("Scheme ("))]
    # (the indicator's details are stored to 4 decimals)
    assert scheme_row["Share within 15 min"] == pytest.approx(walk.details["share_within_15_min"], abs=5e-5)
    assert scheme_row["Share within 30 min"] == pytest.approx(walk.details["share_within_30_min"], abs=5e-5)
