"""Check-ins in a real browser: the demo member checks in, the demo manager reads the feed, acknowledges
a blocker and edits the team's questions; on a laptop and on a phone, with screenshots."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth.hashers import make_password

from accord.checkins.models import Blocker, Checkin
from accord.demo import DEMO_ORG_NAME, DEMO_ORG_SLUG, DEMO_PASSWORD, people
from accord.demo.checkins import build_checkins
from accord.demo.goals import build_goals
from accord.orgs.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Tuesday: 10:00 in Bogotá (the member), 16:00 in Berlin (the manager).
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def tuesday():
    with time_machine.travel(NOW, tick=True):
        yield


def demo_with_checkins() -> people.Cast:
    org = Organisation.objects.create(name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG)
    cast = people.build_people(org, today=NOW.date(), password_hash=make_password(DEMO_PASSWORD))
    build_goals(cast)
    build_checkins(cast)
    return cast


def sign_in(page, server, persona: str) -> None:
    page.goto(server.url + "/accounts/login/")
    page.click(f"button[data-demo={persona}]")
    page.wait_for_url(server.url + "/")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_member_checks_in_and_manager_acts_on_the_blocker(browser, live, settings, shots, size, tuesday):  # noqa: F811
    settings.DEMO = True
    cast = demo_with_checkins()
    member, lead = cast.by_key["l1_member"], cast.by_key["l1_lead"]
    team = cast.teams[people.LEVEL_1]
    today = Checkin.objects.get(person=member, day=NOW.date())
    Checkin.objects.filter(pk=today.pk).update(prompt_at=NOW - dt.timedelta(hours=1))  # asked already
    requests: list[str] = []
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))

    sign_in(page, live, "member")
    page.goto(live.url + "/checkins/")
    assert page.get_by_role("heading", level=2, name="Your check-in for Tuesday 24 November").is_visible()
    page.screenshot(path=shots / f"checkins-mine-{size}.png", full_page=True)
    page.screenshot(path=shots / f"checkins-mine-top-{size}.png")
    page.get_by_label("What I got done").fill("Closed 23 billing tickets; wrote the refund macro.")
    page.get_by_label("What's next").fill("Morning shift handoff notes for Manila.")
    page.get_by_label("Anything blocking me").fill("No access to the billing admin to issue refunds.")
    page.locator("label.checkin-mood-choice", has_text="Good").click()
    page.get_by_label("Share my mood with my manager").check()
    page.get_by_role("button", name="Send check-in").click()
    page.wait_for_selector(".message")
    assert "Check-in sent. Thank you!" in page.locator(".message").inner_text()
    page.screenshot(path=shots / f"checkins-sent-{size}.png", full_page=True)
    blocker = Blocker.objects.get(checkin=today)
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, live, "manager")
    # A blocker nobody has acknowledged waits for the manager at the top of home, and only there.
    assert blocker.text in page.locator("section.waiting").inner_text()
    assert blocker.text not in page.locator("section.checkin-panel").inner_text()
    page.locator("section.checkin-panel").screenshot(path=shots / f"checkins-home-panel-{size}.png")
    page.goto(live.url + f"/checkins/team/{team.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"{team.name} check-ins"
    first = page.locator("article.checkin-item").first
    assert member.name in first.inner_text()
    assert "Mood: 4/5 · shared with you" in first.inner_text()
    page.screenshot(path=shots / f"checkins-team-{size}.png", full_page=True)
    page.screenshot(path=shots / f"checkins-team-top-{size}.png")
    page.locator(".checkin-blockers .checkin-blocker-row", has_text=blocker.text).get_by_role(
        "button", name="Acknowledge"
    ).click()
    page.wait_for_selector(".message")
    assert f"Acknowledged by {lead.name}" in page.locator(".checkin-blockers").inner_text()

    page.goto(live.url + f"/checkins/team/{team.pk}/settings/")
    for i in range(1, 7):
        page.locator(f"#id_q{i}").fill("")
    page.get_by_label("Blockers question").select_option("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#id_q1_error")
    assert page.locator("#id_q1_error").inner_text() == "Keep at least one question."
    page.screenshot(path=shots / f"checkins-settings-error-{size}.png", full_page=True)
    context.close()

    origin = urlsplit(live.url)
    foreign = [u for u in requests if urlsplit(u).netloc != origin.netloc and not u.startswith("data:")]
    assert foreign == []
    assert lead.pk == member.manager_id
