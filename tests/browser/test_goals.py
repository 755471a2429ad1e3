"""Goals and commitments in a real browser: the demo manager and member, on a laptop and on a phone."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accord.demo import DEMO_ORG_NAME, DEMO_ORG_SLUG, DEMO_PASSWORD, people
from accord.demo.goals import build_goals
from accord.goals import queries
from accord.goals.models import Goal
from accord.orgs.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def demo_with_goals() -> people.Cast:
    org = Organisation.objects.create(name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG)
    cast = people.build_people(org, today=timezone.localdate(), password_hash=make_password(DEMO_PASSWORD))
    build_goals(cast)
    return cast


def sign_in(page, live, persona: str) -> None:
    page.goto(live.url + "/accounts/login/")
    page.click(f"button[data-demo={persona}]")
    page.wait_for_url(live.url + "/")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_goals_and_commitments_pages(browser, live, settings, shots, size):
    settings.DEMO = True
    cast = demo_with_goals()
    lead = cast.by_key["l1_lead"]
    slipper = max(cast.reports(lead), key=lambda p: len(queries.slipping(p)))
    l1_goal = Goal.objects.get(org=cast.org, team=cast.teams[people.LEVEL_1], level="team")
    requests: list[str] = []
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))

    sign_in(page, live, "manager")
    home = page.locator("section.goals-panel")
    assert "Your reports' follow-through" in home.inner_text()
    assert slipper.name in home.locator(".slipping").inner_text()
    home.screenshot(path=shots / f"goals-home-panel-{size}.png")

    page.goto(live.url + "/goals/")
    assert page.get_by_role("heading", level=1).inner_text() == "Goals"
    assert page.locator(".goal-company").count() == 3
    page.screenshot(path=shots / f"goals-tree-{size}.png", full_page=True)

    page.goto(live.url + f"/goals/{l1_goal.pk}/")
    assert page.locator("svg.sparkline").count() == 2
    page.locator("details.kr-history summary").first.click()
    page.screenshot(path=shots / f"goal-detail-{size}.png", full_page=True)

    page.goto(live.url + "/commitments/?who=reports")
    assert page.locator("#open-h").is_visible()
    page.screenshot(path=shots / f"commitments-reports-{size}.png", full_page=True)

    # A due date in the past is refused next to the field, in the owner's zone.
    page.goto(live.url + "/commitments/new/")
    page.fill("#id_title", "Write the refund runbook")
    page.fill("#id_definition_of_done", "Merged and linked from the macro")
    page.fill("#id_due_on", "2020-01-01")
    page.click("main form button[type=submit]")
    error = page.locator("#id_due_on_error")
    assert re.match(
        r"The due date is in the past: it is already .* in your time zone \(Europe/Berlin\)\.",
        error.inner_text(),
    )
    page.screenshot(path=shots / f"commitment-new-error-{size}.png", full_page=True)

    page.goto(live.url + f"/people/{slipper.pk}/")
    manager_sees = page.locator(".goals-panel .ft-line").first.inner_text()
    page.screenshot(path=shots / f"goals-person-panel-{size}.png", full_page=True)
    context.close()

    # The member's own page, and their goals and commitments.
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, live, "member")
    page.goto(live.url + "/goals/?show=mine")
    page.screenshot(path=shots / f"goals-mine-{size}.png", full_page=True)
    page.goto(live.url + "/commitments/")
    assert page.locator(".ft-sentence").inner_text().endswith("in the last 90 days")
    page.screenshot(path=shots / f"commitments-mine-{size}.png", full_page=True)
    page.goto(live.url + f"/people/{slipper.pk}/")
    assert page.locator(".goals-panel .ft-line").count() == 0  # a peer sees none of it
    context.close()

    assert manager_sees.endswith("in the last 90 days")
    origin = urlsplit(live.url).netloc
    assert [u for u in requests if urlsplit(u).netloc != origin and not u.startswith("data:")] == []
