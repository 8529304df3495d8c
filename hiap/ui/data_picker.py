"""A data-file picker: a select box of the data directory's files, or an upload.

No free-text server path unless the settings allow it (see :mod:`hiap.data.choices`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from hiap.data.choices import (
    DATA_KIND_LABELS,
    UPLOAD_SUFFIXES,
    DataKind,
    data_file_choices,
    local_data_path,
    resolve_data_choice,
    store_data_upload,
)
from hiap.errors import HiapError
from hiap.settings import Settings
from hiap.ui.text import plain

AUTOMATIC = "Automatic (the data directory's file covering the scheme)"


def data_file_picker(settings: Settings, kind: DataKind, *, key: str) -> Path | None:
    """Let the user choose an OSM extract or GTFS feed: listed, uploaded, or (desktop) typed.

    An upload wins over a typed path, which wins over the list. A refused file shows the
    reason and counts as no choice.

    Parameters
    ----------
    settings
        Gives the data directory, the upload limits and ``allow_local_paths``.
    kind
        ``"osm"`` or ``"gtfs"``.
    key
        Prefix of the widgets' session-state keys.

    Returns
    -------
    Path or None
        The file to use, or ``None`` for the automatic choice.
    """
    label = DATA_KIND_LABELS[kind]
    labels = [choice.label for choice in data_file_choices(settings, kind)]
    picked = st.selectbox(label, [AUTOMATIC, *labels], key=f"{key}.choice")
    upload = st.file_uploader(
        f"…or upload a {label} ({', '.join(UPLOAD_SUFFIXES[kind])}, up to "
        f"{settings.max_upload_mb:g} MB)",
        type=[suffix.rsplit(".", 1)[-1] for suffix in UPLOAD_SUFFIXES[kind]],
        key=f"{key}.upload",
    )
    typed = ""
    if settings.allow_local_paths:
        typed = st.text_input(f"…or a {label} path on this computer", key=f"{key}.path")
    try:
        if upload is not None:
            return store_data_upload(settings, kind, upload.getvalue(), upload.name)
        if typed.strip():
            return local_data_path(settings, kind, typed)
        if picked and picked != AUTOMATIC:
            return resolve_data_choice(settings, kind, picked)
    except HiapError as exc:
        st.error(plain(exc))
    return None
