"""Small widgets shared by pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from parliament_app.core.i18n import LANGUAGE_NAMES, _, current_language, format_number
from parliament_app.ui.context import LANGUAGE_KEY


def language_picker(container: Any = st, key: str = "language_picker") -> None:
    """Choose the language of this browser session (also kept in the URL for deep links)."""
    languages = list(LANGUAGE_NAMES)

    def chosen() -> None:
        st.session_state[LANGUAGE_KEY] = st.session_state[key]
        st.query_params["lang"] = st.session_state[key]

    container.selectbox(
        "🌐 " + _("Language"),
        languages,
        index=languages.index(current_language()),
        format_func=LANGUAGE_NAMES.__getitem__,
        key=key,
        on_change=chosen,
    )


def figures(items: Sequence[tuple[str, int]]) -> None:
    """A row of big numbers with their labels."""
    if not items:
        return
    columns = st.columns(min(len(items), 4))
    for index, (label, value) in enumerate(items):
        columns[index % len(columns)].metric(label, format_number(value))


def choice(
    label: str,
    options: Sequence[Any],
    format_func: Callable[[Any], str],
    key: str | None = None,
    index: int | None = 0,
    **kwargs: Any,
) -> Any:
    return st.selectbox(
        label, list(options), format_func=format_func, key=key, index=index, **kwargs
    )


def empty_state(message: str) -> None:
    st.info(message, icon="ℹ️")


def family_first(family_name: str, given_name: str) -> str:
    """A name as rosters sort it ("Petrović, Ana"); names are never translated."""
    return f"{family_name}, {given_name}"
