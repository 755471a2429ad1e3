"""Coffee chats and Working with me in a real browser, on a laptop and on a phone, with screenshots."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accord.connect.models import CoffeeGroup, CoffeeGroupMember, Met
from accord.demo import people
from accord.demo.connect import build_connect
from accord.orgs.models import Organisation
from tests.factories import PASSWORD
from tests.meetings.test_browser import VIEWPORTS, no_sideways_scroll, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    org = Organisation.objects.create(name="Wonderful Websites", slug="wonderful")
    cast = people.build_people(org, today=timezone.localdate(), password_hash=make_password(PASSWORD))
    build_connect(cast)
    return cast


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_a_member_opens_their_introduction_and_a_profile(browser, live, shots, demo, size):
    tomas = demo.by_key["l1_member"]
    group = CoffeeGroup.objects.filter(members__person=tomas).order_by("-round__number").first()
    others = [s.person for s in group.members.select_related("person") if s.person_id != tomas.pk]
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    sign_in(page, live, tomas.email)

    # From the home page's coffee panel to the introduction.
    page.get_by_role("link", name="Open the introduction").click()
    page.wait_for_url(f"{live.url}/coffee/chats/{group.pk}/")
    assert page.get_by_role("heading", name="Times when you're all at work").is_visible()
    for other in others:
        assert page.locator(".connect-people").get_by_role("link", name=other.name).first.is_visible()
    assert page.locator(".connect-question").first.inner_text().startswith("“")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"coffee-intro-{size}.png", full_page=True)

    # Did you meet? (the demo's latest round is this week's)
    page.get_by_label("Yes, we met").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live.url}/coffee/chats/{group.pk}/")
    assert page.get_by_text("You said: Yes, we met.").is_visible()
    assert CoffeeGroupMember.objects.get(group=group, person=tomas).met == Met.YES

    # The other person's Working with me page, hours in both zones.
    page.locator(".connect-people").get_by_role("link", name=others[0].name).first.click()
    page.wait_for_url(f"{live.url}/working-with-me/{others[0].pk}/")
    assert page.get_by_role("heading", name=f"Working with {others[0].name}").is_visible()
    assert page.get_by_text("Your time", exact=True).is_visible()
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"working-with-me-other-{size}.png", full_page=True)

    # Tomás's own, written in the demo.
    page.goto(f"{live.url}/working-with-me/{tomas.pk}/")
    assert page.get_by_text("I do my best thinking").is_visible()
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"working-with-me-{size}.png", full_page=True)

    page.goto(f"{live.url}/coffee/")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"coffee-{size}.png", full_page=True)
    context.close()


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_the_admin_sees_connections_across_departments(browser, live, shots, demo, size):
    grace = demo.by_key["people_admin"]
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    sign_in(page, live, grace.email)
    page.goto(f"{live.url}/coffee/settings/")
    table = page.locator("table.connect-matrix")
    assert table.locator("thead th").count() == 9  # the label column and eight rounds
    assert table.locator("tbody tr").first.locator("th").inner_text().count(" · ") == 1
    no_sideways_scroll(page, ".page-header")
    page.screenshot(path=shots / f"coffee-admin-{size}.png", full_page=True)
    page.locator("table.connect-matrix thead a").last.click()
    assert page.get_by_role("heading", name="Not paired this round").is_visible()
    no_sideways_scroll(page, ".page-header")
    page.screenshot(path=shots / f"coffee-round-{size}.png", full_page=True)
    context.close()


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_an_introduction_across_time_zones(browser, live, shots, demo, size):
    """The latest round's group whose people are furthest apart in UTC offset, as one of them sees it."""
    now = timezone.now()
    latest = CoffeeGroup.objects.filter(org=demo.org).order_by("-round__number").first().round
    groups = list(CoffeeGroup.objects.filter(round=latest).prefetch_related("members__person"))

    def spread(group):
        offsets = [now.astimezone(s.person.zone).utcoffset() for s in group.members.all()]
        return max(offsets) - min(offsets)

    group = max(groups, key=spread)
    seats = list(group.members.all())
    assert spread(group).total_seconds() >= 3 * 3600
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    sign_in(page, live, seats[0].person.email)
    page.goto(f"{live.url}/coffee/chats/{group.pk}/")
    cells = page.locator("table.connect-slots tbody tr").first.locator("td")
    assert cells.count() == len(seats)
    assert len({cells.nth(i).inner_text() for i in range(cells.count())}) == len(
        seats
    )  # each in their own time
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"coffee-intro-zones-{size}.png", full_page=True)
    context.close()
