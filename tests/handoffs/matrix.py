"""Handoff pages for the access-matrix harness (tests/access.py).

MANAGERS: the team's managers (anyone who manages someone in the team) and admins. SHIFT: only people
of the shift (the member is in the outgoing day shift, nobody else of the four roles is in any shift).
RECEIVERS: the receiving night shift and MANAGERS (the member is not in the receiving shift).
"""

from accord.handoffs.models import Handoff, Item
from tests.access import EVERYONE, MANAGERS, Matrix, Page, cast, stranger
from tests.factories import PersonFactory
from tests.factories.handoffs import round_the_clock

SHIFT = frozenset({"member"})
RECEIVERS = MANAGERS


def objects(chain, handoff):
    return {"chain": chain, "handoff": handoff, "item": Item.objects.get(chain=chain)}


def world(org, other_org, team, role):
    people = cast(org, team)
    colleague = PersonFactory(org=org, team=team)
    own = objects(*round_the_clock(org, team, people["admin"], [people["member"]], [colleague]))
    outsider = stranger(other_org)
    night = PersonFactory(org=other_org, team=outsider.team)
    foreign = objects(*round_the_clock(other_org, outsider.team, outsider, [outsider], [night]))
    return people, own, foreign


def untouched(foreign):
    assert Handoff.objects.get(pk=foreign["handoff"].pk).acknowledged_at is None
    assert Item.objects.get(pk=foreign["item"].pk).owner_id == foreign["item"].owner_id


MATRIX = Matrix(
    app="handoffs",
    world=world,
    untouched=untouched,
    pages={
        "handoffs": Page("get", None, EVERYONE, 200),
        "handoffs_chain_new": Page("get", None, MANAGERS, 200),
        "handoffs_chain": Page("get", "chain", EVERYONE, 200),
        "handoffs_chain_edit": Page("get", "chain", MANAGERS, 200),
        "handoffs_write": Page("get", "chain", SHIFT, 200),
        "handoffs_handoff": Page("get", "handoff", EVERYONE, 200),
        "handoffs_acknowledge": Page("post", "handoff", RECEIVERS, 302),
        # People of any of the chain's shifts and MANAGERS: here that is all four roles.
        "handoffs_item": Page("post", "item", EVERYONE, 302),
    },
)
