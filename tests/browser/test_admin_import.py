"""An admin checks a CSV with mistakes in the browser: every bad row is listed and nothing changes."""

import pytest

from accord.demo import generate_demo
from accord.orgs.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_CSV = (
    "email,name,team,manager_email,timezone,work_hours,start_date\n"
    "new.one@wonderful.example,New One,Support/Level 1,lena.fischer@wonderful.example,"
    "Europe/Berlin,09:00-17:00,2026-01-05\n"
    "not-an-email,Broken Row,Support/Level 1,,Europe/Berlin,09:00-17:00,2026-01-05\n"
    "new.two@wonderful.example,New Two,Nowhere,,Mars/Olympus,17:00-09:00,2026-13-01\n"
)


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_admin_dry_run_lists_bad_rows(browser, live, settings, shots, tmp_path, size):
    from tests.browser.test_demo_manager import VIEWPORTS

    settings.DEMO = True
    generate_demo()
    before = Person.objects.count()
    upload = tmp_path / "people.csv"
    upload.write_text(BAD_CSV)
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.goto(live.url + "/accounts/login/")
    page.click("button[data-demo=admin]")
    page.wait_for_url(live.url + "/")
    page.goto(live.url + "/people/import/")
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("table")
    text = page.inner_text("main")
    for expected in ["not-an-email", "Nowhere", "Mars/Olympus"]:
        assert expected in text, expected
    page.screenshot(path=shots / f"import-errors-{size}.png", full_page=True)
    assert Person.objects.count() == before
    page.goto(live.url + "/settings/tokens/")
    page.screenshot(path=shots / f"tokens-{size}.png", full_page=True)
    context.close()
