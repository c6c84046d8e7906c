"""Sign in: a local account (plain HTML form posted to /session/login) or, when configured, an
OpenID Connect provider through st.login."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import streamlit as st

from parliament_app.core.config import get_settings
from parliament_app.core.i18n import _, current_language
from parliament_app.people.routes import form_token
from parliament_app.ui.context import LANGUAGE_KEY
from parliament_app.ui.widgets import language_picker

MESSAGES = {
    "invalid": ("error", lambda: _("Wrong username or password.")),
    "locked": (
        "error",
        lambda: _(
            "Too many failed attempts. Please wait 15 minutes and try "
            "again, or ask your administrator."
        ),
    ),
    "expired": ("warning", lambda: _("The sign-in form expired. Please try again.")),
    "signed_out": ("success", lambda: _("You are signed out.")),
}
FORM_STYLE = """
<style>
  .parliament-sign-in { display: grid; gap: .4rem; max-width: 22rem; }
  .parliament-sign-in input { font-size: 1rem; padding: .55rem; border: 1px solid #bbb;
                               border-radius: .4rem; }
  .parliament-sign-in button { font-size: 1.05rem; padding: .6rem; margin-top: .6rem;
                                border: 0; border-radius: .4rem; background: #1f6feb;
                                color: white; cursor: pointer; }
  .parliament-sign-in button:focus-visible, .parliament-sign-in input:focus-visible {
      outline: 3px solid #f2b705; }
</style>
"""


def identity_providers() -> list[str]:
    try:
        auth = st.secrets.get("auth", {})
    except FileNotFoundError:
        return []
    return [name for name, value in auth.items() if isinstance(value, Mapping)]


def render() -> None:
    st.title("🏛️ " + _("Children's Parliament"))
    st.caption(
        _("A platform where children of different backgrounds meet, learn and grow together.")
    )
    language_picker(key="sign_in_language")
    _last_attempt()
    _identity_provider_refusal()
    st.subheader(_("Sign in"))
    _password_form()
    _identity_provider_buttons()


def _last_attempt() -> None:
    """What happened to the last sign-in or sign-out, told by /session/login in the URL."""
    status = st.query_params.get("sign_in")
    if status in MESSAGES:
        kind, message = MESSAGES[status]
        getattr(st, kind)(message())


def _identity_provider_refusal() -> None:
    refused = st.session_state.pop("oidc_refused", None)
    if refused and st.user.get("is_logged_in") and st.button(_("Sign out"), key="oidc_sign_out"):
        st.logout()
    if refused == "unknown":
        st.error(
            _(
                "Your sign-in worked, but no active account here uses that email address. "
                "Ask your administrator to add it."
            )
        )
    elif refused == "expired":
        st.warning(_("Your sign-in has expired. Please sign in again."))


def _password_form() -> None:
    # Only a language the visitor chose travels with the sign-in; otherwise the account's
    # preferred language takes over from the browser's.
    explicit_language = (
        current_language()
        if (st.session_state.get(LANGUAGE_KEY) or st.query_params.get("lang"))
        else ""
    )
    st.html(f"""
<form method="post" action="/session/login" class="parliament-sign-in">
  <input type="hidden" name="form_token" value="{form_token(get_settings().secret_key)}">
  <input type="hidden" name="language" value="{escape(explicit_language)}">
  <label for="username">{escape(_("Username"))}</label>
  <input id="username" name="username" autocomplete="username" required
         autocapitalize="none" spellcheck="false">
  <label for="password">{escape(_("Password"))}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">{escape(_("Sign in"))}</button>
</form>{FORM_STYLE}""")


def _identity_provider_buttons() -> None:
    for provider in identity_providers():
        if st.button(
            _("Sign in with {provider}").format(provider=provider.title()), key=f"oidc_{provider}"
        ):
            st.login(provider)


if __name__ == "__main__":
    render()
