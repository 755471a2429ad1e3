"""Handoffs in a real browser on the demo: the Bogotá member writes the handoff on a phone and a
laptop, the lead reads the chain page with its metrics; screenshots at 1280 and 390 wide."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import make_password

from accord.demo import DEMO_ORG_NAME, DEMO_ORG_SLUG, DEMO_PASSWORD, people
from accord.demo.handoffs import build_handoffs
from accord.handoffs.models import Handoff
from accord.orgs.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Tuesday 24 Nov 2026, 20:45 UTC: 15:45 in Bogotá, a quarter of an hour before the shift ends.
NOW = dt.datetime(2026, 11, 24, 20, 45, tzinfo=dt.UTC)


def sign_in(page, server, persona):
    page.goto(server.url + "/accounts/login/")
    page.click(f"button[data-demo={persona}]")
    page.wait_for_url(server.url + "/")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_member_writes_a_handoff_and_lead_reads_the_chain(browser, live, settings, shots, size):
    settings.DEMO = True
    org = Organisation.objects.create(name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG)
    cast = people.build_people(org, today=NOW.date(), password_hash=make_password(DEMO_PASSWORD))
    chain = build_handoffs(cast)
    member = cast.by_key["l1_member"]
    with time_machine.travel(NOW, tick=True):
        context = browser.new_context(viewport=VIEWPORTS[size])
        page = context.new_page()
        sign_in(page, live, "member")
        assert page.locator("section.handoff-panel").get_by_text("Write the handoff").is_visible()
        page.locator("section.handoff-panel").get_by_role("link", name="Write the handoff").click()
        page.wait_for_selector("h1:has-text('Hand over to Manila')")
        page.get_by_label("Anything urgent").fill(
            "Checkout errors for one shop in Chile: Level 2 is looking."
        )
        rows = page.locator("fieldset.handoff-item-row")
        new = rows.filter(has_text="New item").first
        new.get_by_label("Item").fill("Chile shop checkout returns an error after payment")
        new.get_by_label("Next step").fill("Check Level 2's reply at 09:00 Manila and update the customer.")
        new.get_by_label("Links").fill("not-a-link")
        page.get_by_role("button", name="Send handoff to Manila").click()
        page.wait_for_selector(".field-error")
        assert page.get_by_text("Every item needs exactly one owner").first.is_visible()
        page.screenshot(path=shots / f"handoffs-write-error-{size}.png", full_page=True)
        new = page.locator("fieldset.handoff-item-row").filter(has_text="New item").first
        assert new.get_by_label("Item").input_value() == "Chile shop checkout returns an error after payment"
        owner = new.get_by_label("Owner")
        owner.select_option(index=1)
        new.get_by_label("Links").fill("https://support.wonderful.example/tickets/61234")
        page.screenshot(path=shots / f"handoffs-write-{size}.png", full_page=True)
        page.get_by_role("button", name="Send handoff to Manila").click()
        page.wait_for_selector(".message")
        assert "Handoff to Manila sent" in page.locator(".message").inner_text()
        written = Handoff.objects.get(chain=chain, author=member, shift_day=NOW.date())
        assert written.entries.filter(title__startswith="Chile shop").exists()
        page.screenshot(path=shots / f"handoffs-sent-{size}.png", full_page=True)
        context.close()

        # Manila starts in a quarter of an hour: its people see the note on their home page and
        # acknowledge it with one click, which swaps the button for the done line (htmx, no reload).
        receiver = next(p for p in cast.people if p.handoff_shifts.filter(shift__name="Manila").exists())
        context = browser.new_context(viewport=VIEWPORTS[size])
        page = context.new_page()
        page.goto(live.url + "/accounts/login/")
        page.locator("form.card").get_by_label("Email").fill(receiver.email)
        page.locator("form.card").get_by_label("Password").fill(DEMO_PASSWORD)
        page.locator("form.card").get_by_role("button", name="Sign in").click()
        page.wait_for_url(live.url + "/")
        panel = page.locator("section.handoff-panel")
        assert panel.get_by_text("Bogotá → Manila").is_visible()
        page.screenshot(path=shots / f"handoffs-home-{size}.png", full_page=True)
        urls: list[str] = []
        page.on("framenavigated", lambda f: urls.append(f.url))
        panel.get_by_role("button", name="Acknowledge").click()
        panel.locator(".handoff-ack-done").wait_for()
        assert f"by {receiver.name}" in panel.locator(".handoff-ack-done").inner_text()
        assert urls == []  # swapped in place
        written.refresh_from_db()
        assert written.acknowledged_by_id == receiver.pk
        page.goto(live.url + f"/handoffs/{written.pk}/")
        page.screenshot(path=shots / f"handoffs-detail-{size}.png", full_page=True)
        context.close()

        context = browser.new_context(viewport=VIEWPORTS[size])
        page = context.new_page()
        sign_in(page, live, "manager")
        page.goto(live.url + f"/handoffs/chains/{chain.pk}/")
        assert page.get_by_role("heading", name="How handoffs land").is_visible()
        assert page.locator(".handoff-metrics").get_by_text("Median time to acknowledge").is_visible()
        page.screenshot(path=shots / f"handoffs-chain-{size}.png", full_page=True)
        page.screenshot(path=shots / f"handoffs-chain-top-{size}.png")
        items = page.locator("section[aria-labelledby=items-h]")
        items.screenshot(path=shots / f"handoffs-chain-items-{size}.png")
        # A lead who moves Europe's start to 07:00 is told which hours that leaves uncovered, and when.
        page.get_by_role("link", name="Edit chain").click()
        page.locator("#id_shift-1-start").fill("07:00")
        page.get_by_role("button", name="Check and save").click()
        page.wait_for_selector("#chain-errors")
        errors = page.locator("#chain-errors").inner_text()
        assert "Uncovered: 05:00–06:00 UTC between Manila and Europe on Mon–Fri" in errors
        page.locator("#chain-errors").scroll_into_view_if_needed()
        page.screenshot(path=shots / f"handoffs-chain-error-{size}.png")
        context.close()
