"""Every handoff page against every role, another organisation's objects, and signed-out visitors.

MATRIX is read by tests/test_access_matrix.py. MANAGERS: the team's managers (anyone who manages
someone in the team) and admins. SHIFT: only people of the shift (in `world`, the member is in the
outgoing shift and nobody else of the four roles is in any shift). RECEIVERS: the receiving shift
and MANAGERS (the member is not in the receiving shift).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accord.handoffs.actions import ItemIn, ShiftIn, save_chain, write_handoff
from accord.handoffs.models import Chain, Handoff, Item, Shift
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

EVERYONE, MANAGERS, SHIFT, RECEIVERS = "everyone", "managers", "shift", "receivers"
MATRIX = {
    "handoffs": ("get", None, EVERYONE),
    "handoffs_chain_new": ("get", None, MANAGERS),
    "handoffs_chain": ("get", "chain", EVERYONE),
    "handoffs_chain_edit": ("get", "chain", MANAGERS),
    "handoffs_write": ("get", "chain", SHIFT),
    "handoffs_handoff": ("get", "handoff", EVERYONE),
    "handoffs_acknowledge": ("post", "handoff", RECEIVERS),
    # People of any of the chain's shifts and MANAGERS: in `world` that is all four roles.
    "handoffs_item": ("post", "item", EVERYONE),
}
ROLES = ["member", "manager", "admin", "owner"]
AT = dt.datetime(2026, 1, 14, 16, 50, tzinfo=dt.UTC)  # Wednesday, end of the London day shift


def chain_in(org, team, actor, day_people, night_people):
    chain = save_chain(
        Chain(org=org),
        actor=actor,
        team=team,
        name="Round the clock",
        ack_within=30,
        escalate_after=30,
        shifts=[
            ShiftIn(
                "Day", "Europe/London", dt.time(5), dt.time(17), "1234567", people=[p.pk for p in day_people]
            ),
            ShiftIn(
                "Night",
                "Europe/London",
                dt.time(17),
                dt.time(5),
                "1234567",
                overnight=True,
                people=[p.pk for p in night_people],
            ),
        ],
        today=AT.date(),
    )
    day = Shift.objects.get(chain=chain, name="Day")
    item = ItemIn(None, "Refund stuck", night_people[0].pk)
    handoff = write_handoff(chain, day_people[0], from_shift=day, items=[item], now=AT)
    return chain, handoff


@pytest.fixture
def world(org, other_org, team):
    people = {
        "member": PersonFactory(org=org, team=team, role=Role.MEMBER),
        "manager": PersonFactory(org=org, team=team, role=Role.MEMBER),
        "admin": PersonFactory(org=org, team=team, role=Role.ADMIN),
        "owner": PersonFactory(org=org, team=team, role=Role.OWNER),
    }
    people["member"].manager = people["manager"]
    people["member"].save()
    colleague = PersonFactory(org=org, team=team)
    chain, handoff = chain_in(org, team, people["admin"], [people["member"]], [colleague])
    stranger_team = TeamFactory(org=other_org)
    stranger = PersonFactory(org=other_org, team=stranger_team, role=Role.ADMIN)
    night = PersonFactory(org=other_org, team=stranger_team)
    foreign_chain, foreign_handoff = chain_in(other_org, stranger_team, stranger, [stranger], [night])
    own = {"chain": chain, "handoff": handoff, "item": Item.objects.get(chain=chain)}
    foreign = {
        "chain": foreign_chain,
        "handoff": foreign_handoff,
        "item": Item.objects.get(chain=foreign_chain),
    }
    return people, own, foreign


def call(client, name, method, obj):
    url = reverse(name, args=[obj.pk] if obj is not None else [])
    return client.post(url, {}) if method == "post" else client.get(url)


def allowed(rule, role):
    return {
        EVERYONE: True,
        MANAGERS: role != "member",
        SHIFT: role == "member",
        RECEIVERS: role != "member",
    }[rule]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, role, name):
    people, own, _ = world
    method, kind, rule = MATRIX[name]
    login(client, people[role])
    response = call(client, name, method, own[kind] if kind else None)
    if allowed(rule, role):
        assert response.status_code in {200, 302}, response.status_code
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, (_, kind, _) in MATRIX.items() if kind))
def test_another_organisations_object_is_404(client, world, role, name):
    people, _, foreign = world
    method, kind, _ = MATRIX[name]
    login(client, people[role])
    assert call(client, name, method, foreign[kind]).status_code == 404
    assert Handoff.objects.get(pk=foreign["handoff"].pk).acknowledged_at is None
    assert Item.objects.get(pk=foreign["item"].pk).owner_id == foreign["item"].owner_id


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_signed_out_visitors_are_sent_to_sign_in(client, world, name):
    _, own, _ = world
    method, kind, _ = MATRIX[name]
    response = call(client, name, method, own[kind] if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_manager_of_another_team_cannot_change_this_chain_or_acknowledge(client, world, org):
    _, own, _ = world
    sales = TeamFactory(org=org, name="Sales")
    lead = PersonFactory(org=org, team=sales)
    PersonFactory(org=org, team=sales, manager=lead)
    login(client, lead)
    assert client.get(reverse("handoffs_chain_edit", args=[own["chain"].pk])).status_code == 404
    assert client.post(reverse("handoffs_acknowledge", args=[own["handoff"].pk])).status_code == 404
    assert (
        client.post(reverse("handoffs_item", args=[own["item"].pk]), {"status": "closed"}).status_code == 404
    )
    assert client.get(reverse("handoffs_chain", args=[own["chain"].pk])).status_code == 200
    # Their own team is theirs to set up.
    assert client.get(reverse("handoffs_chain_new") + f"?team={sales.pk}").status_code == 200
    assert client.get(reverse("handoffs_chain_new") + f"?team={own['chain'].team_id}").status_code == 404


def test_get_is_refused_on_the_acknowledge_button(client, world):
    people, own, _ = world
    login(client, people["admin"])
    assert client.get(reverse("handoffs_acknowledge", args=[own["handoff"].pk])).status_code == 405
