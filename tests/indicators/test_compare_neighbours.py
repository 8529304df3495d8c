"""The comparison's row for the existing residents around a site reads as the GP capacity
indicator does: people per GP practice, where fewer is better."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from hiap.indicators.compare import Comparison
from hiap.indicators.results import IndicatorReport, IndicatorResult
from hiap.indicators.run import _neighbours_people_per_practice


def _report(people: float) -> IndicatorReport:
    gp = IndicatorResult(
        id="gp_capacity_2sfca", name="People per GP practice", value=people + 100.0,
        unit="people per practice", higher_is_better=False, method="2SFCA", source="test",
        details={"neighbours_people_per_practice": people},
    )
    return IndicatorReport(scheme_name="site", results=(gp,))


def test_neighbours_people_per_practice_inverts_the_weighted_practice_share() -> None:
    areas = gpd.GeoDataFrame(
        {"population": [1000.0, 3000.0, 500.0], "practices_per_person_2sfca": [1 / 2000, 1 / 6000, 1.0],
         "complete": [True, True, False]},
        geometry=[Point(0, 0), Point(1, 0), Point(2, 0)], crs=27700,
    )
    # (1000/2000 + 3000/6000) / 4000 = 1/4000 practices per person; the incomplete area is out.
    assert _neighbours_people_per_practice(areas) == pytest.approx(4000.0)


@pytest.mark.parametrize(("today", "with_scheme", "direction"), [
    (4000.0, 4600.0, "worse"), (4600.0, 4000.0, "better"), (4000.0, 4010.0, "no change"),
])
def test_more_people_per_practice_around_the_site_is_worse(
    today: float, with_scheme: float, direction: str
) -> None:
    comparison = Comparison(
        proposal=None,  # type: ignore[arg-type]  # the row reads only the two reports
        baseline=_report(today), with_scheme=_report(with_scheme), homes=gpd.GeoDataFrame(),
    )
    row = comparison._neighbour_capacity()
    assert row is not None
    assert row["indicator"] == (
        "People per GP practice for the existing residents around the site (2SFCA)")
    assert row["unit"] == "people per practice" and "1,000" not in str(row)
    assert row["for health"] == direction
    # read and rounded as the site's own row (to the nearest 100 below 10,000): 4,010 -> 4,000
    assert row["with scheme shown"] == f"about 1 GP practice per {round(with_scheme, -2):,.0f} people"
