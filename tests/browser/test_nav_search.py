"""The top bar's search in a real browser: its list of matches closes like a menu, on a click elsewhere
and when the keyboard focus leaves the search, and comes back when the box is focused again."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accord.demo import DEMO_ORG_NAME, DEMO_ORG_SLUG, DEMO_PASSWORD, people
from accord.orgs.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_search_matches_close_on_a_click_elsewhere_and_when_the_focus_leaves(
    browser, live, settings, shots
):
    settings.DEMO = True
    org = Organisation.objects.create(name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG)
    cast = people.build_people(org, today=timezone.localdate(), password_hash=make_password(DEMO_PASSWORD))
    someone = cast.by_key["l1_lead"]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live.url + "/accounts/login/")
    page.click("button[data-demo=member]")
    page.wait_for_url(live.url + "/")
    results = page.locator("#nav-search-results")
    match = page.locator("#nav-search-results a", has_text=someone.name).first

    page.fill("#nav-search-q", someone.name)
    match.wait_for()
    page.screenshot(path=shots / "nav-search-open.png")
    page.mouse.click(1100, 600)  # on the page, right of the list that hangs under the box
    results.wait_for(state="hidden")
    assert results.inner_html() == ""

    page.focus("#nav-search-q")  # back in the box: the same matches again
    match.wait_for()
    # Keyboard: Tab through the matches and on out of the search, into the links of the top bar.
    count = page.locator("#nav-search-results a").count()
    for _ in range(count):
        page.keyboard.press("Tab")
        assert results.is_visible()
    page.keyboard.press("Tab")
    results.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.closest('.nav-search')") is None

    # A match is still followed with a click (the list does not close under the pointer first).
    page.focus("#nav-search-q")
    match.click()
    page.wait_for_url(live.url + f"/people/{someone.pk}/")
    context.close()
