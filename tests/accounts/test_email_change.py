"""Settings › Sign-in address: a user changes their own address, confirmed at the new one."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from accord.accounts.actions import invitation_token, invite_person
from accord.accounts.models import Invitation, User
from accord.orgs.models import Person
from tests.conftest import login
from tests.factories import PASSWORD, PersonFactory, UserFactory

NEW = "milo.new@example.test"


@pytest.fixture
def twice(member, other_org):
    """member's sign-in also belongs to a second organisation."""
    return PersonFactory(org=other_org, user=member.user, email=member.email, name="Milo in Globex")


def ask(client, new_email=NEW, password=PASSWORD, capture=None):
    data = {"new_email": new_email, "password": password}
    if capture is None:
        return client.post(reverse("email_change"), data)
    with capture(execute=True):
        return client.post(reverse("email_change"), data)


def confirmation_link():
    [message] = [m for m in mail.outbox if m.subject == "Confirm your new Accord sign-in address"]
    return message, re.search(r"http://testserver(/\S+/)", message.body).group(1)


def test_the_personal_menu_links_to_the_page(as_member):
    page = as_member.get(reverse("home")).content.decode()
    assert f'href="{reverse("email_change")}"' in page


def test_change_is_confirmed_at_the_new_address_then_applies_everywhere(
    client, member, twice, django_capture_on_commit_callbacks
):
    login(client, member)
    response = ask(client, "  Milo.New@Example.test ", capture=django_capture_on_commit_callbacks)
    assert (response.status_code, response["Location"]) == (302, reverse("email_change"))
    message, link = confirmation_link()
    assert message.to == [NEW]
    # Nothing changes until the link is used.
    assert User.objects.get(pk=member.user_id).email == "milo@acme.test"

    assert client.get(link).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link)
    assert done.status_code == 302
    assert User.objects.get(pk=member.user_id).email == NEW
    assert sorted(Person.objects.filter(user=member.user).values_list("email", flat=True)) == [NEW, NEW]
    notice = [m for m in mail.outbox if m.to == ["milo@acme.test"]]
    assert [m.subject for m in notice] == ["Your Accord sign-in address changed"]
    assert NEW in notice[0].body

    client.logout()
    assert client.login(email=NEW, password=PASSWORD)
    # The link works once.
    assert client.post(link).status_code == 410
    assert User.objects.get(pk=member.user_id).email == NEW


def test_wrong_password_is_refused_next_to_the_field(as_member, member):
    response = ask(as_member, password="not my password")
    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["That is not your current password."]}
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("taken_by", "message"),
    [
        ("user", "Another account already signs in with that address."),
        ("person", "Someone in one of your organisations already has that address."),
    ],
)
def test_an_address_someone_else_has_is_refused(as_member, org, member, taken_by, message):
    if taken_by == "user":
        UserFactory(email=NEW)
    else:
        PersonFactory(org=org, user=None, email=NEW)
    response = ask(as_member, new_email=NEW.upper())
    assert response.context["form"].errors == {"new_email": [message]}
    assert mail.outbox == []


def test_an_address_taken_between_asking_and_confirming_is_refused_at_confirmation(
    client, org, member, django_capture_on_commit_callbacks
):
    login(client, member)
    ask(client, capture=django_capture_on_commit_callbacks)
    _, link = confirmation_link()
    PersonFactory(org=org, user=None, email=NEW)
    response = client.post(link)
    assert response.status_code == 410
    assert "Someone in one of your organisations already has that address." in response.content.decode()
    assert User.objects.get(pk=member.user_id).email == "milo@acme.test"


def test_links_from_other_purposes_or_altered_or_old_are_refused(
    client, org, admin, member, django_capture_on_commit_callbacks
):
    login(client, member)
    ask(client, capture=django_capture_on_commit_callbacks)
    _, link = confirmation_link()
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = invite_person(PersonFactory(org=org, user=None), invited_by=admin)
    same_payload_other_salt = signing.dumps(
        signing.loads(token, salt="accord.email-change"), salt="accord.invitation", compress=True
    )
    for bad in [invitation_token(invitation), same_payload_other_salt, token[:-3] + "abc"]:
        assert client.post(reverse("email_change_confirm", args=[bad])).status_code == 410
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        assert client.post(link).status_code == 410
    assert User.objects.get(pk=member.user_id).email == "milo@acme.test"


def test_confirming_voids_invitations_sent_to_the_old_address(
    client, org, admin, member, django_capture_on_commit_callbacks
):
    invitation = invite_person(member, invited_by=admin)
    login(client, member)
    ask(client, capture=django_capture_on_commit_callbacks)
    _, link = confirmation_link()
    client.post(link)
    assert Invitation.objects.get(pk=invitation.pk).is_usable() is False
    assert client.get(reverse("accept_invitation", args=[invitation_token(invitation)])).status_code == 410
