"""The cross-organisation account takeover (issue 10), attempted as a hostile admin of another
organisation would, over the pages and over the API.

Organisation A (`org`) has an owner with a password. Mallory is an admin of organisation B
(`other_org`) and reads mail at mallory@evil.test.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accord.accounts.actions import invitation_token, invite_person
from accord.accounts.models import Invitation, User
from accord.orgs.middleware import SESSION_KEY
from accord.orgs.models import Person, Role
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PASSWORD, PersonFactory

EVIL = "mallory@evil.test"
TAKEN_OVER = "mallory's new password"


@pytest.fixture
def mallory(other_org):
    return PersonFactory(org=other_org, name="Mallory", email="mallory@globex.test", role=Role.ADMIN)


def links_sent_to(address):
    found = []
    for message in mail.outbox:
        if address in message.to:
            found += re.findall(r"http://testserver(/\S+/)", message.body)
    return found


def person_form(person, **changes):
    data = {
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "team": "",
        "manager": "",
        "role": person.role,
        "timezone": person.timezone,
        "work_start": "09:00",
        "work_end": "17:00",
        "work_days": ["1", "2", "3", "4", "5"],
        "location": "",
        "start_date": "",
        "birthday_month": "",
        "birthday_day": "",
    }
    return {**data, **changes}


def try_to_set_password(client, link):
    return client.post(link, {"password1": TAKEN_OVER, "password2": TAKEN_OVER})


def assert_not_taken_over(owner):
    user = User.objects.get(pk=owner.user_id)
    assert (user.email, user.check_password(PASSWORD), user.check_password(TAKEN_OVER)) == (
        "olu@acme.test",
        True,
        False,
    )


# --- path 1: invite a decoy at one's own address, then point it at the victim -------------------


def test_api_invite_then_retarget_cannot_set_the_owners_password(
    client, owner, mallory, django_capture_on_commit_callbacks
):
    api = Api(mallory)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/people", {"name": "Decoy", "email": EVIL, "invite": True})
    assert created.status_code == 201
    [link] = links_sent_to(EVIL)
    decoy_id = created.json()["id"]

    retarget = api.patch(f"/api/people/{decoy_id}", {"email": owner.email})
    assert retarget.status_code == 200  # an unlinked person's address is the organisation's to fix
    # Changing the address voids the invitation mailed to the old one, in the write path itself.
    assert [i.is_usable() for i in Invitation.objects.filter(person_id=decoy_id)] == [False]

    attempt = try_to_set_password(client, link)
    assert_not_taken_over(owner)
    assert (attempt.status_code, client.get(link).status_code) == (410, 410)
    assert Person.objects.get(pk=decoy_id).user_id is None
    assert "_auth_user_id" not in client.session


def test_page_invite_then_retarget_cannot_set_the_owners_password(
    client, owner, mallory, django_capture_on_commit_callbacks
):
    login(client, mallory)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("person_new"),
            person_form(
                Person(name="Decoy", email=EVIL, role=Role.MEMBER, timezone="UTC"), send_invitation="1"
            ),
        )
    decoy = Person.objects.get(org=mallory.org, email=EVIL)
    [link] = links_sent_to(EVIL)
    response = client.post(reverse("person_edit", args=[decoy.pk]), person_form(decoy, email=owner.email))
    assert response.status_code == 302
    assert [i.is_usable() for i in Invitation.objects.filter(person=decoy)] == [False]
    client.logout()

    attempt = try_to_set_password(client, link)
    assert_not_taken_over(owner)
    assert (attempt.status_code, client.get(link).status_code) == (410, 410)
    decoy.refresh_from_db()
    assert decoy.user_id is None


def test_invitation_for_an_address_that_already_signs_in_never_sets_its_password(client, org, admin):
    # Even with no retargeting, an invitation that reaches an existing account must not set its password:
    # the account proves itself with the password it already has.
    other = PersonFactory(org=org, user=None, email="otto@acme.test", name="Otto")
    invitation = invite_person(other, invited_by=admin)
    link = reverse("accept_invitation", args=[invitation_token(invitation)])
    User.objects.create_user("otto@acme.test", "otto's own password")

    page = client.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert ("Choose a password" in text, "Sign in to join" in text) == (False, True)
    try_to_set_password(client, link)
    user = User.objects.get(email="otto@acme.test")
    assert (user.check_password("otto's own password"), user.check_password(TAKEN_OVER)) == (True, False)
    other.refresh_from_db()
    assert other.user_id is None


# --- path 2: retarget a person linked to a user of several organisations, then resend ----------


@pytest.fixture
def shared(org, owner, other_org):
    """Organisation A's owner also belongs to organisation B, through the same sign-in."""
    return PersonFactory(org=other_org, user=owner.user, email=owner.email, name="Olu in B")


