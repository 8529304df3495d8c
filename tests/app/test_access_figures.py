"""One number everywhere: the Hampton sample's GP figures on the Access page, in the scheme
indicators and from the CLI (`hiap scheme assess --csv`) are the same numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.indicators.capacity import people_per_practice_text
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
    # wide enough that the table keeps each value on one line
    cli = CliRunner().invoke(app, ["scheme", "assess", "hampton", "--csv", str(out)], env={"COLUMNS": "400"})
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
    people = people_per_practice_text(capacity["value"])  # the one formatter
    assert shown.group(1) == people
    for sentence in re.findall(r"(About 1 GP practice per [^.]*\.|List pressure [^;]*;)", page):
        assert sentence in capacity["notes"], sentence
    pressure = re.search(r"List pressure ([\d.]+):", page)
    assert pressure is not None, page
    # the CLI's own table and its CSV read the same (IndicatorResult.formatted)
    assert f"about 1 GP practice per {people} people" in cli.output
    assert capacity["shown"] == f"about 1 GP practice per {people} people"

    # The capacity table and map: the same figures in the same unit and rounding
    table = next(f.value for f in at.dataframe if "About 1 GP practice per N people" in f.value.columns)
    scheme_row = table.loc[next(i for i in table.index if str(i).startswith("Scheme ("))]
    assert scheme_row["About 1 GP practice per N people"] == people
    assert scheme_row["List pressure"] == pressure.group(1)
    script = next(
        el.proto.json_args for el in at.get("component_instance")
        if "People per GP practice within a 30-minute walk" in el.proto.json_args
    )
    assert "per 1,000" not in script
    on_map = re.findall(r"about 1 GP practice per ([\d,]+) people", script)
    assert len(on_map) > 10, script[:500]  # the LSOAs and the homes, each through the formatter
    for figure in on_map:
        assert people_per_practice_text(float(figure.replace(",", ""))) == figure

    # Walking to the nearest GP from the scheme's homes: the same shares within 15 and 30 min
    from hiap.indicators import assess_indicators

    walk = assess_indicators(scheme, settings=get_settings()).get("gp_walk_min")
    assert walk is not None and walk.value == pytest.approx(rows.loc["gp_walk_min", "value"])
    table = next(f.value for f in at.dataframe if any(str(i).startswith("Scheme (") for i in f.value.index))
    scheme_row = table.loc[next(i for i in table.index if str(i).startswith("Scheme ("))]
    # (the indicator's details are stored to 4 decimals)
    assert scheme_row["Share within 15 min"] == pytest.approx(walk.details["share_within_15_min"], abs=5e-5)
    assert scheme_row["Share within 30 min"] == pytest.approx(walk.details["share_within_30_min"], abs=5e-5)
