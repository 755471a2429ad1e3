"""The one blocker and team rule (checkins.queries.access_blocker / access_team), as pages and the API
both apply it. The page and API copies of the blocker rule disagreed on blockers without a team (their
team was deleted): the API let anyone without a team see them (a 403 where a stranger gets 404)."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from accord.checkins import queries
from accord.checkins.models import Blocker
from accord.orgs.models import Role
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.factories.checkins import blocker_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(org, other_org, team):
    boss = PersonFactory(org=org, team=TeamFactory(org=org, name="Elsewhere"))
    author = PersonFactory(org=org, team=team, manager=boss)
    lead = PersonFactory(org=org, team=team)  # manages someone in the team, not the author
    PersonFactory(org=org, team=team, manager=lead)
    return {
        "author": author,
        "boss": boss,
        "lead": lead,
        "teammate": PersonFactory(org=org, team=team),
        "admin": PersonFactory(org=org, role=Role.ADMIN),
        "stranger": PersonFactory(org=org, team=TeamFactory(org=org, name="Far")),
        "teamless": PersonFactory(org=org),
        "outsider": PersonFactory(org=other_org, role=Role.ADMIN),
    }


# who: (sees, manages, resolves)
RULES = {
    "author": (True, False, True),
    "boss": (True, True, True),
    "lead": (True, True, True),
    "teammate": (True, False, False),
    "admin": (True, True, True),
    "stranger": (False, False, False),
    "teamless": (False, False, False),
    "outsider": (False, False, False),
}


@pytest.mark.parametrize("who", sorted(RULES))
def test_access_blocker(cast, who):
    blocker = blocker_of(cast["author"])
    sees, manages, resolves = RULES[who]
    if not sees:
        with pytest.raises(Http404):
            queries.access_blocker(cast[who], blocker.pk)
        return
    access = queries.access_blocker(cast[who], blocker.pk)
    assert (access.blocker, access.can_manage, access.can_resolve) == (blocker, manages, resolves)


def test_a_missing_blocker_and_another_organisations_are_the_same_404(cast, other_org):
    foreign = blocker_of(PersonFactory(org=other_org, team=TeamFactory(org=other_org)))
    for pk in (foreign.pk, foreign.pk + 1000):
        with pytest.raises(Http404):
            queries.access_blocker(cast["admin"], pk)


@pytest.mark.parametrize("path", ["acknowledge", "resolve"])
def test_a_blocker_whose_team_was_deleted_is_hidden_from_people_without_a_team(client, cast, path):
    blocker = blocker_of(cast["author"])
    Blocker.objects.filter(pk=blocker.pk).update(team=None)
    api = Api(cast["teamless"])
    assert api.post(f"/api/checkins/blockers/{blocker.pk}/{path}", {}).status_code == 404
    login(client, cast["teamless"])
    assert client.post(reverse(f"checkins_blocker_{path}", args=[blocker.pk])).status_code == 404
    # The author's own manager still handles it.
    assert Api(cast["boss"]).post(f"/api/checkins/blockers/{blocker.pk}/{path}", {}).status_code == 200


@pytest.mark.parametrize("who", sorted(RULES))
def test_page_and_api_answer_the_blocker_rule_alike(client, cast, who):
    blocker = blocker_of(cast["author"])
    sees, manages, _ = RULES[who]
    api = Api(cast[who]).post(f"/api/checkins/blockers/{blocker.pk}/acknowledge", {}).status_code
    login(client, cast[who])
    page = client.post(reverse("checkins_blocker_acknowledge", args=[blocker.pk])).status_code
    # The API says 403 to someone who may see but not act; a page hides both behind a 404.
    assert (api, page) == ((200, 302) if manages else ((403, 404) if sees else (404, 404)))


@pytest.mark.parametrize(
    ("who", "sees", "manages"),
    [("teammate", True, False), ("lead", True, True), ("admin", True, True), ("stranger", False, False)],
)
def test_access_team(cast, team, who, sees, manages):
    if not sees:
        with pytest.raises(Http404):
            queries.access_team(cast[who], team.pk)
        return
    access = queries.access_team(cast[who], team.pk)
    assert (access.team, access.can_manage) == (team, manages)
