"""The vectorised GTFS time parser against the per-string reading it replaced.

``reference_seconds`` is the parser as it was before vectorising (a regex per string after
Python's ``str.strip``), kept here as the oracle: the new one must give the same seconds and
the same NaNs on the real feeds and on anything hypothesis writes.
"""

from __future__ import annotations

import doctest
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiap.settings import get_settings
from isochrones.gtfs import FeedError, load_feed
from isochrones.gtfs.feed import _read_tables, parse_gtfs_time
from tests.isochrones.gtfs.tiny import TINY, write_feed

POA = get_settings().data_dir / "transit" / "porto_alegre"
_OLD_RE = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")


def reference_seconds(values: list[object]) -> list[float]:
    """Seconds as the old parser read them: NaN unless the stripped text is H:MM:SS."""
    out = []
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out.append(math.nan)
            continue
        found = _OLD_RE.match(str(value).strip())
        if found is None:
            out.append(math.nan)
        else:
            h, m, s = (float(g) for g in found.groups())
            out.append(h * 3600 + m * 60 + s)
    return out


def assert_same(values: list[object], index: pd.Index | None = None) -> None:
    series = pd.Series(values, dtype=object, index=index)
    got = parse_gtfs_time(series)
    assert got.index.equals(series.index)
    np.testing.assert_array_equal(got.to_numpy(float), np.array(reference_seconds(values)))


def test_hand_built_edge_cases() -> None:
    cases = {
        "7:05:00": 25_500.0,  # one-digit hours
        "07:05:00": 25_500.0,
        "24:00:00": 86_400.0,
        "25:10:00": 90_600.0,  # past midnight of the service day
        "100:00:00": 360_000.0,
        " \t08:00:00 \r\n": 28_800.0,  # whitespace around
        "\v\f1:00:00": 3_600.0,
        "\u00a09:00:00\u2003": 32_400.0,  # Unicode spaces, stripped as before
        "\u0661:00:00": 3_600.0,  # Arabic-Indic digit: the old reading accepted it
        "": math.nan,  # blank: interpolated later
        "   ": math.nan,
        "8:61:00": math.nan,  # minutes >= 60
        "8:00:60": math.nan,
        "1000:00:00": math.nan,  # four-digit hours
        "8:0:00": math.nan,
        "08:00": math.nan,
        "8h00": math.nan,
        "-1:00:00": math.nan,
        "08:00:00 x": math.nan,
        "1:00:00\n2:00:00": math.nan,
    }
    values = list(cases)
    got = parse_gtfs_time(pd.Series(values)).tolist()
    for value, expected, seconds in zip(values, cases.values(), got, strict=True):
        assert seconds == expected or (math.isnan(expected) and math.isnan(seconds)), value
    assert_same([*values, None, math.nan, 5], index=pd.Index(range(100, 123)))
    assert parse_gtfs_time(pd.Series([], dtype=str)).empty


_SPACE = st.sampled_from([" ", "\t", "\r", "\n", "\v", "\f", "\x1c", "\u00a0", "\u3000"])
# Numbers near the grammar's edges (60 minutes, 4-digit hours, missing zero) and odd digits.
_DIGITS = st.one_of(
    st.integers(0, 1100).map(str),
    st.integers(0, 99).map(lambda n: f"{n:02d}"),
    st.text(st.sampled_from("0123456789\u0661\uff11"), max_size=4),
)
_TIMEISH = st.builds(
    lambda a, h, m, s, b: f"{a}{h}:{m}:{s}{b}",
    st.text(_SPACE, max_size=2),
    _DIGITS,
    _DIGITS,
    _DIGITS,
    st.text(_SPACE, max_size=2),
)


# Well-formed shapes with numbers either side of every limit (hours to 1,100, minutes and
# seconds to 99, hours padded or not).
_NEAR_TIMES = st.builds(
    lambda h, m, s, pad: f"{h:0{pad}d}:{m:02d}:{s:02d}",
    st.integers(0, 1100),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(1, 3),
)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(_NEAR_TIMES, _TIMEISH, st.text(max_size=10), st.none()), max_size=20))
def test_matches_the_old_reading_on_anything(values: list[str | None]) -> None:
    assert_same(list(values))


@pytest.mark.parametrize("name", ["poa_eptc.zip", "poa_trensurb.zip"])
def test_real_feeds_parse_as_before(name: str) -> None:
    path = POA / name
    if not path.exists():
        pytest.skip(f"{name} is not in the data directory")
    tables = _read_tables(path)
    columns = [tables["stop_times.txt"][c] for c in ("arrival_time", "departure_time")]
    if "frequencies.txt" in tables:
        columns += [tables["frequencies.txt"][c] for c in ("start_time", "end_time")]
    for column in columns:
        got = parse_gtfs_time(column)
        np.testing.assert_array_equal(got.to_numpy(float), reference_seconds(column.tolist()))
        assert got.notna().any()


def test_bad_time_names_file_column_row_and_trip(tmp_path: Path) -> None:
    stop_times = TINY["stop_times.txt"].replace(
        "T2,08:40:00,08:40:00,D,2", "T2,08:40:00,8:4O:00,D,2"
    )
    with pytest.raises(FeedError) as info:
        load_feed(write_feed(tmp_path / "bad", stop_times=stop_times))
    (problem,) = [p for p in info.value.problems if "H:MM:SS" in p]
    assert problem.startswith("stop_times.txt: 1 departure_time value(s) are not H:MM:SS")
    assert "data row 5, trip 'T2': '8:4O:00'" in problem
    assert "leave them blank" in problem


def test_bad_frequency_time_names_its_row(tmp_path: Path) -> None:
    frequencies = "trip_id,start_time,end_time,headway_secs\nT1,06:00:00,6 pm,600\n"
    with pytest.raises(FeedError) as info:
        load_feed(write_feed(tmp_path / "bad", frequencies=frequencies))
    text = "\n".join(info.value.problems)
    assert "frequencies.txt: 1 end_time value(s) are not H:MM:SS, e.g. data row 1" in text
    assert "'6 pm'" in text


def test_docstring_example_runs() -> None:
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(
        parse_gtfs_time, "parse_gtfs_time", globs={"parse_gtfs_time": parse_gtfs_time}
    ):
        runner.run(test)
    assert runner.summarize(verbose=False).attempted == 2
    assert runner.summarize(verbose=False).failed == 0
