"""Staff accounts: first-run administrator, creating and editing users, passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.actors import Actor, is_operator
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import LANGUAGE_NAMES, _
from parliament_app.models import AuditAction, Organisation, Role, User
from parliament_app.people.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from parliament_app.people.sign_in import end_all_sessions
from parliament_app.policy.access import ROLE_ORGANISATION_KINDS, Action, require

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: Role
    password: str | None = None
    email: str | None = None
    organisation_id: int | None = None
    preferred_language: str = "en"


def needs_first_run(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(User))


def create_first_administrator(session: Session, new: NewUser) -> User:
    """The one-time set-up: only while the database has no users at all."""
    if not needs_first_run(session):
        raise ValidationError(_("The administrator has already been created. Please sign in."))
    if new.role != Role.ADMINISTRATOR:
        raise ValidationError(_("The first account must be an administrator."), "role")
    return _insert_user(session, None, new)


def create_user(session: Session, actor: Actor, new: NewUser) -> User:
    """Create a staff account (an administrator, or the operator at the command line)."""
    if not is_operator(actor):
        require(session, actor, Action.MANAGE_USERS)
    return _insert_user(session, actor, new)


def _insert_user(session: Session, actor: User | None, new: NewUser) -> User:
    username = new.username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise ValidationError(
            _(
                "A username has 3 to 40 characters: lowercase letters, digits, dot, dash or "
                "underscore, starting with a letter or digit."
            ),
            "username",
        )
    if not new.display_name.strip():
        raise ValidationError(_("Please enter the person's name."), "display_name")
    email = _clean_email(new.email)
    _check_organisation(session, new.role, new.organisation_id)
    if new.password is not None:
        check_password_strength(new.password)
    if session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise ValidationError(_("This username is already taken."), "username")
    if email and session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise ValidationError(_("Another account already uses this email address."), "email")
    user = User(
        username=username,
        display_name=new.display_name.strip(),
        email=email,
        role=new.role,
        organisation_id=new.organisation_id if new.role != Role.ADMINISTRATOR else None,
        preferred_language=_language(new.preferred_language),
        password_hash=hash_password(new.password) if new.password else None,
        active=True,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent request took the username or email meanwhile
        raise ValidationError(_("This username is already taken."), "username") from exc
    audit.record(session, actor, AuditAction.CREATE, "user", user.id, role=user.role.value)
    return user


def list_users(session: Session, actor: User) -> list[User]:
    require(session, actor, Action.MANAGE_USERS)
    return list(session.scalars(select(User).order_by(User.active.desc(), User.username)))


def update_user(
    session: Session,
    actor: User,
    user_id: int,
    *,
    display_name: str,
    email: str | None,
    role: Role,
    organisation_id: int | None,
    preferred_language: str,
    active: bool,
) -> User:
    require(session, actor, Action.MANAGE_USERS)
    user = _get(session, user_id)
    if user.id == actor.id and (not active or role != Role.ADMINISTRATOR):
        raise ValidationError(_("You cannot deactivate or demote your own account."))
    if not display_name.strip():
        raise ValidationError(_("Please enter the person's name."), "display_name")
    _check_organisation(session, role, organisation_id)
    clean_email = _clean_email(email)
    if clean_email and session.scalar(
        select(User.id).where(func.lower(User.email) == clean_email, User.id != user.id)
    ):
        raise ValidationError(_("Another account already uses this email address."), "email")
    new_values = {
        "display_name": display_name.strip(),
        "email": clean_email,
        "role": role,
        "organisation_id": organisation_id if role != Role.ADMINISTRATOR else None,
        "preferred_language": _language(preferred_language),
        "active": active,
    }
    changed = sorted(name for name, value in new_values.items() if getattr(user, name) != value)
    for name, value in new_values.items():
        setattr(user, name, value)
    if not active:
        end_all_sessions(session, user)
    audit.record(session, actor, AuditAction.UPDATE, "user", user.id, changed=changed)
    return user


def reset_password(session: Session, actor: Actor, user_id: int, new_password: str) -> None:
    """An administrator (or operator) sets a new password; the user's sessions end."""
    if not is_operator(actor):
        require(session, actor, Action.MANAGE_USERS)
    user = _get(session, user_id)
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    end_all_sessions(session, user)
    audit.record(session, actor, AuditAction.UPDATE, "user", user.id, changed=["password"])


def change_own_password(session: Session, user: User, current: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ValidationError(_("The current password is not correct."), "current_password")
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    audit.record(session, user, AuditAction.UPDATE, "user", user.id, changed=["password"])


def set_preferred_language(session: Session, user: User, language: str) -> None:
    user.preferred_language = _language(language)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("A password needs at least {count} characters.").format(count=MIN_PASSWORD_LENGTH),
            "password",
        )
    if password.isdigit() or password.lower() == password.lower()[0] * len(password):
        raise ValidationError(_("This password is too easy to guess."), "password")


def _check_organisation(session: Session, role: Role, organisation_id: int | None) -> None:
    if role == Role.ADMINISTRATOR:
        return
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        raise ValidationError(_("Please choose the person's organisation."), "organisation")
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise ValidationError(
            _(
                "This role does not fit that kind of organisation (for example, social workers "
                "belong to a centre for social work)."
            ),
            "organisation",
        )


def _clean_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    if email and not EMAIL_PATTERN.match(email):
        raise ValidationError(_("This email address does not look right."), "email")
    return email or None


def _language(language: str) -> str:
    return language if language in LANGUAGE_NAMES else "en"


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def user_for_email(session: Session, email: str | None) -> User | None:
    """The active user an identity provider's verified email maps to; never creates one."""
    if not email:
        return None
    return session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.active.is_(True))
    )
