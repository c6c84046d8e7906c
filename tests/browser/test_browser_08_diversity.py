"""The diversity report flags the demo group drawn from one community, in words and an icon."""

from playwright.sync_api import expect

from parliament_app.devtools.screenshots import open_page, wait_idle


def test_diversity_report_shows_the_flagged_group(signed_in) -> None:
    page = signed_in("facilitator", "en")
    open_page(page, "/diversity?lang=en", timeout=120_000)
    wait_idle(page, 120_000)
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_text("Homework Club Donja Mahala").first).to_be_visible()
    flagged = main.get_by_text("Group not mixed").or_(
        main.get_by_text("Everyone in the group belongs to one category")
    )
    expect(flagged.first).to_be_visible()
    # colour is never the only signal: the flag carries an icon and words
    assert "⚠️" in main.inner_text()
