"""The diversity page warns before a group turns into a ghetto."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from parliament_app.models import Community
from tests.factories import World
from tests.factories.groups import add_group
from tests.pages.app import (
    PAGES,
    signed_in_app,
)


@pytest.mark.parametrize("who", ["admin", "facilitator", "coordinator"])
def test_diversity_page_warns_about_a_ghetto(db: Session, world: World, who: str) -> None:
    add_group(db, world, "Club R", [(f"R{i}", Community.ROMA) for i in range(10)])
    add_group(db, world, "Club S", [(f"S{i}", Community.SERBIAN) for i in range(30)])
    db.commit()
    app = signed_in_app(db, world.users()[who])
    app.switch_page(PAGES.format("diversity")).run()
    assert not app.exception
    warnings = [warning.value for warning in app.warning]
    assert any("Club R" in text and "Group not mixed" in text for text in warnings)
    assert any("more separated than chance" in text for text in warnings)
    assert any("2,000 random allocations" in caption.value for caption in app.caption)
    assert not any("Club S" in text and "Group not mixed" in text for text in warnings)
    assert any("Club S" in text and "one category" in text for text in warnings)


def test_a_programme_of_many_flagged_groups_warns_about_the_most_urgent(
    db: Session, world: World
) -> None:
    for number in range(23):
        add_group(
            db, world, f"Club {number:02}", [(f"C{number}-{i}", Community.ROMA) for i in range(6)]
        )
    add_group(db, world, "Club S", [(f"S{i}", Community.SERBIAN) for i in range(30)])
    db.commit()
    app = signed_in_app(db, world.admin)
    app.switch_page(PAGES.format("diversity")).run()
    assert not app.exception
    warned = {warning.value.split("**")[1] for warning in app.warning if "**" in warning.value}
    assert len(warned) == 20
    assert all(
        name.startswith("Club 0") or name.startswith("Club 1") or name.startswith("Club 2")
        for name in warned
    )  # ghetto risks before the all-Serbian club's "one category"
    assert any("4 more flagged groups" in info.value for info in app.info)
