"""HTTP routes for local sign-in (/session/login, /session/logout), served beside Streamlit
through ``st.App``.

The sign-in page posts a plain HTML form here. We verify the password, set an HttpOnly,
SameSite=Lax cookie holding a random session token and redirect to the app, whose script reads the
cookie from ``st.context.cookies``. Cross-site posts are refused: the Origin (or Referer) must be
this host, and the form carries a short-lived token signed with the deployment's secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from urllib.parse import urlencode, urlsplit

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from parliament_app.core import runtime
from parliament_app.core.config import get_settings
from parliament_app.core.i18n import language_from_tag
from parliament_app.people.sign_in import Outcome, SignInResult, end_session, sign_in

COOKIE_NAME = "parliament_session"
FORM_TOKEN_SECONDS = 3600


def form_token(secret: str, now: float | None = None) -> str:
    issued = str(int(now if now is not None else time.time()))
    return f"{issued}.{_sign(secret, issued)}"


def form_token_valid(secret: str, token: str, now: float | None = None) -> bool:
    issued, _, signature = token.partition(".")
    if not issued.isdigit() or not hmac.compare_digest(signature, _sign(secret, issued)):
        return False
    age = (now if now is not None else time.time()) - int(issued)
    return 0 <= age <= FORM_TOKEN_SECONDS


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), f"sign-in-form:{value}".encode(), hashlib.sha256).hexdigest()


def _same_origin(request: Request) -> bool:
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    return urlsplit(source).netloc == request.headers.get("host", "")


def _back(language: str | None, **params: str) -> str:
    query = {"lang": language} if language else {}
    query.update(params)
    return "/" + ("?" + urlencode(query) if query else "")


async def login(request: Request) -> Response:
    form = await request.form()
    # Not "lang": the HTML sanitiser drops fields whose name clobbers a DOM property.
    language = language_from_tag(str(form.get("language", "")))
    settings = get_settings()
    if not _same_origin(request) or not form_token_valid(
        settings.secret_key, str(form.get("form_token", ""))
    ):
        return RedirectResponse(_back(language, sign_in="expired"), status_code=303)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    result = await run_in_threadpool(_sign_in, username, password)
    if result.delay_seconds:
        await asyncio.sleep(result.delay_seconds)
    if result.outcome != Outcome.SIGNED_IN:
        return RedirectResponse(_back(language, sign_in=result.outcome.value), status_code=303)
    response = RedirectResponse(_back(language), status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        result.token or "",
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


def _sign_in(username: str, password: str) -> SignInResult:
    # Two first failures for a new username at once race to insert its throttle row;
    # the loser simply tries again and finds the row.
    for attempt in range(2):
        try:
            with runtime.transaction() as session:
                return sign_in(session, get_settings(), username, password)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


async def logout(request: Request) -> Response:
    token = request.cookies.get(COOKIE_NAME)
    if token:
        await run_in_threadpool(_end, token)
    language = language_from_tag(request.query_params.get("lang"))
    response = RedirectResponse(_back(language, sign_in="signed_out"), status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


def _end(token: str) -> None:
    with runtime.transaction() as session:
        end_session(session, token)


def routes() -> list[Route]:
    return [
        # Not under /auth/: that is where Streamlit serves its own OpenID Connect sign-in.
        Route("/session/login", login, methods=["POST"]),
        Route("/session/logout", logout, methods=["GET", "POST"]),
    ]
