"""The one CSV reader of the data loaders (baseline, GP list sizes, GP branches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.data._common import read_text_csv
from hiap.errors import DataError


def test_cells_stay_text_and_a_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "lists.csv"
    path.write_bytes(b"\xef\xbb\xbfCODE,NUMBER,NOTE\nD81001,0012,\nNA,7,x\n")
    frame = read_text_csv(path, ["CODE", "NUMBER"])
    assert list(frame.columns) == ["CODE", "NUMBER", "NOTE"]  # no BOM on the first name
    assert str(frame["CODE"].dtype) == "string"
    assert frame["NUMBER"].tolist() == ["0012", "7"]  # leading zeros kept
    assert frame["CODE"].tolist() == ["D81001", "NA"]  # "NA" is a value, not a gap
    assert frame["NOTE"].tolist() == ["", "x"]  # an empty cell stays an empty string
    plain = read_text_csv(path, [], dtype=str)
    assert plain["CODE"].dtype != frame["CODE"].dtype  # pandas' default str type, not "string"
    assert plain["NOTE"].tolist() == ["", "x"]


def test_missing_columns_are_named_with_what_the_file_has(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataError) as err:
        read_text_csv(path, ["a", "CODE", "AGE"], what="GP list size file")
    message = str(err.value)
    assert message.startswith("other.csv: the columns ['CODE', 'AGE'] are missing")
    assert "is it the right GP list size file? It has ['a', 'b']" in message
    assert str(tmp_path) not in message  # the file's name, never its folder


@pytest.mark.parametrize(
    "content",
    [b"", b"a,b\n\xff\xfe,1\n", b'a,b\n"1,2\n'],
    ids=["empty", "not-utf8", "unclosed-quote"],
)
def test_unreadable_files_give_a_data_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=r"^bad\.csv: cannot read the file as CSV \("):
        read_text_csv(path, ["a"])


def test_a_missing_file_gives_a_data_error_without_its_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"absent\.csv: cannot read the GP branch") as err:
        read_text_csv(tmp_path / "absent.csv", ["a"], what="GP branch file")
    assert str(tmp_path) not in str(err.value)
