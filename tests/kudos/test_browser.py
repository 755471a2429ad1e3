"""Kudos in a real browser: the demo member gives a private kudos (after one refusal), reacts with htmx,
and reads the feed; the manager reads who went unrecognised and a report's page; on a laptop and on a
phone, with screenshots."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth.hashers import make_password

from accord.demo import DEMO_ORG_NAME, DEMO_ORG_SLUG, DEMO_PASSWORD, people
from accord.demo.kudos import build_kudos
from accord.kudos.models import Kudos, Reaction
from accord.orgs.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # 10:00 in Bogotá, 16:00 in Berlin


@pytest.fixture
def tuesday():
    with time_machine.travel(NOW, tick=True):
        yield


def sign_in(page, server, persona: str) -> None:
    page.goto(server.url + "/accounts/login/")
    page.click(f"button[data-demo={persona}]")
    page.wait_for_url(server.url + "/")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_give_kudos_react_and_read_the_feed(browser, live, settings, shots, size, tuesday):
    settings.DEMO = True
    org = Organisation.objects.create(name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG)
    cast = people.build_people(org, today=NOW.date(), password_hash=make_password(DEMO_PASSWORD))
    build_kudos(cast)
    member, lead = cast.by_key["l1_member"], cast.by_key["l1_lead"]
    friend = next(p for p in cast.reports(lead) if p.pk != member.pk)
    requests: list[str] = []
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))

    sign_in(page, live, "member")
    # A teammate's birthday and another's work anniversary, on the home page of the day.
    panel = page.locator("section.kudos-panel")
    assert panel.locator(".kudos-occasion", has_text="Birthday").is_visible()
    assert panel.locator(".kudos-occasion", has_text="years with us").is_visible()
    page.screenshot(path=shots / f"kudos-home-panel-{size}.png", full_page=True)
    if size == "phone":
        page.click("label.nav-toggle-label")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Kudos").click()
    page.wait_for_url(live.url + "/kudos/")
    assert page.get_by_role("heading", level=2, name="Celebrating today").is_visible()
    page.screenshot(path=shots / f"kudos-feed-{size}.png", full_page=False)
    if size == "phone":  # the form has a page of its own on a phone
        page.locator(".page-header").get_by_role("link", name="Give kudos").click()
        page.wait_for_url(live.url + "/kudos/give/")

    # A refusal first: nobody chosen. The words stay, the error sits next to the list of people.
    message = "Thank you for rewriting the refund macro: my replies are twice as fast now."
    page.get_by_label("What did they do?").fill(message)
    page.get_by_role("button", name="Send kudos").click()
    page.wait_for_url(live.url + "/kudos/give/")
    assert page.locator("#id_recipients_error").inner_text() == "Choose at least one person to thank."
    assert page.get_by_label("What did they do?").input_value() == message
    page.screenshot(path=shots / f"kudos-give-error-{size}.png", full_page=True)

    first_name = friend.name.split(" ")[0]
    page.get_by_label("Who are you thanking?").fill(first_name)
    page.locator(".picker-results button", has_text=friend.name).click()
    assert page.locator(".picker-chosen input:checked").count() == 1
    page.get_by_label("Company value (optional)").select_option(label="Lift each other")
    page.get_by_label("Private: only you and the people you thank").check()
    page.get_by_label("Private only: let their manager read it too").check()
    page.get_by_role("button", name="Send kudos").click()
    page.wait_for_selector(".message")
    assert f"Kudos sent to {friend.name} privately." in page.locator(".message").inner_text()
    kudos = Kudos.objects.get(giver=member, message=message)
    assert (kudos.public, kudos.share_with_manager, kudos.value.name) == (False, True, "Lift each other")
    card = page.locator(f"#kudos-{kudos.pk}")
    assert f"Only Tomás Ortega, {friend.name} and Lena Fischer can read this." in card.inner_text()

    # React with htmx: the buttons change in place, no page load.
    loads_before = len([u for u in requests if urlsplit(u).path == "/kudos/"])
    card.get_by_role("button", name="Stellar work").click()
    page.wait_for_selector(f"#kudos-{kudos.pk} button[value=star][aria-pressed=true]")
    assert Reaction.objects.filter(kudos=kudos, person=member, kind="star").count() == 1
    assert len([u for u in requests if urlsplit(u).path == "/kudos/"]) == loads_before
    page.screenshot(path=shots / f"kudos-given-{size}.png", full_page=False)
    card.screenshot(path=shots / f"kudos-card-{size}.png")
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, live, "manager")
    page.goto(live.url + "/kudos/my-team/")
    assert page.get_by_role(
        "heading", level=2, name="Not recognised in the last 30 days 2 of 14"
    ).is_visible()
    page.screenshot(path=shots / f"kudos-unrecognised-{size}.png", full_page=True)
    page.goto(live.url + f"/people/{friend.pk}/")
    panel = page.locator("section.kudos-panel")
    assert message in panel.inner_text()  # shared with Lena by the giver
    panel.screenshot(path=shots / f"kudos-person-panel-{size}.png")
    page.goto(live.url + f"/kudos/team/{cast.teams[people.LEVEL_1].pk}/")
    page.screenshot(path=shots / f"kudos-team-feed-{size}.png", full_page=False)
    context.close()

    assert {urlsplit(u).hostname for u in requests} == {urlsplit(live.url).hostname}
