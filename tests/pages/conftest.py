"""Page tests (Streamlit's AppTest) run on SQLite only: the pages do not depend on the engine."""

from __future__ import annotations

import pytest

from tests.factories import World


@pytest.fixture
def world(app_world: World) -> World:
    """The factories' world, committed, with the app pointed at the test database."""
    return app_world
