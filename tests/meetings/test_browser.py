"""The demo manager's 1:1 pages in a real browser, on a laptop and on a phone, with screenshots."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accord.demo import people
from accord.demo.meetings import build_meetings
from accord.meetings.models import OneOnOneSeries
from accord.orgs.models import Organisation
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo():
    org = Organisation.objects.create(name="Wonderful Websites", slug="wonderful")
    cast = people.build_people(org, today=timezone.localdate(), password_hash=make_password(PASSWORD))
    build_meetings(cast)
    return cast


WIDEST = """(root) => [...document.querySelectorAll(root + ' *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""


def no_sideways_scroll(page, root="body"):
    wide = page.evaluate(WIDEST, root)
    assert wide == [], "\n".join(wide)


def sign_in(page, live, email):
    page.goto(live.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(live.url + "/")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_the_manager_runs_a_1on1(browser, live, shots, demo, size):
    lead = demo.by_key["l1_lead"]
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    sign_in(page, live, lead.email)

    page.goto(live.url + "/one-on-ones/")
    rows = page.locator("table.oo-list tbody tr")
    assert rows.count() == OneOnOneSeries.objects.filter(manager=lead).count() + 1  # and one with her manager
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"one-on-ones-{size}.png", full_page=True)

    page.locator("table.oo-list tbody tr td a").first.click()
    page.wait_for_url(re.compile(r".*/one-on-ones/\d+/$"))
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"one-on-one-{size}.png", full_page=True)
    page.get_by_label("Add to the agenda").fill("How the weekend handoffs went")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_selector("text=How the weekend handoffs went")
    page.locator("#questions button", has_text="Add to agenda").first.click()
    page.wait_for_load_state()
    page.get_by_role("textbox", name="My private note").fill("Ask how the new rota feels.")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_selector("text=Only you can read it")
    page.screenshot(path=shots / f"one-on-one-after-{size}.png", full_page=True)

    page.locator(".oo-history a").first.click()
    page.wait_for_url(re.compile(r".*/one-on-ones/meeting/\d+/$"))
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"one-on-one-meeting-{size}.png", full_page=True)

    # 06:00 is before anyone's working day here: the picker warns, live, as the time changes.
    page.goto(live.url + "/one-on-ones/new/")
    page.screenshot(path=shots / f"one-on-one-new-{size}.png", full_page=True)
    page.get_by_label("Time").fill("06:00")
    page.get_by_label("Time").dispatch_event("change")
    page.wait_for_selector(".oo-preview .message-warning")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"one-on-one-new-warning-{size}.png", full_page=True)

    report = demo.reports(lead)[0]
    page.goto(live.url + f"/people/{report.pk}/")
    page.wait_for_selector("#oo-panel-h")
    no_sideways_scroll(page, ".oo-panel")  # the rest of the person page is not ours
    page.screenshot(path=shots / f"one-on-one-person-panel-{size}.png", full_page=True)
    context.close()
