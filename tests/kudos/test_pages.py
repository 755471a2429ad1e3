"""Kudos through the pages: giving (and every refusal, next to its field), who sees private kudos,
the team feed, reactions with htmx, company values, celebration settings, the person page's figures
(the transparency mirror) and the manager's view of who went unrecognised."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from accord.kudos.models import CompanyValue, Kudos, KudosPreferences, KudosRecipient, Reaction
from accord.lib.tz import UTC
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.factories.kudos import thank

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(org, team):
    return PersonFactory(org=org, team=team, name="Cleo Colleague", email="cleo@acme.test")


@pytest.fixture
def value(org):
    return CompanyValue.objects.create(org=org, name="Own the outcome", description="Finish what we start.")


def give(client, **data):
    data.setdefault("visibility", "public")
    return client.post(reverse("kudos_give"), data)


# --- giving --------------------------------------------------------------------------------------


def test_give_public_kudos_to_two_people_with_a_value(as_member, member, colleague, manager, value):
    response = give(
        as_member,
        recipients=[colleague.pk, manager.pk],
        message="  Thank you both for covering the release on Friday.  ",
        value=value.pk,
    )
    assert response.status_code == 302
    kudos = Kudos.objects.get()
    assert (kudos.giver, kudos.message, kudos.value, kudos.public, kudos.share_with_manager) == (
        member,
        "Thank you both for covering the release on Friday.",
        value,
        True,
        False,
    )
    assert sorted(kudos.recipients.values_list("person__name", flat=True)) == [
        "Cleo Colleague",
        "Maya Manager",
    ]
    page = as_member.get(response["Location"]).content.decode()
    assert "Kudos sent to Cleo Colleague, Maya Manager on the feed." in page
    assert "Thank you both for covering the release on Friday." in page
    assert "Own the outcome" in page


NOBODY = "Choose at least one person to thank."
SELF = "Kudos are for other people: take yourself off the list."
ELSEWHERE = "You can only thank people in your own organisation."
BLANK = "Write a few words about what they did."
NOT_OURS = "Choose one of your organisation's current values, or none."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param({"message": "Great work"}, "recipients", NOBODY, id="nobody"),
        pytest.param({"recipients": "self", "message": "Me!"}, "recipients", SELF, id="only-self"),
        pytest.param({"recipients": "outsider", "message": "Hi"}, "recipients", ELSEWHERE, id="other-org"),
        pytest.param({"recipients": "too-big", "message": "Hi"}, "recipients", ELSEWHERE, id="id-too-big"),
        pytest.param({"recipients": "colleague", "message": "   "}, "message", BLANK, id="blank-message"),
        pytest.param(
            {"recipients": "colleague", "message": "Hi", "value": "foreign"},
            "value",
            NOT_OURS,
            id="foreign-value",
        ),
        pytest.param(
            {"recipients": "colleague", "message": "Hi", "value": "retired"},
            "value",
            NOT_OURS,
            id="retired-value",
        ),
    ],
)
def test_bad_kudos_are_refused_next_to_the_field_and_keep_what_was_typed(
    as_member, member, colleague, outsider, value, other_org, data, field, message
):
    ids = {"self": member.pk, "outsider": outsider.pk, "colleague": colleague.pk, "too-big": 10**20}
    values = {
        "foreign": CompanyValue.objects.create(org=other_org, name="Theirs").pk,
        "retired": CompanyValue.objects.create(org=member.org, name="Old", active=False).pk,
    }
    if "recipients" in data:
        data["recipients"] = [ids[data["recipients"]]]
    if "value" in data:
        data["value"] = values[data["value"]]
    response = give(as_member, **data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    html = response.content.decode()
    assert f'<p class="field-error" id="id_{field}_error">{message}</p>'.replace("'", "&#x27;") in html
    if data["message"].strip():
        assert f">\n{data['message']}</textarea>" in html  # nothing typed is lost
    assert not Kudos.objects.exists()


def test_the_giver_is_not_offered_as_a_recipient_and_recipients_can_be_prefilled(
    as_member, member, manager, colleague
):
    page = as_member.get(reverse("kudos_give") + f"?to={colleague.pk}").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="recipients" value="(\d+)"[^>]*?( checked)?>', page)
    # Only the one from the link, already ticked: the others are found by searching, not listed.
    assert [(int(pk), bool(on)) for pk, on in boxes] == [(colleague.pk, True)]
    assert '"scope": "others"' in page
    found = as_member.get(
        reverse("person_pick"), {"field": "recipients", "recipients": "m", "scope": "others"}
    )
    assert found.status_code == 200
    found = as_member.get(
        reverse("person_pick"), {"field": "recipients", "recipients": "ma", "scope": "others"}
    )
    assert f'data-pick="{manager.pk}"' in found.content.decode()
    assert f'data-pick="{member.pk}"' not in found.content.decode()


# --- who sees what ----------------------------------------------------------------------------


@pytest.fixture
def private_kudos(org, team, member, manager, colleague):
    """Cleo thanks Milo privately, and lets Milo's manager (Maya) read it."""
    return thank(
        colleague,
        member,
        message="Quietly: your runbook saved my night.",
        public=False,
        share_with_manager=True,
    )


