"""HNT.4.1 on net density where a homes layer of parcels exists, else gross with gross thresholds."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from hiap.checklists import load_catalogue
from hiap.checklists.models import Catalogue
from hiap.indicators.criteria import suggest_criteria
from hiap.indicators.neighbourhood import net_density
from hiap.indicators.results import IndicatorReport, IndicatorResult
from hiap.scoring import ScoringError, apply_suggestion, suggest_score
from hiap.settings import get_settings

X, Y = 540_000.0, 266_000.0


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def _parcels(*rows: tuple[object, int]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"dwellings": [d for _, d in rows]}, geometry=[g for g, _ in rows], crs="EPSG:27700"
    )


def test_net_density_of_hand_built_parcels() -> None:
    # 1 ha with 40 homes and 2 ha with 60 homes: 100 homes over 3 ha.
    a = box(X, Y, X + 100, Y + 100)
    b = box(X + 200, Y, X + 300, Y + 200)
    net = net_density(_parcels((a, 40), (b, 60)))
    assert net is not None
    assert (net.dwellings, net.parcels) == (100, 2)
    assert net.area_ha == pytest.approx(3.0)
    assert net.dwellings_per_ha == pytest.approx(100 / 3)
    # A parcel drawn twice over the same ground counts its area once.
    twice = net_density(_parcels((a, 40), (box(X + 50, Y, X + 150, Y + 100), 10)))
    assert twice is not None and twice.area_ha == pytest.approx(1.5)
    # Homes as points say nothing of the parcel area: no net density, not a guess.
    assert net_density(_parcels((Point(X, Y), 40), (b, 60))) is None
    assert net_density(_parcels((a, 0))) is None
    assert net_density(None) is None


def _result(indicator_id: str, value: float) -> IndicatorResult:
    return IndicatorResult(
        id=indicator_id, name=indicator_id.replace("_", " "), value=value, unit="dwellings/ha",
        higher_is_better=True, method="By hand.", source="Test.",
    )  # fmt: skip


def test_hnt_4_1_uses_net_thresholds_when_net_is_measured(catalogue: Catalogue) -> None:
    criterion = catalogue.criterion("HNT.4.1")
    assert [r.id for r in criterion.indicator_rules] == ["net_dwellings_per_ha", "dwellings_per_ha"]
    # 38 dwellings/ha: 1 of 3 as a net figure (30-40), 3 of 3 as a gross one (>= 30).
    both = IndicatorReport(
        scheme_name="x", results=(_result("net_dwellings_per_ha", 38), _result("dwellings_per_ha", 15))
    )
    (net,) = [s for s in suggest_criteria(both, catalogue) if s.criterion_id == "HNT.4.1"]
    assert (net.indicator_id, net.suggested_score) == ("net_dwellings_per_ha", 1)
    gross_only = IndicatorReport(scheme_name="x", results=(_result("dwellings_per_ha", 38),))
    (gross,) = [s for s in suggest_criteria(gross_only, catalogue) if s.criterion_id == "HNT.4.1"]
    assert (gross.indicator_id, gross.suggested_score) == ("dwellings_per_ha", 3)
    assert "HNT.4.1 suggest 3 of 3" in gross.evidence
    answer = apply_suggestion(criterion, 38, indicator_id="dwellings_per_ha")
    assert (answer.indicator_id, answer.suggested_score) == ("dwellings_per_ha", 3)
    assert suggest_score(criterion, 38) == 1  # the preferred (net) rule by default
    with pytest.raises(ScoringError, match="use one of net_dwellings_per_ha, dwellings_per_ha"):
        suggest_score(criterion, 38, indicator_id="gp_walk_min")


@pytest.mark.slow
def test_sample_proposal_is_measured_on_its_parcels() -> None:
    """The Hampton sample proposal's homes layer is parcels: net 54.0, gross 33.1 dwellings/ha."""
    from hiap.indicators.compare import assess_proposal
    from hiap.schemes.proposal import load_proposal

    settings = get_settings()
    if not (settings.data_dir / "osm" / "peterborough_hampton_2012.osm").is_file():
        pytest.skip("needs the shared data (the Hampton OSM extract)")
    proposal = load_proposal("hampton-illustrative", settings=settings)
    comparison = assess_proposal(proposal, settings=settings)
    for report in (comparison.baseline, comparison.with_scheme):
        net, gross = report.get("net_dwellings_per_ha"), report.get("dwellings_per_ha")
        assert net is not None and gross is not None
        # 10,000 homes on 7 parcels of 185.3 ha; the site is 302.5 ha.
        assert net.value == pytest.approx(10_000 / 185.28, rel=1e-3)
        assert gross.value == pytest.approx(10_000 / 302.46, rel=1e-3)
        assert "7 housing parcels" in net.method
    table = comparison.table().set_index("id")
    assert table.at["net_dwellings_per_ha", "for health"] == "no change"
