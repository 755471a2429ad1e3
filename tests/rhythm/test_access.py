"""Time-zone access beyond the matrix (tests/rhythm/matrix.py, run by tests/test_access_matrix.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.rhythm.models import Acknowledgement, Charter, RecurringMeeting
from tests.access import world_fixture
from tests.conftest import login

from .matrix import MATRIX

world = world_fixture(MATRIX)


@pytest.mark.django_db
def test_refused_writes_change_nothing(client, world):
    people, own, foreign = world
    login(client, people["member"])
    charter = Charter.objects.get(team=own["team"])
    response = client.post(
        reverse("rhythm_charter_edit", args=[own["team"].pk]),
        {"sync_decisions": "Hijacked", "channels-TOTAL_FORMS": "0", "channels-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("rhythm_meeting_edit", args=[own["meeting"].pk]),
        {"name": "Hijacked", "everyone": "on", "weekday": "1", "duration_minutes": "30", "timezone": "UTC"},
    )
    assert response.status_code == 404
    client.post(reverse("rhythm_charter_ack", args=[foreign["team"].pk]))
    charter.refresh_from_db()
    assert charter.sync_decisions == "Roadmap"
    assert RecurringMeeting.objects.get(pk=own["meeting"].pk).name == "Weekly sync"
    assert not Acknowledgement.objects.filter(charter__team=foreign["team"], person=people["member"]).exists()
