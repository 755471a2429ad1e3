"""Handoff pages: the chain page's cost does not grow with history, writing on the form keeps what was
typed on errors, the one-click acknowledgement answers htmx with its partial, and chain errors show."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.handoffs.actions import ItemIn, write_handoff
from accord.handoffs.models import Handoff, Item
from tests.conftest import login

from .conftest import utc

pytestmark = pytest.mark.django_db


def history(chain, shifts, crew, weeks):
    """`weeks` weeks of Kraków → Bogotá handoffs from 5 January, one item each, then today's."""
    for w in range(weeks):
        for d in range(5):
            at = utc(2026, 1, 5, 13, 50) + dt.timedelta(days=7 * w + d)
            item = ItemIn(None, f"Item {w}-{d}", crew["Bogotá"][0].pk)
            write_handoff(chain, crew["Kraków"][0], from_shift=shifts["Kraków"], now=at, items=[item])
    write_handoff(chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[], now=utc(2026, 3, 2, 11))


def chain_page(client, chain):
    with time_machine.travel(utc(2026, 3, 2, 12), tick=False):
        assert client.get(reverse("handoffs_chain", args=[chain.pk])).status_code == 200


def test_the_chain_page_costs_the_same_with_one_or_many_handoffs(
    client, chain, shifts, crew, django_assert_num_queries
):
    login(client, crew["Bogotá"][0])
    history(chain, shifts, crew, 0)
    chain_page(client, chain)  # the first request also saves the fresh session
    with CaptureQueriesContext(connection) as one:
        chain_page(client, chain)
    Item.objects.all().delete()
    Handoff.objects.all().delete()
    history(chain, shifts, crew, 6)
    with django_assert_num_queries(len(one.captured_queries)):
        chain_page(client, chain)
    assert Handoff.objects.count() == 31


def test_writing_with_a_missing_owner_keeps_what_was_typed(client, chain, crew):
    login(client, crew["Kraków"][0])
    with time_machine.travel(utc(2026, 1, 14, 13, 50), tick=False):
        url = reverse("handoffs_write", args=[chain.pk])
        page = client.get(url)
        assert page.status_code == 200 and b"Hand over to Bogot" in page.content
        data = {
            "from_shift": page.context["form"]["from_shift"].value(),
            "urgent": "Payments slow",
            "new-0-title": "Refund stuck",
            "new-0-status": "open",
            "new-0-links": "not a link",
            "new-1-title": "",
            "new-1-status": "open",
        }
        response = client.post(url, data)
        assert response.status_code == 400
        text = response.content.decode()
        assert "Every item needs exactly one owner" in text
        assert "is not a web address" in text
        assert 'value="Refund stuck"' in text and "Payments slow" in text
        assert Handoff.objects.count() == 0
        data.update({"new-0-owner": str(crew["Bogotá"][1].pk), "new-0-links": "https://support.example/t/1"})
        response = client.post(url, data)
        assert response.status_code == 302
    handoff = Handoff.objects.get()
    assert [(e.title, e.owner_id, e.links) for e in handoff.entries.all()] == [
        ("Refund stuck", crew["Bogotá"][1].pk, ["https://support.example/t/1"])
    ]


