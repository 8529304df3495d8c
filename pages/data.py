"""Data sources: what hiap has, what each file covers, how old it is, its licence, how to fetch."""

import streamlit as st

from hiap import attribution
from hiap.data.registry import dataset_status
from hiap.ui.settings import app_settings
from hiap.wording import count

settings = app_settings()
st.title("Data sources")
st.write(
    "hiap reads every dataset from one data directory (`HIAP_DATA_DIR`, or `data_dir` in the "
    "settings file: `hiap config show`). Each network and timetable file is described by what "
    "it holds: the districts it covers and how much of each, its places or services. Where "
    "there is internet, `hiap data download NAME` fetches a missing dataset from its official "
    "source."
)
with st.spinner("Reading what each network and timetable file covers (once)…"):
    statuses = dataset_status(settings, coverage=True)
present = [s for s in statuses if s.present]
samples = [s.dataset.name for s in statuses if s.state == "sample only"]
st.markdown(
    f"**{count(len(present), 'dataset')} of {len(statuses)} present.**"
    + (
        f" Sample only (from outside Cambridgeshire and Peterborough, for tests, not the "
        f"region's data): {', '.join(samples)}."
        if samples
        else ""
    )
)
covers = [(s.dataset.name, s.region_cover()) for s in statuses]
for name, cover in covers:
    if cover is not None:
        st.markdown(f"**{name}**, the best cover of each district by one file: {cover}.")
rows = [row for status in statuses for row in status.as_rows(settings.data_dir)]
st.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    column_config={
        "dataset": st.column_config.TextColumn("dataset", width="small"),
        "present": st.column_config.TextColumn("present", width=100),
        # One file per row, wide enough for the longest name: never wrapped or cut.
        "file": st.column_config.TextColumn("file", width=640),
        "covers": st.column_config.TextColumn("covers", width="large"),
        "how to get it": st.column_config.TextColumn("how to get it", width="medium"),
    },
)
st.subheader("Attribution")
for line in attribution.ALL:
    st.caption(line)
