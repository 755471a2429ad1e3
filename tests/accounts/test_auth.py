import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accord.accounts.actions import invitation_token, invite_person
from accord.accounts.models import Invitation, User
from accord.orgs.models import Person
from tests.factories import PASSWORD, PersonFactory


def sign_in(client, email, password):
    return client.post(reverse("login"), {"email": email, "password": password})


def test_sign_in_and_out(client, member):
    response = sign_in(client, "MILO@acme.test", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_wrong_password_is_refused_next_to_the_form(client, member):
    response = sign_in(client, member.email, "not the password")
    assert response.status_code == 200
    assert "That email and password do not match." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_redirects_only_to_our_own_pages(client, member):
    response = client.post(
        reverse("login"), {"email": member.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_repeated_failures_make_a_new_client_wait_even_with_the_right_password(client, member, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, member.email, "wrong wrong wrong")
    response = sign_in(client, member.email, PASSWORD)
    assert "Too many attempts; try again in 1 minute, or reset your password." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Once the wait is over the right password works again.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert sign_in(client, member.email, PASSWORD).status_code == 302


def test_invitation_email_through_smtp_sets_password_once(
    client, org, admin, smtp, django_capture_on_commit_callbacks
):
    newcomer = PersonFactory(org=org, user=None, email="new@acme.test", name="Nia New")
    with django_capture_on_commit_callbacks(execute=True):
        invite_person(newcomer, invited_by=admin)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert (message["To"], message["Subject"]) == ("new@acme.test", "You're invited to Acme")
    link = re.search(r"http://testserver(/accounts/invitation/\S+/)", message.get_content()).group(1)

    page = client.get(link)
    assert page.status_code == 200
    bad = client.post(link, {"password1": "short", "password2": "short"})
    assert "at least 10 characters" in bad.content.decode()
    response = client.post(link, {"password1": "a long new secret", "password2": "a long new secret"})
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.user.email == "new@acme.test"
    assert newcomer.user.check_password("a long new secret")
    # Single use: the same link no longer works, even for someone else.
    client.logout()
    assert client.get(link).status_code == 410


def test_expired_invitation_says_so(client, org, admin):
    person = PersonFactory(org=org, user=None)
    invitation = invite_person(person, invited_by=admin)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = client.get(reverse("accept_invitation", args=[invitation_token(invitation)]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_tampered_invitation_link_is_refused(client, org, admin):
    invitation = invite_person(PersonFactory(org=org, user=None), invited_by=admin)
    token = invitation_token(invitation)
    response = client.get(reverse("accept_invitation", args=[token[:-2] + "xx"]))
    assert response.status_code == 410


def test_a_new_invitation_retires_the_old_one(org, admin):
    person = PersonFactory(org=org, user=None)
    first = invite_person(person, invited_by=admin)
    invite_person(person, invited_by=admin)
    first.refresh_from_db()
    assert first.is_usable() is False
    assert Invitation.objects.filter(person=person).count() == 2


def test_invitation_links_an_existing_user_from_another_org(client, org, other_org, admin):
    user = User.objects.create_user("both@example.com", "first org password")
    PersonFactory(org=other_org, user=user, email="both@example.com")
    person = PersonFactory(org=org, user=None, email="both@example.com")
    invitation = invite_person(person, invited_by=admin)
    link = reverse("accept_invitation", args=[invitation_token(invitation)])
    # The existing account joins by signing in; choosing a new password on the invitation does nothing.
    client.post(link, {"password1": "a long new secret", "password2": "a long new secret"})
    assert Person.objects.get(pk=person.pk).user_id is None
    client.post(link, {"password": "first org password"})
    assert Person.objects.get(pk=person.pk).user_id == user.id
    assert User.objects.filter(email="both@example.com").count() == 1
    assert User.objects.get(pk=user.pk).check_password("first org password")


def test_password_reset_through_smtp(client, member, smtp):
    response = client.post(reverse("password_reset"), {"email": member.email})
    assert response["Location"] == reverse("password_reset_done")
    assert len(smtp.messages) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", smtp.messages[0].get_content()).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand new secret 42", "new_password2": "brand new secret 42"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    member.user.refresh_from_db()
    assert member.user.check_password("brand new secret 42")


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(client, smtp, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"})
    assert response["Location"] == reverse("password_reset_done")
    assert smtp.messages == []


def test_demo_sign_in_exists_only_in_demo_mode(client, db, settings):
    settings.DEMO = False
    assert client.post(reverse("demo_login"), {"as": "manager"}).status_code == 404
    page = client.get(reverse("login")).content.decode()
    assert "Try the demo" not in page


@pytest.mark.parametrize("role", ["member", "manager", "admin"])
def test_demo_sign_in_buttons(client, db, settings, role):
    from accord.demo import DEMO_ACCOUNTS, generate_demo

    settings.DEMO = True
    generate_demo()
    assert f'value="{role}"' in client.get(reverse("login")).content.decode()
    response = client.post(reverse("demo_login"), {"as": role})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["me"].email == DEMO_ACCOUNTS[role]


def test_session_and_csrf_cookies_are_hardened(settings):
    assert settings.SESSION_COOKIE_SECURE is True  # outside demo and DEBUG
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_sign_in_form_is_csrf_protected(member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("login"), {"email": member.email, "password": PASSWORD}).status_code == 403
