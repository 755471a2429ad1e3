"""The team picker in a real browser: an admin moves someone to a team far from their own by searching
for it, without the page ever listing every team."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accord.demo import DEMO_ORG_NAME, DEMO_ORG_SLUG, DEMO_PASSWORD, people
from accord.orgs.models import Organisation, Person, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_moves_someone_to_a_far_team_by_searching(browser, live, settings, shots):
    settings.DEMO = True
    org = Organisation.objects.create(name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG)
    cast = people.build_people(org, today=timezone.localdate(), password_hash=make_password(DEMO_PASSWORD))
    someone = cast.by_key["l1_member"]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live.url + "/accounts/login/")
    page.click("button[data-demo=admin]")
    page.wait_for_url(live.url + "/")
    page.goto(live.url + f"/people/{someone.pk}/edit/")
    listed = set(page.locator(".picker-chosen input").evaluate_all("(els) => els.map((e) => e.value)"))
    teams = Team.objects.filter(org=org)
    names = [t.name for t in teams]
    # A team not listed up front, with a name no other team has (so its search result is unambiguous).
    far = next(t for t in teams.order_by("pk") if str(t.pk) not in listed and names.count(t.name) == 1)

    page.fill("#id_team", far.name)
    page.locator(".picker-results button", has_text=far.name).first.click()
    assert page.locator(f'.picker-chosen input[value="{far.pk}"]').is_checked()
    assert page.input_value("#id_team") == ""
    page.screenshot(path=shots / "team-picker.png", full_page=True)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(live.url + f"/people/{someone.pk}/")
    assert Person.objects.get(pk=someone.pk).team_id == far.pk
    context.close()
