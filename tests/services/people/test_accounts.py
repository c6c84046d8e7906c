"""Staff accounts: first-run administrator, creating and editing users, passwords, email mapping."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core.config import Settings
from parliament_app.core.errors import PermissionDenied, ValidationError
from parliament_app.core.i18n import set_language
from parliament_app.devtools.catalogs import REPO_ROOT, catalog_path
from parliament_app.models import AuditAction, AuditEntry, Organisation, Role, User
from parliament_app.people.accounts import (
    NewUser,
    change_own_password,
    create_first_administrator,
    create_user,
    needs_first_run,
    reset_password,
    update_user,
    user_for_email,
)
from parliament_app.people.sign_in import Outcome, sign_in, user_for_token
from tests.factories import PASSWORD, World

NEW_PASSWORD = "a much better passphrase"
# A user-facing message: a capitalised English sentence ending in a full stop, with no unfilled
# placeholder.
SENTENCE = re.compile(r"^[A-Z][^{}\n]* [^{}\n]*[a-z)][.]$")


def _count_users(db: Session) -> int:
    db.flush()
    return db.scalar(select(func.count()).select_from(User))


def _assert_sentence(error: ValidationError) -> None:
    assert isinstance(error.message, str) and error.message.strip()
    assert SENTENCE.match(error.message), error.message
    assert str(error) == error.message


def _facilitator(username: str, world: World, **changes) -> NewUser:
    fields = {
        "username": username,
        "display_name": "New Person",
        "role": Role.FACILITATOR,
        "password": NEW_PASSWORD,
        "organisation_id": world.ngo.id,
    }
    return NewUser(**{**fields, **changes})


def _update(db: Session, actor: User, user: User, **changes) -> User:
    fields = {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "preferred_language": user.preferred_language,
        "active": user.active,
    }
    return update_user(db, actor, user.id, **{**fields, **changes})


# --- first run -----------------------------------------------------------


def test_first_administrator_on_an_empty_database(db: Session, settings: Settings) -> None:
    assert needs_first_run(db)
    admin = create_first_administrator(
        db,
        NewUser("Founder", "The Founder", Role.ADMINISTRATOR, PASSWORD, "Founder@Example.org"),
    )
    db.flush()
    assert admin.username == "founder" and admin.email == "founder@example.org"
    assert admin.role == Role.ADMINISTRATOR and admin.active
    assert not needs_first_run(db)
    assert sign_in(db, settings, "founder", PASSWORD).outcome == Outcome.SIGNED_IN


def test_first_account_must_be_an_administrator(db: Session) -> None:
    with pytest.raises(ValidationError) as caught:
        create_first_administrator(db, NewUser("someone", "Someone", Role.FACILITATOR, PASSWORD))
    assert caught.value.field == "role"
    _assert_sentence(caught.value)
    assert _count_users(db) == 0 and needs_first_run(db)


def test_first_administrator_only_once(db: Session) -> None:
    create_first_administrator(db, NewUser("founder", "Founder", Role.ADMINISTRATOR, PASSWORD))
    with pytest.raises(ValidationError) as caught:
        create_first_administrator(db, NewUser("second", "Second", Role.ADMINISTRATOR, PASSWORD))
    _assert_sentence(caught.value)
    assert _count_users(db) == 1


def test_no_first_administrator_once_users_exist(db: Session, world: World) -> None:
    before = _count_users(db)
    with pytest.raises(ValidationError):
        create_first_administrator(db, NewUser("intruder", "X", Role.ADMINISTRATOR, PASSWORD))
    assert _count_users(db) == before
    assert db.scalar(select(User).where(User.username == "intruder")) is None


# --- creating users ------------------------------------------------------


def test_admin_creates_a_user_who_can_sign_in(
    db: Session, settings: Settings, world: World
) -> None:
    user = create_user(
        db,
        world.admin,
        NewUser(
            "  New.Coordinator ",
            " New Coordinator ",
            Role.SCHOOL_COORDINATOR,
            NEW_PASSWORD,
            " New@Example.org ",
            world.school.id,
            "sq",
        ),
    )
    db.flush()
    assert (user.username, user.display_name, user.email) == (
        "new.coordinator",
        "New Coordinator",
        "new@example.org",
    )
    assert user.organisation_id == world.school.id and user.preferred_language == "sq"
    assert user.password_hash and NEW_PASSWORD not in user.password_hash
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.CREATE, AuditEntry.record_type == "user"
        )
    )
    assert entry.user_id == world.admin.id and entry.record_id == str(user.id)
    result = sign_in(db, settings, "new.coordinator", NEW_PASSWORD)
    assert result.outcome == Outcome.SIGNED_IN and result.user is user


def test_an_administrator_belongs_to_no_organisation(db: Session, world: World) -> None:
    user = create_user(
        db,
        world.admin,
        NewUser("second.admin", "Second", Role.ADMINISTRATOR, NEW_PASSWORD, None, world.school.id),
    )
    assert user.organisation_id is None


def test_unknown_language_falls_back_to_english(db: Session, world: World) -> None:
    user = create_user(db, world.admin, _facilitator("klingon", world, preferred_language="tlh"))
    assert user.preferred_language == "en"


@pytest.mark.parametrize(
    "actor", ["coordinator", "social_worker", "facilitator", "other_facilitator"]
)
def test_only_administrators_create_users(db: Session, world: World, actor: str) -> None:
    before = _count_users(db)
    with pytest.raises(PermissionDenied):
        create_user(db, getattr(world, actor), _facilitator("sneaky", world))
    assert _count_users(db) == before


def test_an_inactive_administrator_cannot_create_users(db: Session, world: World) -> None:
    world.admin.active = False
    with pytest.raises(PermissionDenied):
        create_user(db, world.admin, _facilitator("sneaky", world))


@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER, Role.FACILITATOR])
@pytest.mark.parametrize("organisation", ["missing", "nonexistent"])
def test_non_admin_roles_need_an_organisation(
    db: Session, world: World, role: Role, organisation: str
) -> None:
    organisation_id = None if organisation == "missing" else 999_999
    before = _count_users(db)
    with pytest.raises(ValidationError) as caught:
        create_user(
            db,
            world.admin,
            _facilitator("orphan", world, role=role, organisation_id=organisation_id),
        )
    assert caught.value.field == "organisation"
    _assert_sentence(caught.value)
    assert _count_users(db) == before


@pytest.mark.parametrize(
    ("role", "organisation", "fits"),
    [
        (Role.SOCIAL_WORKER, "csw", True),
        (Role.SOCIAL_WORKER, "school", False),
        (Role.SOCIAL_WORKER, "ngo", False),
        (Role.SCHOOL_COORDINATOR, "school", True),
        (Role.SCHOOL_COORDINATOR, "csw", False),
        (Role.SCHOOL_COORDINATOR, "ngo", False),
        (Role.FACILITATOR, "ngo", True),
        (Role.FACILITATOR, "school", True),
        (Role.FACILITATOR, "csw", False),
    ],
)
def test_organisation_must_fit_the_role(
    db: Session, world: World, role: Role, organisation: str, fits: bool
) -> None:
    organisation_id = getattr(world, organisation).id
    new = _facilitator("fitting", world, role=role, organisation_id=organisation_id)
    if fits:
        assert create_user(db, world.admin, new).organisation_id == organisation_id
    else:
        before = _count_users(db)
        with pytest.raises(ValidationError) as caught:
            create_user(db, world.admin, new)
        assert caught.value.field == "organisation"
        _assert_sentence(caught.value)
        assert _count_users(db) == before


def test_municipality_organisation_fits_a_facilitator(db: Session, world: World) -> None:
    town_hall = Organisation(
        kind="municipality", name="Town hall", municipality_id=world.municipality.id
    )
    db.add(town_hall)
    db.flush()
    user = create_user(db, world.admin, _facilitator("clerk", world, organisation_id=town_hall.id))
    assert user.organisation_id == town_hall.id


@pytest.mark.parametrize("username", ["coordinator", "Coordinator", "  COORDINATOR  "])
def test_duplicate_username_refused(db: Session, world: World, username: str) -> None:
    before = _count_users(db)
    with pytest.raises(ValidationError) as caught:
        create_user(db, world.admin, _facilitator(username, world))
    assert caught.value.field == "username"
    _assert_sentence(caught.value)
    assert _count_users(db) == before


@pytest.mark.parametrize("email", ["sw@example.org", "SW@Example.ORG", " sw@example.org "])
def test_duplicate_email_refused(db: Session, world: World, email: str) -> None:
    before = _count_users(db)
    with pytest.raises(ValidationError) as caught:
        create_user(db, world.admin, _facilitator("fresh", world, email=email))
    assert caught.value.field == "email"
    _assert_sentence(caught.value)
    assert _count_users(db) == before


def _raw_user(world: World, username: str, email: str | None = None) -> User:
    return User(
        username=username,
        display_name="Raw",
        email=email,
        role=Role.FACILITATOR,
        organisation_id=world.ngo.id,
        preferred_language="en",
        active=True,
    )


@pytest.mark.parametrize("column", ["username", "email"])
def test_database_refuses_a_duplicate_inserted_directly(
    db: Session, world: World, column: str
) -> None:
    duplicate = (
        _raw_user(world, "coordinator")
        if column == "username"
        else _raw_user(world, "unique-name", email="sw@example.org")
    )
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(duplicate)
        db.flush()
    # The savepoint rolled back; the world is intact and a non-duplicate still goes in.
    db.add(_raw_user(world, "really-new", email="new@example.org"))
    db.flush()
    assert _count_users(db) == len(world.users()) + 1


@pytest.fixture
def racing_insert(db: Session, world: World) -> Iterator[dict]:
    """Insert a row with the same username right before the service's own flush, as a concurrent
    request would between the service's duplicate check and its insert."""
    state = {"fired": False}

    def before_flush(session: Session, _context, _instances) -> None:
        racing = [obj for obj in session.new if isinstance(obj, User)]
        if racing and not state["fired"]:
            state["fired"] = True
            session.connection().execute(
                insert(User.__table__).values(
                    username=racing[0].username,
                    display_name="Racer",
                    role=Role.FACILITATOR,
                    organisation_id=world.ngo.id,
                    preferred_language="en",
                    active=True,
                )
            )

    event.listen(db, "before_flush", before_flush)
    try:
        yield state
    finally:
        event.remove(db, "before_flush", before_flush)


