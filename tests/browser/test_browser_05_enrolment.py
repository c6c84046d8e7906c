"""A school imports its pupil register and signs the pupils up; the roster composer proposes a
mixed roster (the enrolment page is still being built: that test runs once it lands)."""

from datetime import date

from playwright.sync_api import expect

from conftest import needs_page  # noqa: I001  (tests/browser/conftest.py)
from parliament_app.screenshots import open_page, wait_idle

YEAR = date.today().year
REGISTER = (
    "Spisak učenika 2025/26\n"
    "Ime;Prezime;Datum rođenja;Pol;Razred;Roditelj;Telefon\n"
    f"Testomir;Probić;12.03.{YEAR - 11};M;5-1;Milena Probić;061 111 222\n"
    f"Testana;Probić;02.11.{YEAR - 12};Ž;6-2;Milena Probić;061 111 222\n"
    f"Oglenka;Uzorković;21.06.{YEAR - 11};Ž;5-1;Dragan Uzorković;062 333 444\n"
)


def test_school_imports_a_register_file(signed_in, tmp_path) -> None:
    register = tmp_path / "register-5.csv"
    register.write_bytes(REGISTER.encode("cp1250"))  # as Excel on a Serbian Windows saves it
    page = signed_in("school", "en")
    open_page(page, "/pupil_import?lang=en")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(register))
    expect(page.get_by_text("Preview")).to_be_visible(timeout=30_000)
    wait_idle(page)
    metrics = page.locator("[data-testid=stMetric]")
    expect(metrics.filter(has_text="Pupils to import")).to_contain_text("3")
    expect(metrics.filter(has_text="Rows with problems")).to_contain_text("0")
    page.get_by_role("button", name="Import 3 pupils").click()
    wait_idle(page)
    # without the guardian's consent nothing is imported, and the page says why
    alert = page.locator("[data-testid=stAlertContentError]").first
    expect(alert).to_be_visible()
    page.locator("[data-testid=stCheckbox]").filter(has_text="signed consent").locator(
        "label"
    ).click()
    page.get_by_role("button", name="Import 3 pupils").click()
    expect(page.get_by_text("3 pupils imported; 0 were already there.")).to_be_visible(
        timeout=60_000
    )

    open_page(page, "/children?lang=en")
    page.get_by_label("Search by name", exact=True).fill("Probić")
    page.get_by_label("Search by name", exact=True).press("Enter")
    wait_idle(page)
    expect(page.get_by_text("2 of 2 children")).to_be_visible()


@needs_page("enrolment")
def test_school_signs_pupils_up_and_the_composer_proposes_a_mixed_roster(signed_in) -> None:
    """Written against the issue: a coordinator signs pupils up to a group, and the composer on
    the enrolment page proposes a roster that mixes communities, schools and ages."""
    page = signed_in("school", "en")
    open_page(page, "/enrolment?lang=en")
    group = page.get_by_label("Group", exact=True)
    group.click()
    page.get_by_role("option", name="Football for All").click()
    wait_idle(page)
    page.get_by_role("button", name="Sign up").first.click()
    wait_idle(page)
    expect(page.locator("[data-testid=stAlertContentSuccess]").first).to_be_visible()

    facilitator = signed_in("facilitator", "en")
    open_page(facilitator, "/enrolment?lang=en")
    facilitator.get_by_role("button", name="Propose a roster").click()
    wait_idle(facilitator, 60_000)
    text = facilitator.inner_text("[data-testid=stMain]")
    assert "mix" in text.lower()
