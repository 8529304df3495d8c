"""The recommendations and monitoring tables: one table editor, drafts kept, saved with a button.

Both tables are drawn by :func:`_edit_table` from a :class:`_Table` description. What is typed
is kept in the saved work as a draft (``HiaRecord.recommendation_drafts`` /
``monitoring_drafts``) as soon as it differs from the saved rows, so nothing is lost on
leaving the page (the impact matrix keeps its drafts the same way); "Save" checks every row
and, when all are valid, replaces the saved rows and clears the draft. Reports leave drafts
out and say how many rows are waiting.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from hiap.assessment import Assessment
from hiap.checklists import Catalogue
from hiap.errors import HiapError
from hiap.hia.record import (
    MECHANISM_LABELS,
    MONITORING_FIELDS,
    RECOMMENDATION_FIELDS,
    HiaRecord,
    Mechanism,
)
from hiap.hia.rules import HiaRules
from hiap.ui.checklist_form import save_edit, widget_key
from hiap.ui.hia_form._common import show_error
from hiap.ui.store import assessment_store, current_assessment
from hiap.ui.text import plain

__all__ = ["render_monitoring", "render_recommendations"]


@dataclass(frozen=True)
class _Table:
    """One editable table of the HIA record."""

    item_id: str  # "recommendations" or "monitoring": the widget key and the error slot
    saved_field: str  # the HiaRecord field of the valid rows
    drafts_field: str  # the HiaRecord field of the rows as typed
    columns: tuple[str, ...]
    id_prefix: str  # R1, R2... or M1, M2...
    save_label: str
    optional: tuple[str, ...] = ()  # columns saved as None when blank


_RECOMMENDATIONS = _Table(
    "recommendations", "recommendations", "recommendation_drafts", RECOMMENDATION_FIELDS, "R",
    "Save recommendations",
)  # fmt: skip
_MONITORING = _Table(
    "monitoring", "monitoring", "monitoring_drafts", MONITORING_FIELDS, "M",
    "Save monitoring plan", optional=("recommendation_id",),
)  # fmt: skip


def _rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Return the non-empty rows of a table as text cells (an id alone is an empty row)."""
    rows = []
    for record in frame.to_dict("records"):
        row = {c: ("" if pd.isna(record.get(c)) else str(record.get(c)).strip()) for c in columns}
        if any(v for k, v in row.items() if k != "id"):
            rows.append(row)
    return rows


def _numbered(rows: list[dict[str, str]], prefix: str) -> list[dict[str, str]]:
    """Return copies of the rows, each without an id given the next free ``<prefix><n>``."""
    rows = copy.deepcopy(rows)
    used = {r["id"] for r in rows if r["id"]}
    n = 1
    for row in rows:
        if not row["id"]:
            while f"{prefix}{n}" in used:
                n += 1
            row["id"] = f"{prefix}{n}"
            used.add(row["id"])
    return rows


def _saved_rows(record: HiaRecord, table: _Table) -> list[dict[str, str]]:
    saved = [r.model_dump(mode="json") for r in getattr(record, table.saved_field)]
    return _rows(pd.DataFrame(saved, columns=list(table.columns)), table.columns)


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"row {e['loc'][1] + 1 if len(e['loc']) > 1 and isinstance(e['loc'][1], int) else ''} "
        f"{e['loc'][-1] if e['loc'] else ''}: {e['msg'].removeprefix('Value error, ')}".strip()
        for e in error.errors()
    )


def _with_rows(record: HiaRecord, table: _Table, rows: list[dict[str, str]]) -> HiaRecord:
    """Return the record with ``rows`` as its saved rows and no draft (raises when invalid)."""
    cells: list[dict[str, Any]] = [
        {k: (None if k in table.optional and not v else v) for k, v in row.items()}
        for row in _numbered(rows, table.id_prefix)
    ]
    return HiaRecord.model_validate(
        record.model_dump() | {table.saved_field: cells, table.drafts_field: []}
    )


def _keep_draft(assessment: Assessment, table: _Table, typed: list[dict[str, str]]) -> bool:
    """Save the typed rows as the draft when they differ from the saved rows.

    Returns
    -------
    bool
        True when the typed rows are not (yet) the saved rows.
    """
    record = assessment.hia
    unsaved = _numbered(typed, table.id_prefix) != _saved_rows(record, table)
    wanted = tuple(typed) if unsaved else ()
    if wanted != getattr(record, table.drafts_field):

        def keep(a: Assessment) -> Assessment:
            return a.with_hia(
                HiaRecord.model_validate(a.hia.model_dump() | {table.drafts_field: list(wanted)})
            )

        save_edit(table.item_id, keep)
    return unsaved


