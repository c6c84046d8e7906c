"""The sign-in and sign-out HTTP routes, through Starlette's test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from parliament_app.core import runtime
from parliament_app.core.config import get_settings
from parliament_app.models import AuditAction, AuditEntry, LoginSession
from parliament_app.people.routes import COOKIE_NAME, form_token, routes
from parliament_app.people.sign_in import user_for_token
from tests.factories import PASSWORD, World, build_world

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def client(db: Session, database_url: str, tmp_path, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARLIAMENT_SECRET_KEY", "http-test-secret-" * 3)
    monkeypatch.setenv("PARLIAMENT_MAX_FAILED_LOGINS", "3")
    runtime.reset()
    with TestClient(Starlette(routes=routes()), follow_redirects=False) as test_client:
        yield test_client
    runtime.reset()


@pytest.fixture
def world(db: Session, client: TestClient) -> World:
    world = build_world(db)
    db.commit()
    return world


def post_login(client: TestClient, username: str, password: str, **overrides: str):
    form = {
        "username": username,
        "password": password,
        "language": "sq",
        "form_token": form_token(get_settings().secret_key),
    }
    headers = overrides.pop("headers", ORIGIN)
    form.update(overrides)
    return client.post("/session/login", data=form, headers=headers)


def test_sign_in_sets_a_protected_cookie_that_identifies_the_user(
    db: Session, world: World, client: TestClient
) -> None:
    response = post_login(client, "Coordinator", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/?lang=sq"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Max-Age=28800" in cookie
    token = response.cookies[COOKIE_NAME]
    assert user_for_token(db, token).username == "coordinator"


def test_wrong_password_and_unknown_user_look_the_same(world: World, client: TestClient) -> None:
    wrong = post_login(client, "coordinator", "not the password")
    unknown = post_login(client, "nobody-here", "not the password")
    assert wrong.headers["location"] == unknown.headers["location"] == "/?lang=sq&sign_in=invalid"
    assert COOKIE_NAME not in wrong.cookies and COOKIE_NAME not in unknown.cookies


def test_repeated_failures_lock_the_username_even_with_the_right_password(
    world: World, client: TestClient
) -> None:
    for _attempt in range(3):
        post_login(client, "facilitator", "guess")
    response = post_login(client, "facilitator", PASSWORD)
    assert response.headers["location"].endswith("sign_in=locked")
    assert COOKIE_NAME not in response.cookies


def test_cross_site_post_is_refused(db: Session, world: World, client: TestClient) -> None:
    response = post_login(
        client, "coordinator", PASSWORD, headers={"origin": "https://evil.example"}
    )
    assert response.headers["location"].endswith("sign_in=expired")
    assert COOKIE_NAME not in response.cookies
    assert db.scalar(select(LoginSession.id)) is None


def test_forged_or_stale_form_token_is_refused(world: World, client: TestClient) -> None:
    secret = get_settings().secret_key
    for token in ("1.abc", form_token(secret, now=0), form_token("another secret")):
        response = post_login(client, "coordinator", PASSWORD, form_token=token)
        assert response.headers["location"].endswith("sign_in=expired")


def test_sign_out_revokes_the_session_and_clears_the_cookie(
    db: Session, world: World, client: TestClient
) -> None:
    token = post_login(client, "coordinator", PASSWORD).cookies[COOKIE_NAME]
    client.cookies.set(COOKIE_NAME, token)
    response = client.get("/session/logout?lang=mk")
    assert response.status_code == 303
    assert response.headers["location"] == "/?lang=mk&sign_in=signed_out"
    assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"]
    db.expire_all()
    assert user_for_token(db, token) is None
    actions = set(db.scalars(select(AuditEntry.action)))
    assert {AuditAction.SIGN_IN, AuditAction.SIGN_OUT} <= actions