def resend_and_try_every_link(client, mallory, person, capture):
    """Mallory presses "Send a new sign-in link" and tries every link that reached her mailbox."""
    login(client, mallory)
    with capture(execute=True):
        response = client.post(reverse("person_invite", args=[person.pk]))
    assert response.status_code == 302
    client.logout()
    for link in links_sent_to(EVIL):
        try_to_set_password(client, link)


def test_page_cannot_retarget_a_linked_person_and_resend(
    client, owner, shared, mallory, django_capture_on_commit_callbacks
):
    login(client, mallory)
    client.post(reverse("person_edit", args=[shared.pk]), person_form(shared, email=EVIL))
    resend_and_try_every_link(client, mallory, shared, django_capture_on_commit_callbacks)

    assert_not_taken_over(owner)
    shared.refresh_from_db()
    assert shared.email == "olu@acme.test"
    assert links_sent_to(EVIL) == []
    # The owner gets a password-reset link at their own address, not a set-a-password invitation.
    assert [(m.to, m.subject) for m in mail.outbox] == [(["olu@acme.test"], "Reset your Accord password")]
    assert Invitation.objects.filter(person=shared).count() == 0
    login(client, mallory)
    page = client.get(reverse("person_edit", args=[shared.pk]))
    assert re.search(r'<input[^>]* name="email"[^>]* disabled', page.content.decode())


def test_api_cannot_retarget_a_linked_person(
    client, owner, shared, mallory, django_capture_on_commit_callbacks
):
    response = Api(mallory).patch(f"/api/people/{shared.pk}", {"email": EVIL})
    resend_and_try_every_link(client, mallory, shared, django_capture_on_commit_callbacks)

    assert_not_taken_over(owner)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["email"]
    assert body["detail"] == body["errors"]["email"][0]
    assert "only they can change it" in body["detail"]
    shared.refresh_from_db()
    assert shared.email == "olu@acme.test"


def test_an_invitation_cannot_be_used_once_its_address_changed_behind_the_rules(client, other_org, owner):
    # An outstanding invitation, and the address changes without save_person (a raw update, as old data
    # or a future write path might do): accepting still checks the address the link was sent to.
    person = PersonFactory(org=other_org, user=None, email=EVIL)
    invitation = invite_person(person, invited_by=None)
    Person.objects.filter(pk=person.pk).update(email=owner.email)
    link = reverse("accept_invitation", args=[invitation_token(invitation)])
    attempt = try_to_set_password(client, link)
    assert_not_taken_over(owner)
    assert (attempt.status_code, client.get(link).status_code) == (410, 410)


# --- how an existing user does accept -----------------------------------------------------------


def test_existing_user_accepts_by_signing_in_and_lands_in_the_org(client, org, admin, other_org):
    user = User.objects.create_user("both@example.com", "first org password")
    PersonFactory(org=other_org, user=user, email="both@example.com")
    person = PersonFactory(org=org, user=None, email="both@example.com")
    link = reverse("accept_invitation", args=[invitation_token(invite_person(person, invited_by=admin))])

    wrong = client.post(link, {"password": "not it"})
    assert wrong.status_code == 200
    assert "That email and password do not match." in wrong.content.decode()
    person.refresh_from_db()
    assert person.user_id is None

    response = client.post(link, {"password": "first org password"})
    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    person.refresh_from_db()
    assert person.user_id == user.id
    assert (int(client.session["_auth_user_id"]), client.session[SESSION_KEY]) == (user.id, org.id)
    assert User.objects.get(pk=user.pk).check_password("first org password")
    assert client.get(link).status_code == 410  # single use


def test_sign_in_link_for_a_user_without_a_password_is_still_an_invitation(
    client, org, admin, django_capture_on_commit_callbacks
):
    user = User.objects.create_user("fresh@acme.test")  # as `accord create-org` makes them
    person = PersonFactory(org=org, user=user, email="fresh@acme.test")
    login(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("person_invite", args=[person.pk]))
    client.logout()
    [link] = links_sent_to("fresh@acme.test")
    response = client.post(link, {"password1": "a long new secret", "password2": "a long new secret"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("a long new secret")
