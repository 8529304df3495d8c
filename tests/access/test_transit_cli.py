from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.settings import get_settings

POA = get_settings().data_dir / "transit" / "porto_alegre"


@pytest.mark.slow
def test_transit_command_porto_alegre(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    hexes = pd.read_csv(POA / "poa_hexgrid.csv")
    origins = hexes.loc[hexes["population"] > 0].sample(40, random_state=0)
    origins.to_csv(tmp_path / "o.csv", index=False)
    scen = tmp_path / "s.yaml"
    scen.write_text(
        "name: s\nedits:\n  - kind: change_frequency\n    route_id: poa_eptc:T1\n"
        "    headway_min: 5\n"
    )
    out = tmp_path / "r.gpkg"
    result = CliRunner().invoke(
        app,
        [
            "access",
            "transit",
            "--to",
            str(POA / "poa_hexgrid.csv"),
            "--origins",
            str(tmp_path / "o.csv"),
            "--gtfs",
            str(POA / "poa_eptc.zip"),
            "--gtfs",
            str(POA / "poa_trensurb.zip"),
            "--osm",
            str(POA / "poa_osm.pbf"),
            "--date",
            "2019-05-13",
            "--window",
            "13:00-13:30",
            "--scenario",
            str(scen),
            "--out",
            str(out),
            "--count-reachable",
        ],
    )
    assert result.exit_code == 0, result.output
    layer = gpd.read_file(out, layer="origins")
    assert len(layer) == 40
    assert {"transit_min", "scenario_min", "change_min", "transit_planned_min"} <= set(layer.columns)
    assert (layer["transit_min_min"].dropna() <= layer["transit_min"].dropna()).all()
    assert layer["transit_min"].notna().sum() >= 35
    ind = gpd.read_file(out, layer="indicators")
    overall = ind[ind["grouping"] == "all"].set_index("mode")
    assert list(overall.index) == ["transit", "scenario"]
    assert (overall["pop_weighted_reachable_60min"] >= overall["pop_weighted_reachable_15min"]).all()
    assert (layer["transit_reachable_60min"] >= layer["transit_reachable_30min"]).all()
    params = gpd.read_file(out, layer="parameters")
    assert "Scenario" in set(params["name"]) and "Timetables" in set(params["name"])


def test_transit_to_uk_gps_on_a_brazilian_feed_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # UK practices, Porto Alegre origins: nothing is within reach; an error, not NaN means.
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    hexes = pd.read_csv(POA / "poa_hexgrid.csv")
    hexes.loc[hexes["population"] > 0].head(5).to_csv(tmp_path / "o.csv", index=False)
    result = CliRunner().invoke(
        app,
        ["access", "transit", "--to", "gp", "--origins", str(tmp_path / "o.csv"),
         "--gtfs", str(POA / "poa_eptc.zip"), "--osm", str(POA / "poa_osm.pbf"),
         "--out", str(tmp_path / "r.gpkg")],
    )
    assert result.exit_code == 1, result.output
    assert "No GP practice lies within" in result.output
    assert not (tmp_path / "r.gpkg").exists()


def test_transit_command_bad_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "access",
            "transit",
            "--to",
            "gp",
            "--gtfs",
            "x.zip",
            "--osm",
            "x.pbf",
            "--date",
            "13/05/2019",
            "--out",
            str(tmp_path / "r.gpkg"),
        ],
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
