"""A transport scenario's result as a CSV file, so it can travel from the app to ``hiap report``.

The Transport scenario page offers the "what changed" table for download with
:func:`scenario_result_csv`; ``hiap report --scenario-result FILE.csv`` reads it back with
:func:`read_scenario_result`. One row per IMD decile (or one ``all`` row), each carrying the
scenario's name, mode, destination and threshold so the file stands on its own.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from hiap.equity import IMD_DECILES
from hiap.errors import DataError
from hiap.reports.evidence import ScenarioResult

__all__ = ["COUNT_COLUMNS", "read_scenario_result", "scenario_result_csv"]

COUNT_COLUMNS: tuple[str, ...] = (
    "population",
    "within_before",
    "within_after",
    "newly_within",
    "no_longer_within",
    "net_change",
)
"""Resident counts of :func:`hiap.equity.newly_within`, in file order."""

_META = ("scenario", "mode", "destination", "threshold_min")


def _is_decile_index(index: pd.Index) -> bool:
    if index.name == "imd_decile":
        return True
    try:
        values = [float(v) for v in index]
    except (TypeError, ValueError):
        return False
    return bool(values) and all(v.is_integer() and int(v) in IMD_DECILES for v in values)


def scenario_result_csv(result: ScenarioResult) -> bytes:
    """Return a scenario's "what changed" table as UTF-8 CSV.

    Parameters
    ----------
    result
        The scenario's name, its :func:`hiap.equity.newly_within` table and what it measures.

    Returns
    -------
    bytes
        Columns ``scenario``, ``mode``, ``destination``, ``threshold_min``, then
        ``imd_decile`` (or ``area`` when not by decile) and the resident counts.
    """
    table = result.table
    missing = [c for c in COUNT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"scenario_result_csv: the table lacks {missing}; pass hiap.equity.newly_within's output.")
    by_decile = _is_decile_index(table.index)
    group = [int(float(v)) for v in table.index] if by_decile else [str(v) for v in table.index]
    frame = pd.DataFrame({
        "scenario": result.name,
        "mode": result.mode,
        "destination": result.destination,
        "threshold_min": float(result.threshold_min),
        "imd_decile" if by_decile else "area": group,
    })
    for column in COUNT_COLUMNS:
        frame[column] = table[column].to_numpy(float)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def read_scenario_result(path: str | Path) -> ScenarioResult:
    """Read a scenario result written by :func:`scenario_result_csv` (the scenario page's download).

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    ScenarioResult
        Indexed by ``imd_decile`` (integers) or ``area``.

    Raises
    ------
    DataError
        When the file is missing, is not a CSV, lacks columns or holds several scenarios.
    """
    source = Path(path)
    hint = "Download it from the Transport scenario page (\"Download what changed (CSV)\")."
    if not source.is_file():
        raise DataError(f"Scenario result {source} does not exist. {hint}")
    try:
        frame = pd.read_csv(source)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataError(f"Scenario result {source} is not a readable CSV file ({error}). {hint}") from error
    group = "imd_decile" if "imd_decile" in frame.columns else "area"
    missing = [c for c in (*_META, group, *COUNT_COLUMNS) if c not in frame.columns]
    if missing:
        raise DataError(f"Scenario result {source} lacks the columns {missing}. {hint}")
    if frame.empty:
        raise DataError(f"Scenario result {source} has no rows. {hint}")
    for column in _META:
        if frame[column].nunique(dropna=False) != 1:
            raise DataError(
                f"Scenario result {source} holds several values of {column!r}; give one scenario per file."
            )
    counts = frame[list(COUNT_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    if counts.isna().any().any():
        raise DataError(f"Scenario result {source} has empty or non-numeric resident counts. {hint}")
    if group == "imd_decile":
        deciles = pd.to_numeric(frame[group], errors="coerce")
        if deciles.isna().any() or not deciles.isin(list(IMD_DECILES)).all():
            raise DataError(f"Scenario result {source}: imd_decile must be whole numbers 1-10. {hint}")
        index = pd.Index(deciles.astype(int).tolist(), name=group)
    else:
        index = pd.Index(frame[group].astype(str).tolist(), name=group)
    table = pd.DataFrame(counts.to_numpy(float), index=index, columns=list(COUNT_COLUMNS))
    first = frame.iloc[0]
    return ScenarioResult(
        name=str(first["scenario"]),
        table=table,
        threshold_min=float(first["threshold_min"]),
        destination=str(first["destination"]),
        mode=str(first["mode"]),
    )
