"""The Content-Security-Policy in a real browser: the demo member, manager and admin open every page they
can reach (and the signed-out pages, and the API docs), and any violation Chromium reports fails the test,
naming the page. Then the two scripts that used to be inline still do their work."""

from __future__ import annotations

import pytest

from accord.demo import DEMO_ACCOUNTS, generate_demo
from accord.orgs.models import Person
from tests.factories import OrgFactory, PersonFactory, TeamFactory
from tests.pages import signed_in_pages, signed_out_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Answers a browser downloads rather than shows: there is no page to watch.
DOWNLOADS = {"people_export", "rhythm_meeting_ics", "calendar_feed"}

# Runs before any of the page's own scripts (Playwright injects it outside the page's policy).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at line ${e.lineNumber}`);
});
"""
# Violation events are queued as tasks: one turn of the event loop delivers those the page raised.
COLLECT = "() => new Promise((done) => setTimeout(() => done(window.__csp), 0))"


def watched_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(WATCH)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return context, page, console


def visit(page, console, url: str) -> list[str]:
    console.clear()
    response = page.goto(url)
    # No violation is reported where no policy is sent: a page without the enforced header is a failure too.
    header = response.headers.get("content-security-policy", "") if response else ""
    unguarded = [] if "script-src 'self'" in header else ["no enforced Content-Security-Policy header"]
    return unguarded + page.evaluate(COLLECT) + console


def sign_in(page, live, persona: str) -> None:
    page.goto(live.url + "/accounts/login/")
    page.click(f"button[data-demo={persona}]")
    page.wait_for_url(live.url + "/")


def test_no_page_breaks_the_content_security_policy(browser, live, settings, shots):
    settings.DEMO = True
    generate_demo()
    violations: list[tuple[str, str, str]] = []
    visited = 0

    context, page, console = watched_page(browser)
    for name, path in signed_out_pages():
        violations += [("signed out", name, v) for v in visit(page, console, live.url + path)]
        visited += 1
    context.close()

    for persona in ["member", "manager", "admin"]:
        viewer = Person.objects.select_related("org", "team").get(email=DEMO_ACCOUNTS[persona])
        context, page, console = watched_page(browser)
        sign_in(page, live, persona)
        for name, path in signed_in_pages(viewer):
            if name in DOWNLOADS:
                continue
            violations += [(persona, name, v) for v in visit(page, console, live.url + path)]
            visited += 1
            if name == "api_docs":
                # Swagger UI is built by ninja's own static script: it must still draw the operations.
                page.locator(".opblock").first.wait_for()
                violations += [(persona, name, v) for v in page.evaluate(COLLECT) + console]
                if persona == "admin":
                    page.screenshot(path=shots / "csp-api-docs.png")
            if persona == "manager" and name in {"rhythm_map", "pulse_results", "pulse_heatmap", "goal"}:
                page.screenshot(path=shots / f"csp-{name}.png", full_page=True)
        context.close()

    assert visited > 150, visited
    assert violations == []


def test_the_scripts_moved_out_of_the_pages_still_work(browser, live, settings, shots):
    """The organisation switcher submits on change; the kudos picker and the top bar search as you type."""
    settings.DEMO = True
    generate_demo()
    member = Person.objects.select_related("org", "user", "manager__team").get(email=DEMO_ACCOUNTS["member"])
    other = OrgFactory(name="Zenith Labs", slug="zenith")
    PersonFactory(org=other, team=TeamFactory(org=other), user=member.user, email=member.email)
    context, page, console = watched_page(browser)
    sign_in(page, live, "member")

    # The kudos form's person picker and the top bar's search, both htmx plus our own script.
    page.goto(live.url + "/kudos/give/")
    assert page.locator(".picker-chosen input").count() == 0  # nobody is listed up front
    page.get_by_label("Who are you thanking?").fill(member.manager.name)
    page.locator(".picker-results button", has_text=member.manager.name).click()
    chosen = page.locator(".picker-chosen input:checked")
    assert (chosen.count(), chosen.first.get_attribute("value")) == (1, str(member.manager.pk))
    page.screenshot(path=shots / "csp-kudos-picker.png", full_page=True)
    page.fill("#nav-search-q", member.manager.name)
    page.locator("#nav-search-results a", has_text=member.manager.name).first.wait_for()
    page.screenshot(path=shots / "csp-nav-search.png")

    page.click("nav .nav-menu summary")
    page.screenshot(path=shots / "csp-org-switch.png")
    page.select_option("#org-switch", label="Zenith Labs")
    page.wait_for_url(live.url + "/")
    page.click("nav .nav-menu summary")
    assert page.locator(".org-name").inner_text() == "Zenith Labs"
    assert page.evaluate(COLLECT) + console == []
    context.close()
