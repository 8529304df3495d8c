"""Code-Point Open in both layouts: the shared single CSV and the product as OS ships it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from hiap.data._common import newest
from hiap.data.postcodes import load_postcodes, normalise_postcodes
from hiap.data.status import dataset_status
from hiap.settings import Settings, get_settings


def test_shared_codepoint(real_settings: Settings) -> None:
    got = load_postcodes(real_settings, postcodes=["cb20qq", "PE29 6NT", "ZZ9 9ZZ"])
    assert list(got.columns) == ["postcode", "easting_m", "northing_m", "lad_code"]
    assert set(got["postcode"]) == {"CB2 0QQ", "PE29 6NT"}
    row = got.set_index("postcode").loc["CB2 0QQ"]
    assert 545_000 < row["easting_m"] < 548_000 and 254_000 < row["northing_m"] < 257_000
    assert row["lad_code"] == "E07000008"
    everything = load_postcodes(real_settings)
    assert 30_000 < len(everything) <= 39_540 and everything["postcode"].is_unique


def test_os_product_layout(tmp_path: Path) -> None:
    csv_dir = tmp_path / "postcodes" / "codepoint_open" / "Data" / "CSV"
    csv_dir.mkdir(parents=True)
    (csv_dir / "cb.csv").write_text(
        '"CB1 0AG",10,546182,257043,"E92000001","E19000001","E18000006","E10000003","E07000008","E05013054"\n'
        '"CB1 9ZZ",90,0,0,"E92000001","","","","",""\n'
    )
    (csv_dir / "pe.csv").write_text(
        '"PE1 1AA",10,519000,298000,"E92000001","","","","E06000031",""\n'
    )
    (tmp_path / "postcodes" / "codepoint_open" / "Doc").mkdir()
    (
        tmp_path / "postcodes" / "codepoint_open" / "Doc" / "Code-Point_Open_Column_Headers.csv"
    ).write_text("PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n")
    settings = get_settings(environ={}, data_dir=tmp_path)
    (status,) = [s for s in dataset_status(settings) if s.dataset.name == "postcodes"]
    assert sorted(f.path.name for f in status.files) == ["cb.csv", "pe.csv"]
    cb_only = load_postcodes(settings, postcodes=["CB1 0AG", "cb1 9zz"])
    # Positional quality 90 means "no coordinates": left out.
    assert cb_only.to_dict("records") == [
        {"postcode": "CB1 0AG", "easting_m": 546182.0, "northing_m": 257043.0,
         "lad_code": "E07000008"}
    ]  # fmt: skip
    assert len(load_postcodes(settings)) == 2


def test_normalise_postcodes() -> None:
    got = normalise_postcodes(pd.Series(["cb20qq", " CB2  0QQ ", "pe29 6nt", None]))
    assert got.tolist()[:3] == ["CB2 0QQ", "CB2 0QQ", "PE29 6NT"]
    assert pd.isna(got.iloc[3])


def test_newest_prefers_a_fresh_download(tmp_path: Path) -> None:
    dated = tmp_path / "epraccur_2025-11.csv"
    fresh = tmp_path / "epraccur.csv"
    dated.write_text("x")
    fresh.write_text("x")
    os.utime(dated, (1_700_000_000, 1_700_000_000))
    assert newest([dated, fresh]) == fresh
    os.utime(fresh, (1_600_000_000, 1_600_000_000))  # 2020: older than 2025-11
    assert newest([dated, fresh]) == dated
