"""Time-zone pages in a real browser on a laptop and a phone, with the demo company's people."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accord.demo import people
from accord.demo.rhythm import build_rhythm
from accord.orgs.models import Organisation
from accord.rhythm.models import RecurringMeeting
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

WIDEST = """(root) => [...document.querySelectorAll(root + ' *')]
  .filter(e => !e.closest('.table-wrap'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""


@pytest.fixture
def demo():
    org = Organisation.objects.create(name="Wonderful Websites", slug="wonderful")
    cast = people.build_people(org, today=timezone.localdate(), password_hash=make_password(PASSWORD))
    build_rhythm(cast)
    return cast


def no_sideways_scroll(page):
    # Wide tables scroll inside their own box (.table-wrap); nothing else may push the page sideways.
    wide = page.evaluate(WIDEST, "body")
    assert wide == [], "\n".join(wide)


def sign_in(page, live, email):
    page.goto(live.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(live.url + "/")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_team_map_meeting_and_charter(browser, live, shots, demo, size):
    lead = demo.by_key["l1_lead"]
    team = demo.teams[people.LEVEL_1]
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    sign_in(page, live, lead.email)

    # From the team page to its map.
    page.goto(f"{live.url}/teams/{team.pk}/")
    page.screenshot(path=shots / f"rhythm-team-page-{size}.png")
    page.get_by_role("link", name="Team map and overlap").click()
    page.wait_for_selector("table.tmap")
    assert (
        page.locator("table.tmap tbody tr").count()
        == len([p for p in demo.people if p.team_id == team.pk]) + 2
    )
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"rhythm-map-{size}.png", full_page=True)
    page.locator("table.tmap").scroll_into_view_if_needed()
    page.screenshot(path=shots / f"rhythm-map-top-{size}.png")
    page.get_by_label("Days").fill("7")
    page.get_by_role("button", name="Show the map").click()
    page.wait_for_selector("text=Date by date")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"rhythm-map-week-{size}.png", full_page=True)

    page.goto(f"{live.url}/teams/{team.pk}/")
    page.get_by_role("link", name="Who can I reach now").click()
    page.wait_for_selector("text=Coming online next")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"rhythm-reach-{size}.png", full_page=True)

    meeting = RecurringMeeting.objects.get(name="Company all-hands")
    page.goto(f"{live.url}/time/meetings/{meeting.pk}/")
    page.wait_for_selector("text=Burden log")
    assert page.locator("table.rhythm-log tbody tr").count() > 0
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"rhythm-meeting-{size}.png", full_page=True)
    page.screenshot(path=shots / f"rhythm-meeting-top-{size}.png")

    page.goto(f"{live.url}/teams/{team.pk}/charter/")
    page.wait_for_selector("text=Which channel for what")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"rhythm-charter-{size}.png", full_page=True)
    page.get_by_role("link", name="Edit the charter").click()
    page.wait_for_selector("text=Which channel for what")
    no_sideways_scroll(page)
    page.screenshot(path=shots / f"rhythm-charter-edit-{size}.png", full_page=True)
    context.close()


@pytest.mark.parametrize("size", ["phone"])
def test_a_member_acknowledges_the_charter_from_home(browser, live, shots, demo, size):
    member = demo.by_key["l1_member"]
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    sign_in(page, live, member.email)
    page.get_by_role("link", name="Read and acknowledge").click()
    page.wait_for_selector("text=The charter changed since you read version 1.")
    page.screenshot(path=shots / f"rhythm-charter-ack-{size}.png", full_page=True)
    page.get_by_role("button", name="I have read it").click()
    page.wait_for_selector("text=You acknowledged this version")
    page.goto(live.url + "/")
    assert page.locator("text=Please read your team charter").count() == 0
    context.close()
