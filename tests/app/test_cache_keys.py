"""The app's cache keys (hiap.ui.cache) and the report key: built by the one key builder.

Each key is recorded as the cache is asked for it (the cached function is replaced by a
recorder, so nothing heavy runs): equal inputs give equal keys, and a new hiap version gives
new keys, as the access and batch keys do (``hiap.access.keys.answer_key``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import box

import hiap
import hiap.ui.cache as cache
from hiap.access.keys import report_key
from hiap.schemes import load_sample_scheme
from hiap.schemes.proposal import load_proposal
from hiap.settings import Settings, get_settings
from hiap.ui.proposal import proposal_key


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """An empty data directory: the data digest is quick and its content fixed."""
    (tmp_path / "data").mkdir()
    return get_settings(environ={}, data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


@pytest.fixture
def osm(tmp_path: Path) -> Path:
    path = tmp_path / "extract.osm"
    path.write_text("<osm version='0.6'></osm>\n")
    return path


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The key of every call of the app's cached functions, by function."""
    seen: dict[str, list[str]] = {}

    def recorder(name: str, answer: Any) -> Any:
        def cached(key: str, *args: Any) -> Any:
            seen.setdefault(name, []).append(key)
            return answer() if callable(answer) else answer

        return cached

    monkeypatch.setattr(cache, "_gp_capacity", recorder("gp_capacity", None))
    monkeypatch.setattr(cache, "_walk_network", recorder("walk_network", object))
    monkeypatch.setattr(cache, "_feed", recorder("feed", object))
    monkeypatch.setattr(cache, "_transit_network", recorder("transit", None))
    monkeypatch.setattr(cache, "_demo_area", recorder("demo", None))
    return seen


def _ask_every_cache(settings: Settings, osm: Path, tmp_path: Path, residents: float = 500.0) -> None:
    """Ask each cache once, with fixed inputs (``residents`` changes the capacity's)."""
    site = box(520_000, 296_000, 521_000, 297_000)
    boundary = gpd.GeoDataFrame(geometry=[site], crs="EPSG:27700")
    cache.gp_capacity_result(
        settings, boundary, osm_path=osm, new_residents=residents, catchment_min=30.0,
        margin_m=2000.0,
    )
    resources = cache.CachedResources(settings)
    walk = resources.walk_network(osm, area=site, area_crs="EPSG:27700", margin_m=500.0,
                                  to_crs="EPSG:27700")
    gtfs = tmp_path / "gtfs.zip"  # only digested here, never read
    gtfs.write_bytes(b"PK\x05\x06" + bytes(18))
    feed = resources.feed([gtfs])
    resources.transit_network(feed, walk, dt.date(2020, 3, 31), (25_200, 32_400))  # type: ignore[arg-type]
    cache.demo_area(settings)


def test_app_cache_keys_are_stable_and_carry_the_code_version(
    settings: Settings, osm: Path, tmp_path: Path, recorded: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _ask_every_cache(settings, osm, tmp_path)
    _ask_every_cache(settings, osm, tmp_path)
    _ask_every_cache(settings, osm, tmp_path, residents=900.0)
    assert set(recorded) == {"gp_capacity", "walk_network", "feed", "transit", "demo"}
    first = {name: keys[0] for name, keys in recorded.items()}
    for name, keys in recorded.items():
        assert keys[1] == keys[0], name  # equal inputs, equal keys
        assert len(keys[0]) == 64
    assert recorded["gp_capacity"][2] != first["gp_capacity"]  # another input, another key
    assert recorded["walk_network"][2] == first["walk_network"]  # ... only where it is an input
    assert len(set(first.values())) == len(first)  # no two caches share a key

    monkeypatch.setattr(hiap, "__version__", "99.0.0")
    for keys in recorded.values():
        keys.clear()
    _ask_every_cache(settings, osm, tmp_path)
    for name, keys in recorded.items():
        assert keys[0] != first[name], f"{name}: a new hiap version must give a new key"


def test_gp_capacity_key_follows_the_extract_content(
    settings: Settings, osm: Path, tmp_path: Path, recorded: dict[str, list[str]],
) -> None:
    _ask_every_cache(settings, osm, tmp_path)
    copy = tmp_path / "elsewhere" / osm.name
    copy.parent.mkdir()
    copy.write_bytes(osm.read_bytes())
    _ask_every_cache(settings, copy, tmp_path)
    assert recorded["gp_capacity"][1] == recorded["gp_capacity"][0]  # content, not path
    copy.write_text("<osm version='0.6'><!-- edited --></osm>\n")
    _ask_every_cache(settings, copy, tmp_path)
    assert recorded["gp_capacity"][2] != recorded["gp_capacity"][0]
    assert recorded["walk_network"][2] != recorded["walk_network"][0]


def test_report_key_carries_the_code_version(monkeypatch: pytest.MonkeyPatch) -> None:
    evidence = {"ranking": None, "note": "kept"}
    key = report_key("a1", 2, "html", evidence)
    assert report_key("a1", 2, "html", dict(evidence)) == key
    assert report_key("a1", 2, "docx", evidence) != key
    monkeypatch.setattr(hiap, "__version__", "99.0.0")
    assert report_key("a1", 2, "html", evidence) != key


def test_scheme_and_proposal_digests_follow_their_content() -> None:
    settings = get_settings()
    scheme = load_sample_scheme("hampton", settings)
    digest = cache.scheme_digest(scheme)
    assert cache.scheme_digest(load_sample_scheme("hampton", settings)) == digest
    assert len(digest) == 32
    boundary = scheme.boundary
    assert boundary is not None
    moved = dataclasses.replace(scheme, boundary=boundary.translate(xoff=1.0))
    assert cache.scheme_digest(moved) != digest
    renamed = dataclasses.replace(
        scheme, metadata=scheme.metadata.model_copy(update={"name": "Another name"})
    )
    assert cache.scheme_digest(renamed) != digest

    proposal = load_proposal("hampton-illustrative", settings=settings)
    key = proposal_key(proposal)
    assert proposal_key(load_proposal("hampton-illustrative", settings=settings)) == key
    homes = proposal.homes.assign(dwellings=proposal.homes["dwellings"] + 1)
    assert proposal_key(dataclasses.replace(proposal, homes=homes)) != key
