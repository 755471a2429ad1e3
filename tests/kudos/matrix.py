"""Kudos pages for the access-matrix harness (tests/access.py). MANAGERS here means people with reports
only: admins without reports do not see who has gone unrecognised either."""

from accord.kudos.models import Reaction
from tests.access import ADMINS, EVERYONE, Matrix, Page, cast, stranger
from tests.factories import PersonFactory
from tests.factories.kudos import CompanyValueFactory, thank

MANAGERS = frozenset({"manager"})


def objects_in(org, team, giver, recipient):
    return {
        "kudos": thank(giver, recipient),
        "team": team,
        "value": CompanyValueFactory(org=org, name="Candour"),
    }


def world(org, other_org, team, role):
    people = cast(org, team)
    a, b = PersonFactory(org=org, team=team), PersonFactory(org=org, team=team)
    outsider = stranger(other_org)
    foreign = objects_in(other_org, outsider.team, outsider, PersonFactory(org=other_org, team=outsider.team))
    return people, objects_in(org, team, a, b), foreign


def untouched(foreign):
    assert not Reaction.objects.filter(kudos=foreign["kudos"]).exists()


MATRIX = Matrix(
    app="kudos",
    world=world,
    form=lambda name, obj: {"kind": "star"},
    untouched=untouched,
    pages={
        "kudos": Page("get", None, EVERYONE, 200),
        "kudos_give": Page("get", None, EVERYONE, 200),
        # A public kudos: everyone in the organisation may react.
        "kudos_react": Page("post", "kudos", EVERYONE, 302),
        "kudos_team": Page("get", "team", EVERYONE, 200),
        "kudos_recognition": Page("get", None, MANAGERS, 200),
        "kudos_values": Page("get", None, ADMINS, 200),
        "kudos_value_edit": Page("get", "value", ADMINS, 200),
        "kudos_settings": Page("get", None, EVERYONE, 200),
    },
)
