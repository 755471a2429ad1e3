"""The API reference follows the reader's colour scheme like the rest of Accord: Swagger UI's own dark
theme in the dark scheme, its light one otherwise, and it switches when the preference changes."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Relative luminance (0 black, 1 white) of a computed "rgb(r, g, b)" colour.
LUMINANCE = """(selector) => {
  const rgb = getComputedStyle(document.querySelector(selector)).backgroundColor.match(/\\d+/g).map(Number);
  const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
}"""


def test_the_api_docs_are_dark_in_the_dark_scheme(browser, live, member, shots):
    client = Client()
    client.force_login(member.user)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="dark")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live.url}])
    page = context.new_page()
    page.goto(live.url + "/api/docs")
    page.locator(".opblock").first.wait_for()
    assert page.evaluate("document.documentElement.classList.contains('dark-mode')")
    assert page.evaluate(LUMINANCE, "body") < 0.05 and page.evaluate(LUMINANCE, ".swagger-ui") < 0.05
    page.screenshot(path=shots / "api-docs-dark.png")
    page.emulate_media(color_scheme="light")
    # The change event comes after the switch, not with it.
    page.wait_for_function("!document.documentElement.classList.contains('dark-mode')")
    assert page.evaluate(LUMINANCE, "body") > 0.9
    context.close()
