"""The demo's kudos: six months of them, public and private, with values and reactions, repeatable,
and celebrations on the day the demo is made."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.db.models import F

from accord.demo.kudos import build_kudos
from accord.demo.people import build_people
from accord.kudos import queries
from accord.kudos.models import CompanyValue, Kudos, KudosPreferences, KudosRecipient, Reaction
from accord.orgs.models import Organisation, Person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
NOON = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def build(slug):
    org = Organisation.objects.create(name="Wonderful", slug=slug)
    cast = build_people(org, today=TODAY, password_hash=make_password("x"))
    started = time.perf_counter()
    build_kudos(cast)
    return org, cast, time.perf_counter() - started


def snapshot(org):
    return list(
        KudosRecipient.objects.filter(org=org)
        .order_by("kudos__created_at", "person__email")
        .values_list(
            "kudos__giver__email", "person__email", "kudos__message", "kudos__public", "kudos__value__name"
        )
    )


def test_six_months_of_kudos_public_and_private_with_values_and_reactions():
    org, cast, seconds = build("demo-a")
    print(f"build_kudos: {seconds:.2f} s")  # reported, never asserted
    kudos = Kudos.objects.filter(org=org)
    first, last = kudos.order_by("created_at").first(), kudos.order_by("created_at").last()
    assert (TODAY - first.created_at.date()).days >= 170
    assert last.created_at.date() < TODAY
    total = kudos.count()
    assert total >= 300
    private = kudos.filter(public=False).count()
    assert 0.15 * total < private < 0.35 * total
    assert 0 < kudos.filter(share_with_manager=True).count() < private
    assert kudos.filter(public=True, share_with_manager=True).count() == 0
    assert kudos.exclude(value=None).count() > total / 2
    assert CompanyValue.objects.filter(org=org).count() == 5
    assert Reaction.objects.filter(org=org).count() > total
    # Nobody thanks themselves, and shared-with-manager rows name the recipient's manager.
    assert not KudosRecipient.objects.filter(org=org, person_id=F("kudos__giver_id")).exists()
    for r in KudosRecipient.objects.filter(org=org, kudos__share_with_manager=True).select_related("person"):
        assert r.manager_id == r.person.manager_id
    # Kudos cross departments too.
    assert KudosRecipient.objects.filter(org=org).exclude(team_id=F("kudos__giver__team_id")).count() > 50
    assert KudosPreferences.objects.filter(org=org).count() == Person.objects.filter(org=org).count()


def test_the_personas_have_a_story_and_celebrations_show_today():
    org, cast, _ = build("demo-b")
    member, lead = cast.by_key["l1_member"], cast.by_key["l1_lead"]
    mine = queries.feed(member, person=member)
    assert {k.public for k in mine} == {True, False}
    assert len(queries.unrecognised_reports(lead, NOON)) == 2
    assert not queries.recognition(member, NOON).unrecognised
    kinds = sorted(c.kind for c in queries.celebrating(queries.celebration_circle(member), NOON))
    assert kinds == ["anniversary", "birthday"]


def test_same_day_same_kudos():
    a, _, _ = build("demo-c")
    b, _, _ = build("demo-d")
    assert snapshot(a) == snapshot(b)


def test_the_demo_holds_only_kudos_the_kudos_page_would_accept():
    """Given through give_kudos (issue #12): nobody thanks themselves, a departed or foreign colleague,
    with an empty or overlong message or an inactive value."""
    from accord.kudos.actions import MESSAGE_MAX

    org, _, _ = build("demo-rules")
    kudos = Kudos.objects.filter(org=org).select_related("value").prefetch_related("recipients__person")
    assert kudos.exists()
    for k in kudos:
        people = [r.person for r in k.recipients.all()]
        assert people and all(p.org_id == org.pk and p.is_active and p.pk != k.giver_id for p in people)
        assert 0 < len(k.message) <= MESSAGE_MAX and k.message == k.message.strip()
        assert k.value is None or (k.value.active and k.value.org_id == org.pk)
        # Recipients are dated with the kudos they got, as the action writes them.
        assert [r.created_at for r in k.recipients.all()] == [k.created_at] * len(people)
    assert sorted(CompanyValue.objects.filter(org=org).values_list("name", flat=True)) == sorted(
        set(CompanyValue.objects.filter(org=org).values_list("name", flat=True))
    )