def _save_table(table: _Table, typed: list[dict[str, str]]) -> None:
    try:
        current = current_assessment(assessment_store())
    except HiapError as error:
        st.error(f"Not saved: {plain(error)}")
        return
    if current is None:
        return
    try:
        record = _with_rows(current.hia, table, typed)
    except ValidationError as error:
        st.error(
            f"Not saved: {plain(_problems(error))}. Your rows are kept as a draft: fix them and save "
            "again."
        )
        return
    if save_edit(table.item_id, lambda a: a.with_hia(record)):
        st.success("Saved.")
    else:
        show_error(current, table.item_id)


def _edit_table(
    assessment: Assessment,
    table: _Table,
    column_config: Mapping[str, Any],
    *,
    disabled: bool,
) -> None:
    """Draw one table, keep what is typed as a draft, and save it with the button."""
    editor_key = widget_key(assessment.id, table.item_id, "table")
    start_key = widget_key(assessment.id, table.item_id, "table_start")
    if editor_key not in st.session_state or start_key not in st.session_state:
        # First drawn (or back on the page): start from the draft if one was kept, else the
        # saved rows. The start stays fixed while the editor holds the edits made on it.
        drafts = getattr(assessment.hia, table.drafts_field)
        start = list(drafts) if drafts else _saved_rows(assessment.hia, table)
        st.session_state[start_key] = pd.DataFrame(start, columns=list(table.columns))
    edited = st.data_editor(
        st.session_state[start_key],
        num_rows="dynamic",
        key=editor_key,
        disabled=disabled,
        width="stretch",
        column_config=dict(column_config),
    )
    typed = _rows(edited, table.columns)
    unsaved = not disabled and _keep_draft(assessment, table, typed)
    if unsaved:
        st.caption(
            ":material/edit_note: Not saved yet: these rows are kept as a draft with the "
            "assessment (they stay when you leave the page) and reports leave them out until "
            "you save them."
        )
    show_error(assessment, table.item_id)
    if st.button(table.save_label, disabled=disabled, key=f"hiap.hia.save_{table.item_id}"):
        _save_table(table, typed)


def render_recommendations(
    assessment: Assessment, catalogue: Catalogue, rules: HiaRules, *, disabled: bool
) -> None:
    """Edit the recommendations: action, owner, mechanism, trigger, per HUDU topic."""
    st.caption(
        "Each mitigation or enhancement, who delivers it, how it is secured ("
        + "; ".join(f"{MECHANISM_LABELS[Mechanism(k)]}: {v}" for k, v in rules.mechanisms.items())
        + ") and its trigger, e.g. 'before occupation of the 500th home'."
    )
    topics = [t.id for t in catalogue.hudu.topics]
    _edit_table(
        assessment,
        _RECOMMENDATIONS,
        {
            "id": st.column_config.TextColumn("Id", help="R1, R2... (filled in when blank)"),
            "topic_id": st.column_config.SelectboxColumn("Topic", options=topics, required=True),
            "action": st.column_config.TextColumn("Action", required=True),
            "owner": st.column_config.TextColumn("Owner", required=True),
            "mechanism": st.column_config.SelectboxColumn(
                "Mechanism", options=[m.value for m in Mechanism], required=True
            ),
            "trigger": st.column_config.TextColumn("Trigger", required=True),
        },
        disabled=disabled,
    )


def render_monitoring(assessment: Assessment, rules: HiaRules, *, disabled: bool) -> None:
    """Edit the monitoring plan: indicator, baseline, target, source, frequency."""
    st.caption(
        "What will show whether the recommendations worked. Every row needs a baseline (the "
        "value now, with its date, or when it will be measured), a target different from it, "
        "a data source and a frequency."
    )
    recs = [r.id for r in assessment.hia.recommendations]
    _edit_table(
        assessment,
        _MONITORING,
        {
            "id": st.column_config.TextColumn("Id", help="M1, M2... (filled in when blank)"),
            "indicator": st.column_config.TextColumn("Indicator", required=True),
            "baseline": st.column_config.TextColumn("Baseline", required=True),
            "target": st.column_config.TextColumn("Target", required=True),
            "data_source": st.column_config.TextColumn("Data source", required=True),
            "frequency": st.column_config.SelectboxColumn(
                "Frequency", options=list(rules.frequencies), required=True
            ),
            "recommendation_id": st.column_config.SelectboxColumn("Checks", options=recs),
        },
        disabled=disabled,
    )

