"""Time the with-scheme comparison of a 10,000-home proposal on Hampton, cold and warm.

Figures printed (each in a fresh cache folder for "cold", then again for "warm"):

* ``one assessment``: :func:`hiap.indicators.assess_indicators` of the proposal's site as a
  plain scheme (grid of homes, today's map): what hiap did before proposals.
* ``comparison``: :func:`hiap.indicators.compare.assess_proposal` without phases or
  neighbours: the baseline and the with-scheme runs from the proposal's homes, the walk network
  built (or loaded) once, proposed paths added to a copy of it.
* ``+ phases + neighbours``: the full comparison as `hiap scheme assess --compare` runs it.
* ``path edit``: adding the proposed paths to the network (isochrones.edits.add_paths).

Target (issue 11): the comparison in under 2 x one assessment, cold and warm.

Usage::

    python benchmarks/assess_proposal.py [PROPOSAL] [--osm OSM_FILE]

The default proposal is the sample ``hampton-illustrative`` (10,000 dwellings in 7 parcels,
6 facilities, 3 greenspaces, 3 paths) on the 2012 Hampton extract.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hiap.indicators import assess_indicators
from hiap.indicators.compare import assess_proposal
from hiap.indicators.run import NETWORK_MARGIN_M
from hiap.schemes.proposal import load_proposal
from hiap.settings import get_settings
from isochrones.edits import add_paths
from isochrones.network import WalkNetwork, build_walk_graph

T = TypeVar("T")


def _timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _round(settings: Any, proposal: Any, osm: Path) -> dict[str, float]:
    _, one_s = _timed(assess_indicators, proposal.scheme, settings=settings, osm_path=osm)
    comparison, cmp_s = _timed(
        assess_proposal, proposal, settings=settings, osm_path=osm, by_phase=False, neighbours=False
    )
    _, full_s = _timed(assess_proposal, proposal, settings=settings, osm_path=osm)
    table = comparison.table().set_index("id")
    print(
        f"    GP walk {table.loc['gp_walk_min', 'baseline shown']} -> "
        f"{table.loc['gp_walk_min', 'with scheme shown']}; ANGSt 2 ha / 300 m "
        f"{table.loc['angst_2ha_300m_share', 'baseline shown']} -> "
        f"{table.loc['angst_2ha_300m_share', 'with scheme shown']}"
    )
    return {"one": one_s, "comparison": cmp_s, "full": full_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("proposal", nargs="?", default="hampton-illustrative")
    parser.add_argument("--osm", type=Path, default=None)
    args = parser.parse_args()
    base = get_settings()
    osm = args.osm or base.data_dir / "osm" / "peterborough_hampton_2012.osm"
    proposal = load_proposal(args.proposal, settings=base)
    print(
        f"proposal {proposal.name}: {proposal.dwellings:,} dwellings, "
        f"{proposal.scheme.area_ha:.0f} ha, layers {proposal.counts()}"
    )
    with tempfile.TemporaryDirectory() as cache:
        settings = get_settings(environ={"HIAP_CACHE_DIR": cache})
        # Cold: the first of the three runs in an empty cache pays for the OSM reads; so that
        # "one assessment" and "comparison" both start cold, each gets its own empty cache.
        print("cold (empty cache before each):")
        cold: dict[str, float] = {}
        for key, call in (
            ("one", lambda s: assess_indicators(proposal.scheme, settings=s, osm_path=osm)),
            ("comparison", lambda s: assess_proposal(proposal, settings=s, osm_path=osm, by_phase=False, neighbours=False)),
            ("full", lambda s: assess_proposal(proposal, settings=s, osm_path=osm)),
        ):
            with tempfile.TemporaryDirectory() as fresh:
                _, cold[key] = _timed(call, get_settings(environ={"HIAP_CACHE_DIR": fresh}))
        print("warm (caches filled):")
        _round(settings, proposal, osm)
        warm = _round(settings, proposal, osm)
        graph = build_walk_graph(osm, area=proposal.scheme.footprint, margin_m=NETWORK_MARGIN_M, cache_dir=settings.cache_dir)
        network = WalkNetwork.from_graph(graph)
        edit, edit_s = _timed(add_paths, network, proposal.paths.geometry.to_numpy())
    print(f"\nnetwork {network.n_nodes:,} nodes; path edit added {edit.new_nodes} nodes, {edit.new_edges} edges in {edit_s * 1000:.0f} ms")
    print(f"\n{'':28s}{'cold':>9s}{'warm':>9s}")
    for key, label in (("one", "one assessment"), ("comparison", "comparison (2 worlds)"), ("full", "+ phases + neighbours")):
        print(f"  {label:26s}{cold[key]:8.2f}s{warm[key]:8.2f}s")
    for name, figures in (("cold", cold), ("warm", warm)):
        ratio = figures["comparison"] / figures["one"]
        print(f"  comparison / one assessment, {name}: {ratio:.2f}x (target < 2x)")


if __name__ == "__main__":
    main()
