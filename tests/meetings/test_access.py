"""1:1 access beyond the matrix (tests/meetings/matrix.py, run by tests/test_access_matrix.py)."""

from __future__ import annotations

import pytest

from tests.access import call, world_fixture
from tests.conftest import login

from .matrix import MATRIX

world = world_fixture(MATRIX)


@pytest.mark.django_db
def test_the_feed_needs_no_sign_in_only_its_token(client, world):
    _, own, _ = world
    assert call(client, MATRIX, "calendar_feed", own["token"]).status_code == 200
    assert call(client, MATRIX, "calendar_feed", own["token"][:-1] + "x").status_code == 404


@pytest.mark.django_db
def test_nothing_is_written_by_refused_requests(client, world):
    from accord.meetings.models import ActionItem, AgendaItem, OneOnOneSeries, PrivateNote

    people, own, foreign = world
    login(client, people["colleague"])
    for name in ("one_on_one_agenda_add", "one_on_one_action_add", "one_on_one_note"):
        call(client, MATRIX, name, own["meeting"])
        call(client, MATRIX, name, foreign["meeting"])
    call(client, MATRIX, "one_on_one_end", own["series"])
    assert AgendaItem.objects.count() == 2
    assert ActionItem.objects.count() == 2
    assert PrivateNote.objects.count() == 0
    assert OneOnOneSeries.objects.filter(active=True).count() == 2
