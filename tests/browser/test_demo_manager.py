"""A new user's first minutes: the demo manager signs in, opens the team page and sees local times."""

import re
from urllib.parse import urlsplit

import pytest

from accord.demo import DEMO_ACCOUNTS, generate_demo
from accord.orgs.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_demo_manager_sees_the_team_with_local_times(browser, live, settings, shots, size):
    settings.DEMO = True
    generate_demo()
    manager = Person.objects.select_related("team").get(email=DEMO_ACCOUNTS["manager"])
    origin = urlsplit(live.url)
    requests: list[str] = []
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))

    page.goto(live.url + "/")
    assert page.url.endswith("/accounts/login/?next=/")
    page.screenshot(path=shots / f"sign-in-{size}.png", full_page=True)
    page.click("button[data-demo=manager]")
    page.wait_for_url(live.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Hello, {manager.name}"
    page.screenshot(path=shots / f"home-{size}.png", full_page=True)

    if size == "phone":
        # The menu folds away on a phone; it opens from the keyboard as well as by touch.
        page.focus("#nav-toggle")
        page.keyboard.press("Space")
    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("link", name=manager.team.name, exact=True).first.click()
    page.wait_for_url(re.compile(r".*/teams/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == manager.team.name
    rows = page.locator("table tbody tr")
    members = Person.objects.filter(team=manager.team, is_active=True).count()
    assert rows.count() == members
    # Every row shows a local time ("Mon 14:05") and the person's zone.
    times = page.locator("td[data-label='Local time']").all_inner_texts()
    assert len(times) == members
    assert all(re.match(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d \S+/\S+", t) for t in times), times
    zones = {t.split()[2] for t in times}
    assert len(zones) >= 3, zones
    page.screenshot(path=shots / f"team-{size}.png", full_page=True)

    page.goto(live.url + "/people/")
    page.screenshot(path=shots / f"directory-{size}.png", full_page=True)

    # The personal menu holds My page, the organisation and signing out; it opens from the keyboard too.
    if size == "phone":
        page.focus("#nav-toggle")
        page.keyboard.press("Space")
    page.locator(".nav-menu summary").focus()
    page.keyboard.press("Enter")
    assert page.locator(".nav-menu .org-name").inner_text() == manager.org.name
    page.screenshot(path=shots / f"nav-menu-{size}.png")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    context.close()

    foreign = [u for u in requests if urlsplit(u).netloc != origin.netloc and not u.startswith("data:")]
    assert foreign == []
    assert any("/static/accord/accord.css" in u for u in requests)


def test_keyboard_only_sign_in_with_password(browser, live, settings, shots):
    from accord.demo import DEMO_PASSWORD

    settings.DEMO = False
    generate_demo()
    context = browser.new_context(viewport=VIEWPORTS["laptop"])
    page = context.new_page()
    page.goto(live.url + "/accounts/login/")
    page.keyboard.type(DEMO_ACCOUNTS["member"])  # the email field has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password!")
    page.keyboard.press("Enter")
    page.wait_for_selector(".field-error")
    assert "do not match" in page.locator(".field-error").inner_text()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Email").fill(DEMO_ACCOUNTS["member"])
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(live.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello, ")
    context.close()
