"""The pulse program form in a real browser: ticking "Ask the whole organisation" disables the team boxes
(a script served from static/, as the Content-Security-Policy allows no inline script)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_whole_organisation_disables_the_team_boxes(browser, live, org, shots):
    product = TeamFactory(org=org, name="Product")
    TeamFactory(org=org, name="Web", parent=product)
    admin = PersonFactory(org=org, team=product, role=Role.ADMIN)
    client = login(Client(), admin)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    host = live.url.split("//", 1)[1].split(":", 1)[0]
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.goto(live.url + "/pulse/programs/new/")
    web = page.get_by_label("Web", exact=True)
    product_box = page.get_by_label("Product", exact=True)
    # A new program asks the whole organisation by default: the teams do not apply, so they are off.
    assert page.is_checked("#id_whole_org")
    assert web.is_disabled() and product_box.is_disabled()
    page.uncheck("#id_whole_org")
    assert web.is_enabled() and product_box.is_enabled()
    # Web sits under Product, indented.
    assert web.bounding_box()["x"] > product_box.bounding_box()["x"]
    web.check()
    page.screenshot(path=shots / "pulse-program-teams.png", full_page=True)
    page.check("#id_whole_org")
    assert web.is_disabled()
    context.close()
