"""Saved work: every saved assessment, its history, comparisons, copies, files and reports."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from hiap.errors import HiapError
from hiap.storage import AssessmentSummary
from hiap.storage.diff import describe_difference
from hiap.ui.checklist_form import catalogue_or_stop
from hiap.ui.saved_work import (
    FLASH_KEY,
    access_for_report,
    delete_selected,
    duplicate_selected,
    export_text,
    import_upload,
    open_selected,
    prepare_report,
    prepared_report,
)
from hiap.ui.state import ASSESSMENT_ID_KEY
from hiap.ui.store import assessor_sidebar, store_or_stop
from hiap.ui.text import plain

st.title("Saved work")
st.markdown(
    "Every change made on the assessment pages is saved at once as a new version, with who "
    "made it and when. Open an assessment to carry on, copy it to try an option, compare two "
    "versions, move it between computers as a JSON file, or download its report."
)

store = store_or_stop()
catalogue = catalogue_or_stop()
author = assessor_sidebar()

flash = st.session_state.pop(FLASH_KEY, None)
if flash is not None:
    kind, message = flash
    {"success": st.success, "info": st.info}.get(kind, st.error)(plain(message))

saved_tab, import_tab = st.tabs(["Saved assessments", "Import a JSON file"])

with import_tab:
    st.markdown(
        "Import an assessment exported from hiap. The file is checked in full before anything "
        "is saved; an assessment already in this database gets the file as a new version "
        "unless you import it as a copy."
    )
    st.file_uploader("Assessment JSON file", type=["json"], key="hiap.saved.upload")
    st.checkbox("Import as a copy (a new assessment with its own history)", key="hiap.saved.copy")
    st.button("Import", type="primary", on_click=import_upload, disabled=author is None)
    if author is None:
        st.caption("Enter your name in the sidebar to import.")

try:
    summaries: list[AssessmentSummary] = store.list()
except HiapError as error:
    st.error(f"The saved assessments cannot be listed: {plain(error)}")
    st.stop()
with saved_tab:
    if not summaries:
        st.info(
            "No assessments saved yet. Choose a scheme, then score it on the Healthy New Towns, "
            "Blue Zones or Impact matrix page: it is saved from your first change."
        )
        st.stop()

    st.dataframe(
        pd.DataFrame(
            {
                "Scheme": [s.scheme_name for s in summaries],
                "Reference": [s.reference for s in summaries],
                "Last saved (UTC)": [f"{s.updated_at:%Y-%m-%d %H:%M}" for s in summaries],
                "By": [s.author for s in summaries],
                "Versions": [s.versions for s in summaries],
                "Id": [s.id for s in summaries],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    by_id = {s.id: s for s in summaries}
    open_id = st.session_state.get(ASSESSMENT_ID_KEY)
    if st.session_state.get("hiap.saved.selected") not in by_id:
        st.session_state["hiap.saved.selected"] = open_id if open_id in by_id else summaries[0].id
    selected_id: str = st.selectbox(
        "Assessment",
        list(by_id),
        key="hiap.saved.selected",
        format_func=lambda i: (
            f"{by_id[i].scheme_name} · saved {by_id[i].updated_at:%d %b %Y %H:%M} · {i[:8]}"
            + (" (open)" if i == open_id else "")
        ),
    )
    chosen = by_id[selected_id]
    try:
        history = store.history(chosen.id)
    except HiapError as error:
        st.error(f"The history of {plain(chosen.scheme_name)} cannot be read: {plain(error)}")
        st.stop()
    latest = history[-1].version

    left, right = st.columns(2)
    with left:
        st.subheader("Open")
        if chosen.id == open_id:
            st.caption("This is the assessment your pages are working on.")
        st.button(
            "Open this assessment",
            type="primary",
            on_click=open_selected,
            disabled=chosen.id == open_id,
        )
        st.page_link("pages/healthy_new_towns.py", label="Go to Healthy New Towns", icon=":material/location_city:")
    with right:
        st.subheader("Duplicate")
        st.text_input(
            "Name of the copy",
            value=f"{chosen.scheme_name} (copy)",
            key=f"hiap.saved.copy_name.{chosen.id}",
        )
        st.button("Duplicate", on_click=duplicate_selected, disabled=author is None)

    st.subheader("History")
    st.dataframe(
        pd.DataFrame(
            {
                "Version": [v.version for v in history],
                "Saved by": [v.author for v in history],
                "Saved at (UTC)": [f"{v.saved_at:%Y-%m-%d %H:%M:%S}" for v in history],
            }
        ),
        hide_index=True,
        width="stretch",
    )

    st.subheader("Compare two versions")
    versions = [v.version for v in history]
    col_a, col_b = st.columns(2)
    before = col_a.selectbox(
        "Before", versions, index=max(len(versions) - 2, 0), key=f"hiap.saved.v1.{chosen.id}"
    )
    after = col_b.selectbox(
        "After", versions, index=len(versions) - 1, key=f"hiap.saved.v2.{chosen.id}"
    )
    try:
        differences = store.compare(chosen.id, int(before), int(after))
    except HiapError as error:
        st.error(f"Versions {before} and {after} cannot be compared: {plain(error)}")
        differences = []
    if not differences:
        st.caption(f"Versions {before} and {after} hold the same answers.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Criterion or topic": [d.item or "scheme" for d in differences],
                    f"What changed from v{before} to v{after}": [
                        describe_difference(d) for d in differences
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )

    st.subheader("Files and reports")
    slug = re.sub(r"[^a-z0-9]+", "-", chosen.scheme_name.lower()).strip("-") or "assessment"
    try:
        exported = export_text(store, chosen.id, version=latest)
    except HiapError as error:
        st.error(f"Version {latest} cannot be exported: {plain(error)}")
    else:
        st.download_button(
            f"Export version {latest} as JSON",
            data=exported,
            file_name=f"{slug}-v{latest}.json",
            mime="application/json",
        )
    st.caption(
        "The reports add the spatial evidence, the walking access map and the equity chart "
        "when they were measured for this scheme in this session (Spatial evidence and Access "
        "to healthcare pages); `hiap report` measures them itself."
    )
    access_for_report(chosen.scheme_name)
    for fmt, label, mime in (
        ("html", "HTML report", "text/html"),
        ("pdf", "PDF report", "application/pdf"),
        (
            "docx",
            "Word report",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ):
        ready = prepared_report(chosen.id, latest, fmt)
        if ready is None:
            st.button(
                f"Prepare the {label} (version {latest})",
                key=f"hiap.saved.prepare.{fmt}",
                on_click=prepare_report,
                args=(chosen.id, latest, fmt),
            )
        else:
            st.download_button(
                f"Download the {label} (version {latest})",
                data=ready,
                file_name=f"{slug}-v{latest}.{fmt}",
                mime=mime,
                key=f"hiap.saved.download.{fmt}",
            )

    with st.expander("Delete this assessment"):
        st.warning(
            "Deleting removes the assessment and its whole history from this database. "
            "Export it as JSON first if you may need it again."
        )
        st.text_input(
            f"Type the scheme name ({plain(chosen.scheme_name)}) to confirm",
            key=f"hiap.saved.confirm.{chosen.id}",
        )
        st.button("Delete for ever", on_click=delete_selected)

st.caption("hiap keeps every version; nothing is overwritten.")
