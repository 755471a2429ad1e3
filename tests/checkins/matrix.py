"""Check-in pages for the access-matrix harness (tests/access.py).

MANAGERS means the team's managers (anyone who manages someone in the team) and admins; the blocker
is a colleague's, nobody's report but in the team, so only they may act on it.
"""

from accord.checkins.models import Blocker
from tests.access import EVERYONE, MANAGERS, Matrix, Page, cast, stranger
from tests.factories import PersonFactory
from tests.factories.checkins import blocker_of


def world(org, other_org, team, role):
    people = cast(org, team)
    colleague = PersonFactory(org=org, team=team)
    outsider = stranger(other_org)
    own = {"team": team, "blocker": blocker_of(colleague)}
    foreign = {"team": outsider.team, "blocker": blocker_of(outsider)}
    return people, own, foreign


def untouched(foreign):
    assert Blocker.objects.get(pk=foreign["blocker"].pk).status == "open"


MATRIX = Matrix(
    app="checkins",
    world=world,
    untouched=untouched,
    pages={
        "checkins": Page("get", None, EVERYONE, 200),
        "checkins_prompt_time": Page("post", None, EVERYONE, 302),
        "checkins_digest": Page("post", None, EVERYONE, 302),
        "checkins_team": Page("get", "team", EVERYONE, 200),  # everyone in the world is in the team
        "checkins_team_settings": Page("get", "team", MANAGERS, 200),
        "checkins_blocker_acknowledge": Page("post", "blocker", MANAGERS, 302),
        "checkins_blocker_resolve": Page("post", "blocker", MANAGERS, 302),
    },
)
