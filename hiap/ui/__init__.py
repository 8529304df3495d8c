"""Streamlit glue: the only part of hiap that imports streamlit.

Pages call these helpers for session state, cached resources and shared widgets, and call the
rest of hiap for everything else.
"""
