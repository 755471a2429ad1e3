"""Sessions: the idle timeout, changing a password, and what a new password does to other sessions
and to API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accord.accounts.actions import create_api_token, revoke_api_token
from accord.accounts.models import ApiToken
from accord.accounts.sessions import LAST_SEEN
from tests.conftest import login
from tests.factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
NEW = "a fresh long passphrase 7"


def signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- idle timeout -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _idle_limit(settings):
    settings.SESSION_IDLE_MINUTES = 120  # what settings.py ships; tests/conftest.py lifts it for other tests


def test_the_shipped_idle_limit_is_two_hours():
    from accord import settings as shipped

    assert shipped.SESSION_IDLE_MINUTES == 120


@pytest.mark.parametrize("expected", [120, 30])
def test_an_idle_session_is_signed_out_with_a_message(client, member, settings, expected):
    settings.SESSION_IDLE_MINUTES = expected
    with time_machine.travel(START, tick=False) as clock:
        login(client, member)
        # Activity keeps it alive well past the idle limit...
        for _ in range(4):
            clock.shift(dt.timedelta(minutes=expected - 1))
            assert signed_in(client)
        # ...and a gap longer than the limit ends it.
        clock.shift(dt.timedelta(minutes=expected + 1))
        response = client.get(reverse("home"), follow=True)

        assert response.redirect_chain == [(f"{reverse('login')}?next=/", 302)]
        assert messages_of(response) == [f"You were signed out after {expected} minutes without activity."]
        assert not signed_in(client)
        assert client.get("/api/me").status_code == 401


def test_an_idle_session_cannot_use_the_api_either(client, member):
    with time_machine.travel(START, tick=False) as clock:
        login(client, member)
        assert client.get("/api/me").status_code == 200
        clock.shift(dt.timedelta(minutes=121))

        assert client.get("/api/me").status_code == 401
        assert client.get("/api/me").status_code == 401


def test_a_busy_session_still_ends_when_the_absolute_limit_is_reached(client, member, settings):
    # Stamping the last activity saves the session, which must not push Django's own expiry forward.
    settings.SESSION_COOKIE_AGE = 6 * 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        login(client, member)
        for _ in range(3):
            clock.shift(dt.timedelta(minutes=100))
            assert signed_in(client)
        clock.shift(dt.timedelta(minutes=61))

        assert not signed_in(client)


def test_last_activity_is_written_at_most_once_a_minute(client, member):
    with time_machine.travel(START, tick=False) as clock:
        login(client, member)
        clock.shift(dt.timedelta(seconds=59))
        client.get(reverse("home"))
        assert client.session[LAST_SEEN] == START.timestamp()

        clock.shift(dt.timedelta(seconds=2))
        client.get(reverse("home"))
        assert client.session[LAST_SEEN] == (START + dt.timedelta(seconds=61)).timestamp()


# --- changing the password --------------------------------------------------------------------


def change(client, old=PASSWORD, new1=NEW, new2=NEW):
    return client.post(
        reverse("password_change"), {"old_password": old, "new_password1": new1, "new_password2": new2}
    )


def test_the_personal_menu_links_to_the_password_page(as_member):
    html = as_member.get(reverse("home")).content.decode()

    assert '<a href="/settings/password/">Change password</a>' in html


def test_changing_the_password_keeps_this_session_and_ends_every_other(member):
    here, elsewhere = login(Client(), member), login(Client(), member)

    response = change(here)

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    member.user.refresh_from_db()
    assert member.user.check_password(NEW)
    assert signed_in(here)
    assert not signed_in(elsewhere)
    assert elsewhere.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    ("old", "new1", "new2", "field", "error"),
    [
        ("not my password", NEW, NEW, "old_password", "That is not your current password."),
        (
            PASSWORD,
            "short",
            "short",
            "new_password2",
            "This password is too short. It must contain at least 10 characters.",
        ),
        (PASSWORD, NEW, NEW + "x", "new_password2", "The two password fields didn’t match."),
        (PASSWORD, "password123", "password123", "new_password2", "This password is too common."),
    ],
)
def test_a_bad_password_change_says_why_next_to_the_field(as_member, member, old, new1, new2, field, error):
    response = change(as_member, old, new1, new2)

    assert response.status_code == 200
    assert response.context["form"].errors[field][0] == error
    assert f'<p class="field-error" id="id_{field}_error">{error}</p>' in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_guessing_the_current_password_ends_the_session(client, member):
    # Someone holding a stolen session must not get an unthrottled way to guess the password behind it.
    login(client, member)
    for _ in range(4):
        assert change(client, old="guess").status_code == 200

    response = change(client, old="guess")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not signed_in(client)
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_the_confirmation_offers_to_revoke_every_api_token_of_the_user(client, member, manager, other_org):
    elsewhere = PersonFactory(org=other_org, user=member.user, email=member.email)
    mine = [create_api_token(member, name="a")[1], create_api_token(elsewhere, name="b")[1]]
    revoked, _ = create_api_token(member, name="old")
    revoke_api_token(revoked)
    _, colleagues = create_api_token(manager, name="theirs")
    login(client, member)
    change(client)

    page = client.get(reverse("password_change_done")).content.decode()

    assert "your 2 API tokens still work until you revoke them" in page
    assert 'action="/settings/tokens/revoke-all/"' in page
    assert "Revoke all 2 API tokens" in page

    response = client.post(reverse("api_tokens_revoke_all"), follow=True)

    assert messages_of(response) == ["Revoked 2 API tokens."]
    assert [Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code for raw in mine] == [
        401,
        401,
    ]
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {colleagues}").status_code == 200
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_the_confirmation_without_tokens_offers_nothing(as_member):
    change(as_member)

    page = as_member.get(reverse("password_change_done")).content.decode()

    assert "You have no API tokens that still work" in page
    assert "Revoke all" not in page


def test_revoke_all_needs_post(as_member, member):
    create_api_token(member, name="a")

    assert as_member.get(reverse("api_tokens_revoke_all")).status_code == 405
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


# --- password reset ---------------------------------------------------------------------------


def reset_password(client, user, password=NEW):
    user.refresh_from_db()  # the link depends on last_login, which signing in has just changed
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    form = client.get(
        reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]), follow=True
    )
    done = client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert done["Location"] == reverse("password_reset_complete")
    return client.get(done["Location"])


def test_a_reset_ends_every_session_and_offers_to_revoke_the_tokens(member):
    signed_in_elsewhere = login(Client(), member)
    _, raw = create_api_token(member, name="a")
    visitor = Client()

    page = reset_password(visitor, member.user).content.decode()

    assert not signed_in(signed_in_elsewhere)
    assert "your 1 API token still works until you revoke it" in page
    assert "Revoke all 1 API token<" in page
    response = visitor.post(reverse("password_reset_complete"), follow=True)
    assert messages_of(response) == ["Revoked 1 API token."]
    assert "Revoke all" not in response.content.decode()
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_a_reset_from_a_browser_signed_in_as_that_user_still_offers_the_tokens(client, member):
    create_api_token(member, name="a")
    login(client, member)

    page = reset_password(client, member.user).content.decode()

    assert "Revoke all 1 API token<" in page
    assert not signed_in(client)


def test_nobody_else_can_revoke_tokens_from_the_reset_page(client, member):
    # The page offers the choice only to the browser that has just used the reset link.
    _, raw = create_api_token(member, name="a")

    page = client.get(reverse("password_reset_complete")).content.decode()
    client.post(reverse("password_reset_complete"))

    assert "Revoke all" not in page
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_the_offer_after_a_reset_lapses(client, member):
    create_api_token(member, name="a")
    with time_machine.travel(START, tick=False) as clock:
        reset_password(client, member.user)
        clock.shift(dt.timedelta(minutes=16))

        client.post(reverse("password_reset_complete"))

    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
