"""The one org-chart walk (accord/orgs/chart.py): above, below, team subtrees, loops and leavers."""

from __future__ import annotations

import pytest

from accord.orgs import chart
from accord.orgs.models import Person, Role
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(org, team):
    """ceo ← vp ← lead ← dev, plus a peer of lead under vp."""
    ceo = PersonFactory(org=org, name="Ceo")
    vp = PersonFactory(org=org, name="Vp", manager=ceo)
    lead = PersonFactory(org=org, name="Lead", manager=vp)
    dev = PersonFactory(org=org, name="Dev", manager=lead, team=team)
    peer = PersonFactory(org=org, name="Peer", manager=vp)
    return ceo, vp, lead, dev, peer


def test_above_is_nearest_first_and_below_is_everyone_under(line):
    ceo, vp, lead, dev, peer = line
    assert chart.managers_above(dev) == [lead.pk, vp.pk, ceo.pk]
    assert chart.managers_above(ceo) == []
    assert chart.reports_below(vp) == {lead.pk, dev.pk, peer.pk}
    assert chart.reports_below(dev) == set()
    assert chart.is_above(ceo, dev) is True
    assert chart.is_above(peer, dev) is False
    assert chart.is_above(dev, dev) is False


def test_the_line_runs_through_a_deactivated_middle_manager(line):
    ceo, vp, lead, dev, peer = line
    Person.objects.filter(pk=lead.pk).update(is_active=False)
    assert chart.managers_above(dev) == [lead.pk, vp.pk, ceo.pk]
    assert chart.managers_above(dev, active_only=True) == [vp.pk, ceo.pk]
    assert chart.reports_below(vp) == {lead.pk, dev.pk, peer.pk}
    assert chart.reports_below(vp, active_only=True) == {dev.pk, peer.pk}
    assert chart.is_above(vp, dev) is True


def test_a_loop_written_around_the_rules_ends_the_walk(org):
    a = PersonFactory(org=org, name="A")
    b = PersonFactory(org=org, name="B", manager=a)
    c = PersonFactory(org=org, name="C", manager=b)
    # check_person refuses loops; a bulk update does not go through it.
    Person.objects.filter(pk=a.pk).update(manager=c)
    assert chart.managers_above(c) == [b.pk, a.pk]
    assert chart.reports_below(a) == {b.pk, c.pk}
    self_loop = PersonFactory(org=org, name="S")
    Person.objects.filter(pk=self_loop.pk).update(manager=self_loop)
    assert chart.managers_above(Person.objects.get(pk=self_loop.pk)) == []
    assert chart.reports_below(self_loop) == set()


def test_another_organisations_people_are_never_above_or_below(org, other_org, line):
    ceo, *_ = line
    outsider = PersonFactory(org=other_org, name="Out", role=Role.ADMIN)
    assert chart.is_above(outsider, ceo) is False
    assert chart.reports_below(outsider) == set()


def test_team_subtrees_take_children_guard_loops_and_drop_foreign_ids(org, other_org):
    top = TeamFactory(org=org, name="Top")
    mid = TeamFactory(org=org, name="Mid", parent=top)
    leaf = TeamFactory(org=org, name="Leaf", parent=mid)
    aside = TeamFactory(org=org, name="Aside")
    foreign = TeamFactory(org=other_org, name="Foreign")
    assert chart.team_subtrees(org.pk, [top.pk]) == {top.pk, mid.pk, leaf.pk}
    assert chart.team_subtrees(org.pk, [mid.pk, aside.pk, foreign.pk]) == {mid.pk, leaf.pk, aside.pk}
    type(top).objects.filter(pk=top.pk).update(parent=leaf)
    assert chart.team_subtrees(org.pk, [mid.pk]) == {top.pk, mid.pk, leaf.pk}


def test_managing_a_team_means_an_active_direct_report_in_it(org, other_org, team, manager, member):
    assert chart.manages_team(manager, team) is True
    assert chart.manages_team(member, team) is False
    Person.objects.filter(pk=member.pk).update(is_active=False)
    assert chart.manages_team(manager, team) is False
    foreign_admin = PersonFactory(org=other_org, role=Role.ADMIN)
    assert chart.manages_team(foreign_admin, team) is False


def test_two_queries_whatever_the_size_of_the_chart(org, line, django_assert_num_queries):
    ceo, *_, dev, peer = line
    for n in range(30):
        PersonFactory(org=org, name=f"Extra {n}", manager=ceo)
    with django_assert_num_queries(2):  # whether they manage anyone, then the chart
        assert len(chart.reports_below(ceo)) == 34
    with django_assert_num_queries(1):  # someone who manages nobody never reads the chart
        assert chart.reports_below(dev) == set()


def test_every_app_follows_the_line_through_a_leaver(org, team, line):
    """The pulse scope used to stop at a deactivated middle manager while goals and check-ins walked
    through them: the manager above lost the leaver's reports in pulse results only."""
    from accord.checkins.queries import sees_participation
    from accord.goals.queries import reports_below, sees_signals_of
    from accord.pulse.queries import viewer_scope

    ceo, vp, lead, dev, peer = line
    Person.objects.filter(pk=lead.pk).update(is_active=False)
    assert sees_participation(vp, dev) is True
    assert sees_signals_of(vp, dev) is True
    assert dev.pk in reports_below(vp)
    assert viewer_scope(vp) == frozenset({team.pk})


def test_a_leavers_own_team_does_not_widen_a_pulse_scope(org, team):
    from accord.pulse.queries import viewer_scope

    boss = PersonFactory(org=org, name="Boss")
    PersonFactory(org=org, name="Gone", manager=boss, team=team, is_active=False)
    assert viewer_scope(boss) == "org"