def test_a_private_kudos_is_read_only_by_giver_recipient_and_chosen_manager(
    client, org, team, member, manager, colleague, admin, private_kudos
):
    teammate = PersonFactory(org=org, team=team, name="Tess Teammate")
    words = "Quietly: your runbook saved my night."
    pages = [
        reverse("kudos"),
        reverse("kudos") + "?show=mine",
        reverse("kudos_team", args=[team.pk]),
        reverse("person", args=[member.pk]),
    ]
    for person, sees in [
        (member, True),
        (colleague, True),
        (manager, True),
        (admin, False),
        (teammate, False),
    ]:
        login(client, person)
        seen = [words in client.get(url).content.decode() for url in pages]
        if (
            person == colleague
        ):  # the giver reads it on the feeds and the recipient's page, not under "Thanking me"
            assert seen == [True, False, True, True]
        else:
            assert seen == ([True, True, True, True] if person == member else [sees, False, sees, sees]), (
                person.name
            )
    login(client, member)
    assert (
        "Only Cleo Colleague, Milo Member and Maya Manager can read this."
        in client.get(reverse("kudos")).content.decode()
    )


def test_a_private_kudos_not_shared_with_the_manager_stays_from_the_manager(
    client, member, manager, colleague
):
    thank(colleague, member, message="Just between us: thank you.", public=False, share_with_manager=False)
    login(client, manager)
    assert "Just between us" not in client.get(reverse("person", args=[member.pk])).content.decode()
    assert "Just between us" not in client.get(reverse("kudos")).content.decode()
    login(client, member)
    assert "Just between us" in client.get(reverse("kudos")).content.decode()


def test_a_later_manager_does_not_inherit_private_kudos(
    client, org, team, member, manager, colleague, private_kudos
):
    newcomer = PersonFactory(org=org, team=team, name="Nina New-Manager")
    member.manager = newcomer
    member.save()
    login(client, newcomer)
    assert "your runbook" not in client.get(reverse("person", args=[member.pk])).content.decode()
    login(client, manager)  # the manager the giver chose still may
    assert "your runbook" in client.get(reverse("person", args=[member.pk])).content.decode()


def test_the_team_feed_shows_public_kudos_to_its_members_only(client, org, team, member, colleague):
    sales = TeamFactory(org=org, name="Sales")
    seller = PersonFactory(org=org, team=sales, name="Sam Seller")
    thank(member, colleague, message="Engineering thanks")
    thank(member, seller, message="Sales thanks")
    login(client, member)
    engineering = client.get(reverse("kudos_team", args=[team.pk])).content.decode()
    sales_page = client.get(reverse("kudos_team", args=[sales.pk])).content.decode()
    assert ("Engineering thanks" in engineering, "Sales thanks" in engineering) == (True, False)
    assert ("Engineering thanks" in sales_page, "Sales thanks" in sales_page) == (False, True)
    everyone = client.get(reverse("kudos")).content.decode()
    assert "Engineering thanks" in everyone and "Sales thanks" in everyone


