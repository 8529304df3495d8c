"""Data sources: what hiap has, how old it is, its licence, and how to fetch what is missing."""

import streamlit as st

from hiap import attribution
from hiap.data.registry import dataset_status
from hiap.ui.settings import app_settings

settings = app_settings()
st.title("Data sources")
st.write(
    f"hiap reads every dataset from one data directory: `{settings.data_dir}`. "
    "Set `HIAP_DATA_DIR` to use another. Where there is internet, "
    "`hiap data download NAME` fetches a missing dataset from its official source."
)
rows = dataset_status(settings)
st.dataframe(
    [status.as_row(settings.data_dir) for status in rows],
    hide_index=True,
    width="stretch",
)
st.subheader("Attribution")
for line in attribution.ALL:
    st.caption(line)
