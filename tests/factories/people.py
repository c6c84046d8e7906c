"""Users of every role, all with one known password."""

from __future__ import annotations

from sqlalchemy.orm import Session

from parliament_app.models import (
    Organisation,
    Role,
    User,
)
from parliament_app.people.passwords import hash_password

PASSWORD = "correct horse battery"


_HASH: str | None = None


def password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def make_user(
    session: Session,
    username: str,
    role: Role,
    organisation: Organisation | None,
    email: str | None = None,
    active: bool = True,
) -> User:
    user = User(
        username=username,
        display_name=username.replace("_", " ").title(),
        role=role,
        organisation_id=organisation.id if organisation else None,
        email=email,
        password_hash=password_hash(),
        active=active,
        preferred_language="en",
    )
    session.add(user)
    session.flush()
    return user
