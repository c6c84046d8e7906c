"""Signing in with OpenID Connect: a mock provider on loopback (oidc-provider-mock), a second app
server whose ``.streamlit/secrets.toml`` names it. A provider's email that belongs to an active
user signs that user in; an unknown email is refused with the app's message."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from parliament_app.devtools.screenshots import AppServer, free_port, open_page, wait_idle

oidc_provider_mock = pytest.importorskip(
    "oidc_provider_mock", reason="the test extra oidc-provider-mock is not installed"
)

KNOWN_EMAIL = "ida.identity@example.org"
COOKIE_SECRET = secrets.token_hex(32)
PROVIDER = "municipality"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def login_path(provider: str = PROVIDER) -> str:
    """Where ``st.login(provider)`` sends the browser: Streamlit's /auth/login with a provider
    token (an HS256 JWT signed with the cookie secret, valid for two minutes)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps({"provider": provider, "exp": int(time.time()) + 120}).encode())
    signature = hmac.new(
        COOKIE_SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    return f"/auth/login?provider={header}.{payload}.{_b64(signature)}"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(port=0) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory, provider: str, artifacts) -> Iterator[AppServer]:
    port = free_port()
    config = f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"

[auth.{PROVIDER}]
client_id = "childrens-parliament-browser-tests"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
"""
    server = AppServer(
        tmp_path_factory.mktemp("parliament-oidc"),
        secrets=config,
        port=port,
        log_path=artifacts / "server-oidc.log",
    )
    server.cli("db", "upgrade")
    server.cli(
        "create-user",
        "--username", "ida",
        "--role", "administrator",
        "--display-name", "Ida Identity",
        "--email", KNOWN_EMAIL,
        "--password-stdin",
        input="Ida-local-password-1\n",
    )  # fmt: skip
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sign_in_with_provider(page, subject: str, timeout: float = 30_000) -> None:
    """The provider's round trip, started where the sign-in page's provider button sends it."""
    open_page(page, "/?lang=en")
    page.goto(login_path())
    page.wait_for_url("**/oauth2/authorize**")
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(lambda url: "/oauth2" not in url and "/auth/" not in url, timeout=timeout)
    page.wait_for_selector("[data-testid=stApp]", state="attached", timeout=timeout)
    wait_idle(page, timeout, settle=800)


def test_sign_in_page_offers_the_identity_provider(new_page, oidc_server) -> None:
    page = new_page(base_url=oidc_server.base_url)
    open_page(page, "/?lang=en")
    expect(page.get_by_role("button", name="Sign in with Municipality")).to_be_visible()


def test_provider_sign_in_maps_to_the_user_with_that_email(new_page, oidc_server) -> None:
    page = new_page(base_url=oidc_server.base_url)
    sign_in_with_provider(page, KNOWN_EMAIL)
    heading = page.locator("[data-testid=stMain] h1").first
    expect(heading).to_have_text("Hello, Ida Identity")
    page.reload()  # the sign-in holds across a reload
    wait_idle(page, settle=800)
    expect(heading).to_have_text("Hello, Ida Identity")


def test_provider_sign_in_ends_with_sign_out(new_page, oidc_server) -> None:
    page = new_page(base_url=oidc_server.base_url)
    sign_in_with_provider(page, KNOWN_EMAIL)
    expect(page.locator("[data-testid=stMain] h1").first).to_have_text("Hello, Ida Identity")
    page.locator("[data-testid=stSidebar]").get_by_role("button", name="Sign out").click()
    # Streamlit ends the provider's session too: the mock provider asks to confirm.
    page.get_by_role("button", name="End session").click(timeout=15_000)
    page.wait_for_url(lambda url: url.startswith(oidc_server.base_url), timeout=15_000)
    wait_idle(page, settle=800)
    expect(page.locator("form.parliament-sign-in")).to_be_visible()
    page.reload()
    wait_idle(page, settle=800)
    expect(page.locator("form.parliament-sign-in")).to_be_visible()


def test_provider_sign_in_is_refused_for_an_unknown_email(new_page, oidc_server) -> None:
    page = new_page(base_url=oidc_server.base_url)
    sign_in_with_provider(page, "stranger@example.org", timeout=10_000)
    expect(
        page.get_by_text("no active account here uses that email address", exact=False)
    ).to_be_visible(timeout=20_000)
    expect(page.locator("form.parliament-sign-in")).to_be_visible()
    assert "Hello" not in page.locator("[data-testid=stMain] h1").first.inner_text()
