"""Who is acting: a signed-in staff ``User``, or the ``OPERATOR`` at the server's command line.

The audit log names the user, and "anonymous" for the operator and for children's devices.

A service that the command line may call takes an ``Actor``; the policy grants the operator
what the command line needs and nothing reaches it from a page, because only ``parliament_app.cli``
passes ``OPERATOR``. A missing user (``None``) is never an actor: it is refused like a stranger,
so forgetting to pass the signed-in user can never grant everything by accident.

Children and guardians act without accounts: their pages hold a token or a code (a quiz player's
token, a rotating check-in code), which the services check themselves; they never stand for a
user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from parliament_app.models import User


@dataclass(frozen=True)
class Operator:
    """Someone with a shell on the server, running ``parliament``: trusted with every record
    (they could read the database directly), audited like anyone else."""


OPERATOR = Operator()

Actor = User | Operator


def is_operator(actor: object) -> TypeGuard[Operator]:
    return isinstance(actor, Operator)


def is_active_user(actor: object) -> TypeGuard[User]:
    """A signed-in staff account that is still active (never ``None``, never the operator)."""
    return isinstance(actor, User) and actor.active


def account_id(actor: Actor | None) -> int | None:
    """The id of the account acting, for ``*_by_id`` columns: none for the operator or a device."""
    return actor.id if isinstance(actor, User) else None