def test_acknowledging_with_htmx_swaps_in_the_done_line(client, chain, shifts, crew):
    handoff = write_handoff(
        chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[], now=utc(2026, 1, 14, 13, 50)
    )
    login(client, crew["Bogotá"][1])
    with time_machine.travel(utc(2026, 1, 14, 14, 5), tick=False):
        home = client.get(reverse("home")).content.decode()
        assert "Kraków → Bogotá" in home and "Acknowledge" in home
        response = client.post(reverse("handoffs_acknowledge", args=[handoff.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Acknowledged" in response.content.decode() and "<html" not in response.content.decode()
    handoff.refresh_from_db()
    assert handoff.acknowledged_by_id == crew["Bogotá"][1].pk


def test_the_chain_form_shows_the_uncovered_hours_and_saves_nothing(client, chain, manager, crew):
    login(client, manager)
    url = reverse("handoffs_chain_edit", args=[chain.pk])
    form = client.get(url)
    assert form.status_code == 200
    data = {"name": "Support", "team": str(chain.team_id), "ack_within": "30", "escalate_after": "30"}
    zones = {"Manila": "Asia/Manila", "Kraków": "Europe/Warsaw", "Bogotá": "America/Bogota"}
    hours = {"Manila": ("05:00", "13:00"), "Kraków": ("07:00", "15:00"), "Bogotá": ("08:00", "16:00")}
    for i, name in enumerate(["Manila", "Kraków", "Bogotá"]):
        data.update(
            {
                f"shift-{i}-name": name,
                f"shift-{i}-timezone": zones[name],
                f"shift-{i}-start": hours[name][0],
                f"shift-{i}-end": hours[name][1],
                f"shift-{i}-days": list("12345"),
                f"shift-{i}-people": [str(p.pk) for p in crew[name]],
            }
        )
    data["shift-3-timezone"] = ""
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Uncovered: 05:00–06:00 UTC between Manila and Kraków on Mon–Fri" in response.content.decode()
    assert chain.shifts.get(name="Kraków").start == dt.time(6)
    data.update({"shift-1-start": "06:00", "shift-2-end": "04:00"})
    response = client.post(url, data)
    assert "ends (04:00) before it starts (08:00)" in response.content.decode()
    data["shift-2-end"] = "16:00"
    assert client.post(url, data).status_code == 302


def test_the_chains_list_costs_the_same_with_one_or_many_chains(
    client, org, team, manager, chain, crew, django_assert_num_queries
):

    from tests.factories.handoffs import make_chain

    from .conftest import rows

    login(client, crew["Bogotá"][0])
    client.get(reverse("handoffs"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("handoffs")).status_code == 200
    for n in range(5):
        make_chain(org, team, manager, rows(crew), name=f"Chain {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("handoffs"))
    assert page.content.decode().count("handoff-chain-card") == 6


def test_writing_outside_the_shift_says_when_it_next_starts(client, chain, crew):
    login(client, crew["Kraków"][1])
    with time_machine.travel(utc(2026, 1, 17, 12), tick=False):  # Saturday; Kraków works Mon–Fri
        url = reverse("handoffs_write", args=[chain.pk])
        page = client.get(url).content.decode()
        assert "has not been on in the last 12 hours; it next starts Monday 06:00 your time" in page
        response = client.post(url, {"from_shift": chain.shifts.get(name="Kraków").pk, "urgent": ""})
    assert response.status_code == 400
    assert "Kraków has not been on in the last 12 hours" in response.content.decode()
    assert Handoff.objects.count() == 0


def test_the_home_panel_lists_my_items_and_stays_away_from_people_without_handoffs(
    client, chain, shifts, crew, member
):
    item = ItemIn(None, "Chargeback evidence due Friday", crew["Bogotá"][1].pk)
    write_handoff(
        chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[item], now=utc(2026, 1, 14, 13, 50)
    )
    login(client, crew["Bogotá"][1])
    with time_machine.travel(utc(2026, 1, 20, 12), tick=False):
        home = client.get(reverse("home")).content.decode()
    assert "Items you own" in home and "Chargeback evidence due Friday" in home
    login(client, member)
    assert 'id="handoff-home-h"' not in client.get(reverse("home")).content.decode()


def test_an_item_is_reassigned_and_closed_from_the_chain_page(client, chain, shifts, crew):
    item = ItemIn(None, "Chargeback evidence due Friday", crew["Bogotá"][1].pk)
    write_handoff(
        chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[item], now=utc(2026, 1, 14, 13, 50)
    )
    found = Item.objects.get()
    login(client, crew["Bogotá"][1])
    page = client.get(reverse("handoffs_chain", args=[chain.pk])).content.decode()
    assert f'action="{reverse("handoffs_item", args=[found.pk])}"' in page
    url = reverse("handoffs_item", args=[found.pk])
    bad = client.post(url, {"owner": "", "status": "open"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "Every item needs exactly one owner" in bad.content.decode()
    moved = client.post(
        url, {"owner": str(crew["Manila"][0].pk), "status": "waiting"}, HTTP_HX_REQUEST="true"
    )
    assert moved.status_code == 200 and "Maria Santos · Waiting on someone else" in moved.content.decode()
    closed = client.post(url, {"owner": str(crew["Manila"][0].pk), "status": "closed"})
    assert closed.status_code == 302
    found.refresh_from_db()
    assert (found.owner_id, found.status, found.closed_at is not None) == (
        crew["Manila"][0].pk,
        "closed",
        True,
    )


def test_the_team_page_lists_its_chains_and_only_managers_get_the_set_up_link(
    client, org, team, chain, crew, manager
):
    from tests.factories import PersonFactory, TeamFactory

    url = reverse("team", args=[team.pk])
    login(client, crew["Bogotá"][0])
    page = client.get(url).content.decode()
    assert reverse("handoffs_chain", args=[chain.pk]) in page
    assert reverse("handoffs_chain_new") not in page
    login(client, manager)
    assert f"{reverse('handoffs_chain_new')}?team={team.pk}" in client.get(url).content.decode()
    # A team with no chain shows no handoff section to someone who cannot set one up.
    quiet = TeamFactory(org=org)
    login(client, PersonFactory(org=org, team=quiet))
    assert "Follow-the-sun handoffs" not in client.get(reverse("team", args=[quiet.pk])).content.decode()


# "²" passes str.isdigit() but int() refuses it.
@pytest.mark.parametrize("page", ["99999999999999999999", "0", "abc", "-1", "²"])
def test_an_odd_history_page_number_shows_the_first_page(client, chain, crew, page):
    login(client, crew["Bogotá"][0])
    response = client.get(reverse("handoffs_chain", args=[chain.pk]), {"page": page, "days": page})
    assert response.status_code == 200
    assert (response.context["page"], response.context["metrics"].days) == (1, 90)


def test_odd_digits_in_the_chain_form_and_the_item_owner_are_not_a_500(client, chain, crew, manager):
    login(client, manager)
    assert client.get(reverse("handoffs_chain_new"), {"team": "²"}).status_code == 200
    item = Item.objects.create(org=chain.org, chain=chain, title="Base", owner=crew["Bogotá"][0])
    response = client.post(reverse("handoffs_item", args=[item.pk]), {"owner": "²"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "exactly one owner" in response.content.decode()
    item.refresh_from_db()
    assert item.owner == crew["Bogotá"][0]
