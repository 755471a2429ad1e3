"""Every other write that touches a sign-in (accounts.User), attacked the way the takeover was: an
organisation's own data (a Person's email, an id in a body, a CSV row) must never pick which account is
reset, signed in, linked or given a token."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accord.accounts.models import ApiToken, Invitation, User
from accord.cli import main as accord
from accord.orgs.middleware import SESSION_KEY
from accord.orgs.models import Organisation, Person, Role
from accord.orgs.people_csv import apply_import, parse_people_csv
from tests.conftest import login
from tests.factories import PASSWORD, PersonFactory

# --- password reset ---------------------------------------------------------------------------


def test_reset_goes_only_to_the_users_own_address(client, org, owner, django_capture_on_commit_callbacks):
    # Old data can hold a Person whose email drifted from their user's; a reset must follow the user.
    Person.objects.filter(pk=owner.pk).update(email="drifted@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "drifted@acme.test"})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "OLU@acme.test"})
    assert [m.to for m in mail.outbox] == [["olu@acme.test"]]


def test_reset_for_a_persons_email_without_a_sign_in_sends_nothing(client, org, admin):
    PersonFactory(org=org, user=None, email="nobody-signs-in@acme.test")
    client.post(reverse("password_reset"), {"email": "nobody-signs-in@acme.test"})
    assert mail.outbox == []


# --- API tokens -------------------------------------------------------------------------------


def test_a_token_is_always_for_the_signed_in_membership(client, member, outsider):
    login(client, member)
    client.get(reverse("home"))
    csrf = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    api = client.post(
        "/api/tokens",
        {"name": "mine", "person_id": outsider.pk},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert api.status_code == 422  # an unknown field is refused, never read as whose token it is
    page = client.post(
        reverse("api_tokens"),
        {"name": "mine", "scope": "read_write", "person": outsider.pk, "org": outsider.org_id},
    )
    assert page.status_code == 200
    assert list(ApiToken.objects.values_list("person_id", "org_id")) == [(member.pk, member.org_id)]


# --- organisation switch ----------------------------------------------------------------------


def test_switch_needs_a_membership_of_ones_own_sign_in(client, member, other_org):
    # Organisation B lists someone with member's address, but it is not member's sign-in.
    PersonFactory(org=other_org, user=None, email=member.email)
    login(client, member)
    response = client.post(reverse("switch_org"), {"org": other_org.pk})
    assert response.status_code == 404
    assert client.session[SESSION_KEY] == member.org_id


# --- CSV import -------------------------------------------------------------------------------


def test_import_never_links_a_row_to_someone_elses_sign_in(owner, other_org, mallory_admin):
    # Organisation B imports organisation A's owner: a new person, but not owner's account. It joins only
    # if they accept an invitation by signing in.
    plan = parse_people_csv(other_org, "email,name,role\nolu@acme.test,Olu,owner\n")
    assert plan.errors == []
    apply_import(plan)
    imported = Person.objects.get(org=other_org, email="olu@acme.test")
    assert (imported.user_id, Person.objects.filter(user=owner.user).count()) == (None, 1)


def test_import_cannot_change_a_linked_persons_address(org, admin, member):
    # The import matches rows by email: a row with a new address is a new person, never a change of
    # member's sign-in address.
    plan = parse_people_csv(org, "email,name\nmilo@elsewhere.test,Milo Member\n")
    apply_import(plan)
    member.refresh_from_db()
    assert (member.email, member.user.email) == ("milo@acme.test", "milo@acme.test")
    assert Person.objects.get(org=org, email="milo@elsewhere.test").user_id is None


@pytest.fixture
def mallory_admin(other_org):
    return PersonFactory(org=other_org, name="Mallory", email="mallory@globex.test", role=Role.ADMIN)


# --- create-org -------------------------------------------------------------------------------


def test_create_org_for_an_existing_user_prints_a_link_that_cannot_set_their_password(client, owner, capsys):
    assert accord(["create-org", "Beta", "--owner-email", "OLU@acme.test", "--owner-name", "Olu"]) == 0
    link = re.search(r"http://testserver(/accounts/invitation/\S+/)", capsys.readouterr().out).group(1)
    client.post(link, {"password1": "a new password", "password2": "a new password"})
    user = User.objects.get(pk=owner.user_id)
    assert (user.check_password(PASSWORD), user.check_password("a new password")) == (True, False)
    beta = Organisation.objects.get(name="Beta")
    assert list(Person.objects.filter(org=beta).values_list("user_id", "email", "role")) == [
        (owner.user_id, "olu@acme.test", Role.OWNER)
    ]
    # Signing in on the link with the existing password takes them into the new organisation.
    assert client.post(link, {"password": PASSWORD}).status_code == 302
    assert client.session[SESSION_KEY] == beta.pk
    assert Invitation.objects.get(org=beta).used_at is not None


# --- demo sign-in -----------------------------------------------------------------------------


def test_demo_sign_in_is_refused_outside_demo_mode_even_for_a_demo_address(client, org, settings):
    from accord.demo import DEMO_ACCOUNTS

    settings.DEMO = False
    PersonFactory(org=org, email=DEMO_ACCOUNTS["admin"], role=Role.ADMIN)
    response = client.post(reverse("demo_login"), {"as": "admin"})
    assert response.status_code == 404
    assert "_auth_user_id" not in client.session
