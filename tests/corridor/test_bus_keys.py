"""The Buses page's cache keys: content digests of the timetables and stops, never the folder."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

from hiap.access.keys import bus_key
from hiap.corridor import CorridorConfig
from hiap.corridor.priorities import SchemeRoute
from hiap.settings import SHARED_DATA_DIR, Settings, get_settings
from isochrones.transit import FallbackWalk

FILES = ("transit/tnds_txc_ea", "transit/naptan")


def _data_dir(root: Path) -> Settings:
    for part in FILES:
        source = SHARED_DATA_DIR / part
        if not source.is_dir():
            pytest.skip(f"{part} is not in the shared data directory")
        shutil.copytree(source, root / part)
    return get_settings(environ={}, data_dir=root, cache_dir=root / "cache")


def _config(day: dt.date = dt.date(2020, 3, 31), **kw: object) -> CorridorConfig:
    return CorridorConfig(date=day, fallback=FallbackWalk(), **kw)  # type: ignore[arg-type]


def test_same_content_under_another_folder_gives_the_same_key(tmp_path: Path) -> None:
    one, two = _data_dir(tmp_path / "one"), _data_dir(tmp_path / "two")
    assert one.data_dir != two.data_dir
    for what in ("feed", "corridor", "priorities"):
        assert bus_key(one, what, {"config": _config()}) == bus_key(two, what, {"config": _config()})


def test_another_feed_date_or_option_gives_another_key(tmp_path: Path) -> None:
    one, two = _data_dir(tmp_path / "one"), _data_dir(tmp_path / "two")
    base = bus_key(one, "corridor", {"config": _config()})
    # another day, step, window, fallback setting: another answer
    assert bus_key(one, "corridor", {"config": _config(dt.date(2020, 3, 24))}) != base
    assert bus_key(one, "corridor", {"config": _config(step_min=5.0)}) != base
    wider = {"am": (dt.time(6, 0), dt.time(10, 0)), "interpeak": (dt.time(10), dt.time(13))}
    assert bus_key(one, "corridor", {"config": _config(windows=wider)}) != base
    other_walk = CorridorConfig(date=dt.date(2020, 3, 31), fallback=FallbackWalk(circuity=1.4))
    assert bus_key(one, "corridor", {"config": other_walk}) != base
    assert bus_key(one, "priorities", {"config": _config()}) != base
    # another timetable: one TransXChange file edited in the second folder
    txc = sorted((two.data_dir / "transit/tnds_txc_ea").glob("*.xml"))[0]
    txc.write_bytes(txc.read_bytes().replace(b"</TransXChange>", b"<!-- edited --></TransXChange>"))
    assert bus_key(two, "corridor", {"config": _config()}) != base
    # other stops: a NaPTAN file replaced
    naptan = sorted((one.data_dir / "transit/naptan").glob("*.csv"))[0]
    naptan.write_bytes(naptan.read_bytes()[:-200])
    assert bus_key(one, "corridor", {"config": _config()}) != base


def test_a_route_test_is_keyed_by_its_line_and_service(tmp_path: Path) -> None:
    settings = _data_dir(tmp_path / "one")
    route = SchemeRoute(((0.1, 52.6), (0.2, 52.5)), "Link", 60.0, dt.time(7), dt.time(19))
    key = bus_key(settings, "route", {"config": _config(), "route": route})
    moved = SchemeRoute(((0.1, 52.6), (0.2, 52.4)), "Link", 60.0, dt.time(7), dt.time(19))
    oftener = SchemeRoute(route.line, "Link", 30.0, dt.time(7), dt.time(19))
    assert bus_key(settings, "route", {"config": _config(), "route": moved}) != key
    assert bus_key(settings, "route", {"config": _config(), "route": oftener}) != key


def test_report_key_follows_the_evidence_content() -> None:
    from hiap.access.keys import report_key
    from tests.reports.test_bus_priorities_report import hand_ranking

    empty = report_key("a1", 2, "html", {"ranking": None})
    one, again = hand_ranking(), hand_ranking()
    with_ranking = report_key("a1", 2, "html", {"ranking": one})
    assert with_ranking != empty
    assert report_key("a1", 2, "html", {"ranking": again}) == with_ranking  # content, not id
    changed = dataclasses.replace(one, table=one.table.assign(rank=one.table["rank"][::-1].to_numpy()))
    assert report_key("a1", 2, "html", {"ranking": changed}) != with_ranking
    assert report_key("a1", 3, "html", {"ranking": one}) != with_ranking
