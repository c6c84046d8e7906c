"""What a page says after a change: the success message survives the rerun that shows the new
state, and a new "round" gives the page's forms fresh keys, so they come back empty."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import streamlit as st


class PageOutcome:
    """One page's message and form round, kept in this browser session under the page's name."""

    def __init__(self, page: str) -> None:
        self._message_key = f"{page}_page_message"
        self._round_key = f"{page}_page_form_round"

    @property
    def form_round(self) -> int:
        """Put it in every form key: a success starts a new round of empty forms."""
        return st.session_state.get(self._round_key, 0)

    def done(self, message: str, warnings: Sequence[str] = ()) -> NoReturn:
        """Remember what happened (and what to warn about), start fresh forms, show it."""
        st.session_state[self._message_key] = (message, list(warnings))
        st.session_state[self._round_key] = self.form_round + 1
        st.rerun()

    def show(self) -> list[str]:
        """Show the last success once; return its warnings for the page to show its own way."""
        outcome = st.session_state.pop(self._message_key, None)
        if outcome is None:
            return []
        message, warnings = outcome
        st.success(message, icon="✅")
        return warnings