# --- reactions ------------------------------------------------------------------------------


def test_reactions_toggle_one_of_each_kind_per_person_with_htmx(client, member, colleague, manager):
    kudos = thank(colleague, member)
    url = reverse("kudos_react", args=[kudos.pk])
    login(client, manager)
    response = client.post(url, {"kind": "star", "next": "/kudos/"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<form method="post" action="' + url)
    assert 'value="star" class="kudos-reaction is-mine" aria-pressed="true"' in html
    assert '<span class="kudos-count">1</span>' in html
    client.post(url, {"kind": "heart"}, HTTP_HX_REQUEST="true")
    login(client, member)
    client.post(url, {"kind": "star"}, HTTP_HX_REQUEST="true")
    counts = sorted(Reaction.objects.filter(kudos=kudos).values_list("person__name", "kind"))
    assert counts == [("Maya Manager", "heart"), ("Maya Manager", "star"), ("Milo Member", "star")]
    html = client.post(url, {"kind": "star"}, HTTP_HX_REQUEST="true").content.decode()  # and off again
    assert 'value="star" class="kudos-reaction" aria-pressed="false"' in html
    assert Reaction.objects.filter(kudos=kudos, kind="star").count() == 1


def test_an_unknown_reaction_is_refused(client, member, colleague):
    kudos = thank(colleague, member)
    login(client, member)
    response = client.post(
        reverse("kudos_react", args=[kudos.pk]), {"kind": "thumbsdown"}, HTTP_HX_REQUEST="true"
    )
    assert (response.status_code, response.content.decode()) == (
        400,
        "Choose one of: heart, star, sun, smile, agree.",
    )
    assert not Reaction.objects.exists()


# --- values and settings --------------------------------------------------------------------


def test_admins_add_edit_and_retire_values(as_admin, org):
    response = as_admin.post(
        reverse("kudos_values"), {"name": "Write it down", "description": "Async first.", "active": "on"}
    )
    assert response.status_code == 302
    value = CompanyValue.objects.get(org=org)
    duplicate = as_admin.post(reverse("kudos_values"), {"name": "write it down", "active": "on"})
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors["name"] == ["There is already a value called “write it down”."]
    blank = as_admin.post(reverse("kudos_values"), {"name": "   "})
    assert blank.context["form"].errors["name"] == ["This field is required."]
    as_admin.post(
        reverse("kudos_value_edit", args=[value.pk]), {"name": "Write it down", "description": "Async first."}
    )
    value.refresh_from_db()
    assert (value.name, value.active) == ("Write it down", False)
    form = as_admin.get(reverse("kudos_give")).context["form"]
    assert "value" not in form.fields  # no active value left: the field is not offered


def test_people_opt_out_of_anniversary_and_birthday(as_member, member):
    response = as_member.post(reverse("kudos_settings"), {"celebrate_birthday": "on", "digest": "on"})
    assert response.status_code == 302
    prefs = KudosPreferences.objects.get(person=member)
    assert (prefs.celebrate_anniversary, prefs.celebrate_birthday, prefs.digest) == (False, True, True)
    page = as_member.get(reverse("kudos_settings")).content.decode()
    assert "No birthday on your profile" in page and reverse("person_edit", args=[member.pk]) in page


# --- the person page and the manager's view -----------------------------------------------------

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=UTC)


def test_the_person_and_their_manager_read_the_same_figures(client, org, team, member, manager, colleague):
    with time_machine.travel(NOW - dt.timedelta(days=100), tick=False):
        thank(colleague, member)  # outside the 90-day window
    with time_machine.travel(NOW - dt.timedelta(days=12), tick=False):
        thank(colleague, member, public=False)
        thank(manager, member, colleague)
        thank(member, colleague, manager)
    sentence = "In the last 90 days Milo Member received 2 kudos from 2 people and gave 1 kudos to 2 people."
    last = "Milo Member was last recognised 12 days ago."
    with time_machine.travel(NOW, tick=False):
        for viewer in (member, manager):
            login(client, viewer)
            page = client.get(reverse("person", args=[member.pk])).content.decode()
            assert f'<p class="kudos-figures">{sentence}</p>' in page, viewer.name
            assert f'<p class="kudos-figures">{last}</p>' in page, viewer.name
        login(client, colleague)  # a teammate sees the kudos they may read, never the figures
        page = client.get(reverse("person", args=[member.pk])).content.decode()
        assert "kudos-figures" not in page and "Thanks for the careful review." in page


def test_only_a_manager_sees_which_reports_went_unrecognised(client, org, team, member, manager, colleague):
    recent = PersonFactory(org=org, team=team, manager=manager, name="Rita Recent")
    stale = PersonFactory(org=org, team=team, manager=manager, name="Stan Stale")
    other_lead = PersonFactory(org=org, team=team, name="Olga Other-Lead")
    PersonFactory(org=org, team=team, manager=other_lead, name="Pia Report")
    with time_machine.travel(NOW - dt.timedelta(days=45), tick=False):
        thank(colleague, stale)
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        thank(colleague, recent, public=False)  # private kudos count as recognition too
    with time_machine.travel(NOW, tick=False):
        login(client, manager)
        page = client.get(reverse("kudos_recognition")).content.decode()
        assert "2 of 3" in page
        never = "Nobody has recognised Milo Member in the last 30 days, nor before."
        stale_words = "Nobody has recognised Stan Stale in the last 30 days; the last time was 45 days ago."
        assert never in page and stale_words in page
        assert "Rita Recent" not in page
        home = client.get(reverse("home")).content.decode()
        assert "Not recognised in the last 30 days" in home and "Stan Stale" in home
        for outsider in (member, colleague):
            login(client, outsider)
            assert client.get(reverse("kudos_recognition")).status_code == 404
            assert "Not recognised in the last 30 days" not in client.get(reverse("home")).content.decode()
        login(client, other_lead)  # an unrelated manager sees only their own report
        page = client.get(reverse("kudos_recognition")).content.decode()
        assert "Pia Report" in page and "Milo Member" not in page and "Stan Stale" not in page
        # ... and each report reads the same words about themselves on their own page.
        for person, words in ((member, never), (stale, stale_words)):
            login(client, person)
            page = client.get(reverse("person", args=[person.pk])).content.decode()
            assert f'<p class="kudos-figures">{words}</p>' in page, person.name


def test_nav_and_pages_link_to_kudos(as_member, member, colleague):
    home = as_member.get(reverse("home")).content.decode()
    assert f'href="{reverse("kudos")}"' in home and reverse("kudos_give") in home
    person = as_member.get(reverse("person", args=[colleague.pk])).content.decode()
    assert f"{reverse('kudos_give')}?to={colleague.pk}" in person
    assert KudosRecipient.objects.count() == 0


def test_the_team_page_links_to_the_team_kudos_feed(client, org, team):
    from tests.factories import PersonFactory

    login(client, PersonFactory(org=org, team=team))
    page = client.get(reverse("team", args=[team.pk])).content.decode()
    assert reverse("kudos_team", args=[team.pk]) in page


def test_odd_digits_in_query_strings_are_ignored(as_member):
    # "²" passes str.isdigit() but int() refuses it.
    assert as_member.get(reverse("kudos"), {"page": "²"}).status_code == 200
    response = as_member.get(reverse("kudos_give"), {"to": "²"})
    assert response.status_code == 200 and not response.context["form"].initial
