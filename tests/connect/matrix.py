"""Coffee and profile pages for the access-matrix harness (tests/access.py): a coffee group of `member`
and `manager`, and `colleague`, a member outside it."""

from accord.connect.actions import join_coffee, pair_coffee_round, save_profile
from tests.access import ADMINS, ROLES, Matrix, Page, cast, stranger
from tests.factories import PersonFactory

EVERYONE = frozenset({*ROLES, "colleague"})
SEEN_BY = frozenset({"member", "manager", "admin", "owner"})  # its people and admins
ANSWERED_BY = frozenset({"member", "manager"})  # its people only


def objects_for(org, a, b):
    join_coffee(a)
    join_coffee(b)
    rnd = pair_coffee_round(org)
    save_profile(a, how_i_work="Mornings, with the door closed.")
    return {"round": rnd, "group": rnd.groups.get(), "person": a}


def world(org, other_org, team, role):
    people = cast(org, team)
    people["colleague"] = PersonFactory(org=org, team=team)
    own = objects_for(org, people["member"], people["manager"])
    outsider = stranger(other_org)
    foreign = objects_for(other_org, outsider, PersonFactory(org=other_org, team=outsider.team))
    return people, own, foreign


MATRIX = Matrix(
    app="connect",
    world=world,
    roles=(*ROLES, "colleague"),
    form=lambda name, obj: {"action": "leave", "met": "yes"},
    pages={
        "coffee": Page("get", None, EVERYONE, 200),
        "coffee_optin": Page("post", None, EVERYONE, 302),
        "coffee_intro": Page("get", "group", SEEN_BY, 200),
        "coffee_met": Page("post", "group", ANSWERED_BY, 302),
        "coffee_round": Page("get", "round", EVERYONE, 200),
        "coffee_admin": Page("get", None, ADMINS, 200),
        "coffee_run_now": Page("post", None, ADMINS, 302),
        "profiles": Page("get", None, EVERYONE, 200),
        "profile": Page("get", "person", EVERYONE, 200),
        "profile_edit": Page("get", None, EVERYONE, 200),
    },
)
