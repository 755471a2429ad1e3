"""Whose commitments a person may list: the page and the API copies disagreed on deactivated people
(the page refused them, the API listed them, alone or among "my reports"). One rule now,
goals.queries.access_signals_person / active_reports_below: leavers are not listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accord.goals.models import Commitment
from accord.orgs.models import Person
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(org, team, manager):
    gone = PersonFactory(org=org, team=team, manager=manager, name="Gone")
    Commitment.objects.create(
        org=org, owner=gone, title="Ship it", definition_of_done="Shipped", due_on=dt.date(2026, 1, 5)
    )
    Person.objects.filter(pk=gone.pk).update(is_active=False)
    return gone


def test_a_deactivated_report_is_404_on_the_page_and_the_api(client, manager, leaver):
    assert Api(manager).get("/api/commitments", owner=leaver.pk).status_code == 404
    login(client, manager)
    assert client.get(reverse("commitments"), {"who": leaver.pk}).status_code == 404


def test_my_reports_leave_out_a_deactivated_report(manager, member, leaver):
    Commitment.objects.create(
        org=member.org, owner=member, title="Stay", definition_of_done="Done", due_on=dt.date(2026, 1, 5)
    )
    body = Api(manager).get("/api/commitments", reports="true").json()
    assert [c["title"] for c in body["items"]] == ["Stay"]
