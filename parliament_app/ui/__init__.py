"""Streamlit user interface: the shell (navigation, language, sign-in state) and thin pages."""
