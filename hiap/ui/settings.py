"""The app's settings, read once per server process from the environment."""

from __future__ import annotations

import streamlit as st

from hiap.settings import Settings, get_settings


@st.cache_resource(show_spinner=False)
def app_settings() -> Settings:
    """Return the frozen settings; frozen, so sharing one object between sessions is safe."""
    return get_settings()
