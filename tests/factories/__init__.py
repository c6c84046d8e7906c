"""Synthetic test data, one module per area. ``build_world`` makes the small world most tests
start from: one municipality with schools, centres and an NGO, a user of every role, and
children placed so every permission rule has a case on each side."""

from tests.factories.children import make_child
from tests.factories.people import PASSWORD, make_user, password_hash
from tests.factories.world import World, build_world

__all__ = ["PASSWORD", "World", "build_world", "make_child", "make_user", "password_hash"]
