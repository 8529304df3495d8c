"""`hiap buses`: the real Cambridgeshire files from the data directory, end to end."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hiap.cli.main import app

runner = CliRunner()


def test_buses_feed_reports_counts_and_the_normal_date() -> None:
    result = runner.invoke(app, ["buses", "feed"])
    assert result.exit_code == 0, result.output
    assert "5 services" in result.output and "1168 trips" in result.output
    assert "GoodFriday" in result.output
    assert "Tuesday 31 March 2020: 273 trips" in result.output
    assert "/work" not in result.output  # no server paths


def test_buses_feed_date_shows_trips_that_day() -> None:
    result = runner.invoke(app, ["buses", "feed", "--date", "2020-03-24"])
    assert result.exit_code == 0, result.output
    assert "Service day Tuesday 24 March 2020: 207 trips" in result.output


def test_corridor_without_walk_network_or_fallback_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["buses", "corridor", "--out", str(tmp_path), "--no-fallback-walk"])
    assert result.exit_code == 1
    assert "--fallback-walk" in result.output


@pytest.mark.slow
def test_corridor_with_fallback_writes_tables_and_map(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["buses", "corridor", "--out", str(tmp_path), "--fallback-walk", "--step-min", "30"]
    )
    assert result.exit_code == 0, result.output
    lsoas = pd.read_csv(tmp_path / "corridor_lsoas.csv")
    assert len(lsoas) > 100
    assert (lsoas["walk"] == "fallback").all()
    assert {"am_hospital_p50_min", "interpeak_gp_p90_min", "last_bus_back"} <= set(lsoas)
    assert "100% of walking legs used this fallback" in result.output
    assert (tmp_path / "corridor_map.html").read_text().count("OpenStreetMap") >= 1


def test_route_access_refuses_an_unknown_destination() -> None:
    result = runner.invoke(app, ["buses", "route-access", "fenland-bus-link", "--to", "shop"])
    assert result.exit_code == 2
    assert "--to must be gp or hospital" in result.output


@pytest.mark.slow
def test_route_access_prints_today_and_with_the_route(tmp_path: Path) -> None:
    out = tmp_path / "route.csv"
    result = runner.invoke(
        app, ["buses", "route-access", "fenland-bus-link", "--fallback-walk", "--csv", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Residents within 60 min" in result.output and "With the route" in result.output
    assert "100% of walking legs used the straight-line fallback" in result.output
    lsoas = pd.read_csv(out)
    assert {"transit_min", "scenario_min", "change_min"} <= set(lsoas)
    assert (lsoas["change_min"].fillna(0) <= 0).all()  # a new route never slows a trip
    assert (lsoas["change_min"] < 0).any()