def test_a_concurrent_duplicate_is_refused_as_a_validation_error(
    db: Session, world: World, racing_insert: dict
) -> None:
    with pytest.raises(ValidationError) as caught:
        create_user(db, world.admin, _facilitator("racer", world))
    assert racing_insert["fired"]
    assert caught.value.field == "username"
    assert isinstance(caught.value.__cause__, IntegrityError)
    _assert_sentence(caught.value)


@pytest.mark.parametrize(
    "username",
    ["ab", "-leading-dash", ".dot", "has space", "x" * 41, "ümlaut", "semi;colon", ""],
)
def test_bad_username_refused(db: Session, world: World, username: str) -> None:
    before = _count_users(db)
    with pytest.raises(ValidationError) as caught:
        create_user(db, world.admin, _facilitator(username, world))
    assert caught.value.field == "username"
    _assert_sentence(caught.value)
    assert _count_users(db) == before


@pytest.mark.parametrize(
    "email", ["no-at-sign", "a@b", "two@@example.org", "sp ace@example.org", "@example.org"]
)
def test_bad_email_refused(db: Session, world: World, email: str) -> None:
    before = _count_users(db)
    with pytest.raises(ValidationError) as caught:
        create_user(db, world.admin, _facilitator("emailer", world, email=email))
    assert caught.value.field == "email"
    _assert_sentence(caught.value)
    assert _count_users(db) == before


