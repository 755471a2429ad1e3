"""A handoff to acknowledge waits on the receiving person's home page until acknowledged, whatever
their role."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.handoffs.actions import acknowledge, write_handoff
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory

from .conftest import utc

pytestmark = pytest.mark.django_db


def keys(client):
    return [w.key for w in client.get(reverse("home")).context["waiting"]]


@pytest.mark.parametrize("role", ["member", "manager", "admin"])
def test_a_handoff_waits_until_acknowledged(client, org, team, chain, shifts, crew, role):
    receiver = crew["Bogotá"][1]
    if role == "admin":
        receiver.role = Role.ADMIN
        receiver.save()
    if role == "manager":
        PersonFactory(org=org, team=team, manager=receiver, email="rep@acme.test")
    handoff = write_handoff(
        chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[], now=utc(2026, 1, 14, 13, 50)
    )
    login(client, receiver)
    with time_machine.travel(utc(2026, 1, 14, 14, 5), tick=False):
        assert keys(client) == ["handoff"]
        page = client.get(reverse("home")).content.decode()
        assert reverse("handoffs_handoff", args=[handoff.pk]) in page
        acknowledge(handoff, receiver)
        assert keys(client) == []


def test_the_home_page_reads_the_waiting_handoffs_once(client, chain, shifts, crew):
    """The waiting list and the handoff panel both show the note, from one query of the handoffs."""
    write_handoff(
        chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[], now=utc(2026, 1, 14, 13, 50)
    )
    login(client, crew["Bogotá"][1])
    with time_machine.travel(utc(2026, 1, 14, 14, 5), tick=False):
        client.get(reverse("home"))  # the session's first request does its own bookkeeping
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("home"))
    assert [w.key for w in response.context["waiting"]] == ["handoff"]
    assert "Kraków → Bogotá" in response.content.decode()
    pending = [q["sql"] for q in ctx.captured_queries if '"acknowledged_at" IS NULL' in q["sql"]]
    assert len(pending) == 1, pending