@pytest.mark.parametrize(
    "password", ["short", "123456789", "12345678901234", "aaaaaaaaaaaa", "AaAaAaAaAaAa"]
)
def test_weak_password_refused(db: Session, world: World, password: str) -> None:
    before = _count_users(db)
    with pytest.raises(ValidationError) as caught:
        create_user(db, world.admin, _facilitator("weakling", world, password=password))
    assert caught.value.field == "password"
    _assert_sentence(caught.value)
    assert _count_users(db) == before


def test_blank_display_name_refused(db: Session, world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        create_user(db, world.admin, _facilitator("nameless", world, display_name="   "))
    assert caught.value.field == "display_name"
    _assert_sentence(caught.value)


# --- updating users ------------------------------------------------------


def test_admin_cannot_demote_self(db: Session, world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _update(db, world.admin, world.admin, role=Role.FACILITATOR, organisation_id=world.ngo.id)
    _assert_sentence(caught.value)
    db.refresh(world.admin)
    assert world.admin.role == Role.ADMINISTRATOR


def test_admin_cannot_deactivate_self(db: Session, settings: Settings, world: World) -> None:
    token = sign_in(db, settings, "admin", PASSWORD).token
    with pytest.raises(ValidationError) as caught:
        _update(db, world.admin, world.admin, active=False)
    _assert_sentence(caught.value)
    db.refresh(world.admin)
    assert world.admin.active
    assert user_for_token(db, token) is world.admin


def test_admin_can_edit_own_details(db: Session, world: World) -> None:
    _update(db, world.admin, world.admin, display_name="Chief", preferred_language="mk")
    assert world.admin.display_name == "Chief" and world.admin.preferred_language == "mk"


def test_update_user_changes_and_audits(db: Session, world: World) -> None:
    _update(
        db,
        world.admin,
        world.facilitator,
        display_name=" Renamed Facilitator ",
        email="Fac@Example.org",
        organisation_id=world.school.id,
    )
    db.flush()
    assert world.facilitator.display_name == "Renamed Facilitator"
    assert world.facilitator.email == "fac@example.org"
    assert world.facilitator.organisation_id == world.school.id
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.UPDATE,
            AuditEntry.record_id == str(world.facilitator.id),
        )
    )
    assert entry.detail["changed"] == ["display_name", "email", "organisation_id"]


def test_update_user_refuses_someone_elses_email(db: Session, world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _update(db, world.admin, world.facilitator, email="SW@example.org")
    assert caught.value.field == "email"
    db.refresh(world.facilitator)
    assert world.facilitator.email is None


def test_update_user_checks_the_organisation_fits(db: Session, world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _update(db, world.admin, world.coordinator, role=Role.SOCIAL_WORKER)
    assert caught.value.field == "organisation"
    db.refresh(world.coordinator)
    assert world.coordinator.role == Role.SCHOOL_COORDINATOR


def test_non_admin_cannot_update_users(db: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        _update(db, world.coordinator, world.coordinator, role=Role.ADMINISTRATOR)
    db.refresh(world.coordinator)
    assert world.coordinator.role == Role.SCHOOL_COORDINATOR


# --- passwords -----------------------------------------------------------


def test_reset_password_ends_sessions(db: Session, settings: Settings, world: World) -> None:
    token = sign_in(db, settings, "coordinator", PASSWORD).token
    db.flush()
    assert user_for_token(db, token) is world.coordinator

    reset_password(db, world.admin, world.coordinator.id, NEW_PASSWORD)
    db.flush()

    assert user_for_token(db, token) is None
    assert sign_in(db, settings, "coordinator", PASSWORD).outcome == Outcome.INVALID
    assert sign_in(db, settings, "coordinator", NEW_PASSWORD).outcome == Outcome.SIGNED_IN


def test_reset_password_refuses_a_weak_one_and_keeps_sessions(
    db: Session, settings: Settings, world: World
) -> None:
    token = sign_in(db, settings, "coordinator", PASSWORD).token
    with pytest.raises(ValidationError) as caught:
        reset_password(db, world.admin, world.coordinator.id, "1234567890")
    _assert_sentence(caught.value)
    db.flush()
    assert user_for_token(db, token) is world.coordinator
    assert sign_in(db, settings, "coordinator", PASSWORD).outcome == Outcome.SIGNED_IN


def test_only_administrators_reset_passwords(db: Session, settings: Settings, world: World) -> None:
    with pytest.raises(PermissionDenied):
        reset_password(db, world.coordinator, world.facilitator.id, NEW_PASSWORD)
    assert sign_in(db, settings, "facilitator", PASSWORD).outcome == Outcome.SIGNED_IN


def test_change_own_password_checks_the_current_one(
    db: Session, settings: Settings, world: World
) -> None:
    with pytest.raises(ValidationError) as caught:
        change_own_password(db, world.coordinator, "not my password", NEW_PASSWORD)
    assert caught.value.field == "current_password"
    _assert_sentence(caught.value)
    assert sign_in(db, settings, "coordinator", PASSWORD).outcome == Outcome.SIGNED_IN
    assert sign_in(db, settings, "coordinator", NEW_PASSWORD).outcome == Outcome.INVALID


def test_change_own_password(db: Session, settings: Settings, world: World) -> None:
    change_own_password(db, world.coordinator, PASSWORD, NEW_PASSWORD)
    assert sign_in(db, settings, "coordinator", PASSWORD).outcome == Outcome.INVALID
    assert sign_in(db, settings, "coordinator", NEW_PASSWORD).outcome == Outcome.SIGNED_IN


def test_change_own_password_refuses_a_weak_new_one(
    db: Session, settings: Settings, world: World
) -> None:
    with pytest.raises(ValidationError) as caught:
        change_own_password(db, world.coordinator, PASSWORD, "short")
    assert caught.value.field == "password"
    assert sign_in(db, settings, "coordinator", PASSWORD).outcome == Outcome.SIGNED_IN


# --- identity-provider email mapping -------------------------------------


@pytest.mark.parametrize("email", ["sw@example.org", "  SW@Example.ORG "])
def test_user_for_email_maps_an_active_user(db: Session, world: World, email: str) -> None:
    assert user_for_email(db, email) is world.social_worker


@pytest.mark.parametrize("email", [None, "", "stranger@example.org"])
def test_user_for_email_never_creates_a_user(db: Session, world: World, email: str | None) -> None:
    before = _count_users(db)
    assert user_for_email(db, email) is None
    assert _count_users(db) == before


def test_user_for_email_ignores_inactive_users(db: Session, world: World) -> None:
    world.social_worker.active = False
    db.flush()
    assert user_for_email(db, "sw@example.org") is None


# --- translation ---------------------------------------------------------

MSGID_BAD_EMAIL = "This email address does not look right."


def _serbian_msgstr(msgid: str) -> str:
    from babel.messages.pofile import read_po

    path = catalog_path(REPO_ROOT, "sr")
    if not path.exists():
        pytest.skip(f"no Serbian catalog at {path.relative_to(REPO_ROOT)} yet")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    message = catalog.get(msgid)
    if message is None or not message.string or message.fuzzy:
        pytest.skip(f"the Serbian catalog has no translation of {msgid!r} yet")
    return message.string


def test_validation_messages_follow_the_language(db: Session, world: World) -> None:
    translated = _serbian_msgstr(MSGID_BAD_EMAIL)
    set_language("sr")
    with pytest.raises(ValidationError) as caught:
        create_user(db, world.admin, _facilitator("emailer", world, email="not-an-email"))
    assert caught.value.message == translated
    assert caught.value.message != MSGID_BAD_EMAIL
