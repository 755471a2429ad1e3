from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.test import Client

from accord.accounts.actions import create_api_token, revoke_api_token
from accord.accounts.models import ApiToken

from ..conftest import login
from ..factories import PersonFactory

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- token authentication ---------------------------------------------------------------------


def test_token_authenticates_as_its_person(client, member):
    _, raw = create_api_token(member, name="script")

    response = client.get("/api/me", **bearer(raw))

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["email"], body["role"]) == (member.pk, "milo@acme.test", "member")
    assert body["org"] == {"id": member.org_id, "name": "Acme", "slug": "acme"}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer acc_not-a-real-token",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "acc_missing-scheme",
        "Bearer " + "x" * 5000,
    ],
)
def test_missing_or_wrong_token_is_401(client, member, header):
    create_api_token(member, name="script")
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}

    response = client.get("/api/me", **extra)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required: send a valid API token or sign in."}
    assert response["WWW-Authenticate"] == 'Bearer realm="accord"'


def test_revoked_token_is_401(client, member):
    token, raw = create_api_token(member, name="script")
    assert client.get("/api/me", **bearer(raw)).status_code == 200

    revoke_api_token(token)

    assert client.get("/api/me", **bearer(raw)).status_code == 401


def test_token_of_deactivated_person_is_401(client, member):
    _, raw = create_api_token(member, name="script")
    member.is_active = False
    member.save()

    assert client.get("/api/me", **bearer(raw)).status_code == 401


def test_wrong_token_on_unsafe_method_is_401_not_csrf_403(member):
    # A request that names a token is judged by it alone, even when a session cookie rides along.
    client = Client(enforce_csrf_checks=True)
    login(client, member)

    response = client.post("/api/people", data="{}", content_type="application/json", **bearer("acc_wrong"))

    assert response.status_code == 401


def test_token_use_is_recorded_at_most_once_a_minute(client, member):
    token, raw = create_api_token(member, name="script")
    start = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.get("/api/me", **bearer(raw))
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        client.get("/api/me", **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == start


# --- secrets are stored hashed and shown once -------------------------------------------------


def test_tokens_are_stored_hashed(member):
    token, raw = create_api_token(member, name="script")

    row = ApiToken.objects.values().get(pk=token.pk)
    assert raw not in json.dumps(row, default=str)
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(row["prefix"])
    assert raw.startswith("acc_")


def test_api_creates_token_once_and_never_lists_the_secret(client, member):
    login(client, member)

    created = client.post("/api/tokens", data={"name": "  Reports  "}, content_type="application/json")

    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    assert body["name"] == "Reports"
    assert body["prefix"] == raw[:10]
    assert ApiToken.objects.filter(token_hash=raw).count() == 0
    listed = client.get("/api/tokens")
    assert listed.status_code == 200
    assert raw not in listed.content.decode()
    assert [set(t) for t in listed.json()] == [
        {"id", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"}
    ]
    # The new token works on its own.
    assert Client().get("/api/me", **bearer(raw)).json()["id"] == member.pk


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": 5}, []])
def test_api_token_name_is_validated(client, member, payload):
    login(client, member)

    response = client.post("/api/tokens", data=payload, content_type="application/json")

    assert response.status_code == 422
    assert ApiToken.objects.count() == 0


def test_a_token_cannot_mint_tokens(client, member):
    # Neither scope: a token minting tokens would skip the password check and outlive its own revocation.
    _, raw = create_api_token(member, name="script", scope="read_write")

    response = client.post(
        "/api/tokens", data={"name": "more"}, content_type="application/json", **bearer(raw)
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "An API token cannot create tokens: sign in and create one at /settings/tokens/."
    }
    assert ApiToken.objects.count() == 1


def test_a_read_only_token_cannot_mint_tokens(client, member):
    _, raw = create_api_token(member, name="script", scope="read")

    response = client.post(
        "/api/tokens", data={"name": "more"}, content_type="application/json", **bearer(raw)
    )

    assert response.status_code == 403
    assert response.json()["detail"].startswith("This API token is read-only")
    assert ApiToken.objects.count() == 1


def test_list_shows_only_own_tokens(client, member, manager, outsider):
    create_api_token(member, name="mine")
    create_api_token(manager, name="theirs")
    create_api_token(outsider, name="elsewhere")
    _, raw = create_api_token(member, name="script")

    response = client.get("/api/tokens", **bearer(raw))

    assert sorted(t["name"] for t in response.json()) == ["mine", "script"]


def test_delete_revokes_own_token(client, member):
    token, raw = create_api_token(member, name="old")
    _, current = create_api_token(member, name="current")

    response = client.delete(f"/api/tokens/{token.pk}", **bearer(current))

    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/me", **bearer(raw)).status_code == 401
    assert client.get("/api/me", **bearer(current)).status_code == 200


@pytest.mark.parametrize("whose", ["colleague", "outsider"])
def test_delete_someone_elses_token_is_404(client, member, manager, outsider, whose):
    other = {"colleague": manager, "outsider": outsider}[whose]
    token, _ = create_api_token(other, name="theirs")
    _, raw = create_api_token(member, name="mine")

    response = client.delete(f"/api/tokens/{token.pk}", **bearer(raw))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("token_id", ["0", "-1", "abc", "99999999999999999999999"])
def test_delete_with_bad_id_is_4xx(client, member, token_id):
    _, raw = create_api_token(member, name="mine")

    assert client.delete(f"/api/tokens/{token_id}", **bearer(raw)).status_code in (404, 422)


# --- session authentication -------------------------------------------------------------------


def test_signed_in_session_can_read_me(client, member):
    login(client, member)

    response = client.get("/api/me")

    assert response.status_code == 200
    assert response.json()["id"] == member.pk


def test_session_without_membership_is_401(client, db):
    from ..factories import UserFactory

    user = UserFactory()
    client.force_login(user)

    assert client.get("/api/me").status_code == 401


def test_session_writes_need_the_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    login(client, member)

    refused = client.post("/api/tokens", data={"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}

    page = client.get("/settings/tokens/")  # sets the CSRF cookie
    csrf = page.context["csrf_token"]
    accepted = client.post(
        "/api/tokens", data={"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=str(csrf)
    )
    assert accepted.status_code == 201


# --- the settings page ------------------------------------------------------------------------


def test_token_page_needs_sign_in(client, db):
    response = client.get("/settings/tokens/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_token_page_creates_and_shows_raw_once(as_member, member):
    response = as_member.post("/settings/tokens/", {"name": "Weekly report", "scope": "read"})

    assert response.status_code == 200
    token = ApiToken.objects.get(person=member)
    raw = response.context["raw_token"]
    html = response.content.decode()
    assert raw.startswith(token.prefix)
    assert raw in html
    assert "won't be shown again" in html
    assert "no-store" in response["Cache-Control"]

    again = as_member.get("/settings/tokens/").content.decode()
    assert raw not in again
    assert f"{token.prefix}…" in again
    assert "Weekly report" in again


def test_token_page_lists_own_tokens_only(as_member, member, manager, outsider):
    create_api_token(member, name="Mine")
    create_api_token(manager, name="Manager's")
    create_api_token(outsider, name="Outsider's")

    response = as_member.get("/settings/tokens/")

    html = response.content.decode()
    assert [t.name for t in response.context["tokens"]] == ["Mine"]
    assert "Manager's" not in html and "Outsider's" not in html
    assert 'href="/api/docs"' in html
    assert '<label for="id_name">Token name</label>' in html


def test_token_page_requires_a_name(as_member):
    response = as_member.post("/settings/tokens/", {"name": "   ", "scope": "read"})

    assert response.status_code == 200
    assert ApiToken.objects.count() == 0
    assert response.context["raw_token"] is None
    assert (
        '<p class="field-error" id="id_name_error">This field is required.</p>' in response.content.decode()
    )


def test_token_page_revokes(as_member, member):
    token, raw = create_api_token(member, name="old")

    response = as_member.post(f"/settings/tokens/{token.pk}/revoke/", follow=True)

    assert response.redirect_chain == [("/settings/tokens/", 302)]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in response.content.decode()
    assert Client().get("/api/me", **bearer(raw)).status_code == 401


def test_token_page_revoke_needs_post(as_member, member):
    token, _ = create_api_token(member, name="old")

    assert as_member.get(f"/settings/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("whose", ["colleague", "outsider"])
def test_token_page_cannot_revoke_someone_elses_token(as_member, manager, outsider, whose):
    token, _ = create_api_token({"colleague": manager, "outsider": outsider}[whose], name="theirs")

    response = as_member.post(f"/settings/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_form_has_csrf(as_member, member):
    create_api_token(member, name="old")
    html = as_member.get("/settings/tokens/").content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 2  # create form, revoke form (and the sign-out form)


def test_token_page_for_person_in_second_org_scopes_to_current_org(client, member, other_org):
    # The same login is also a member elsewhere; the page shows tokens of the org being worked in.
    elsewhere = PersonFactory(org=other_org, user=member.user, email=member.email, name="Milo Elsewhere")
    create_api_token(elsewhere, name="Elsewhere")
    create_api_token(member, name="Here")
    login(client, member)
    session = client.session
    session["accord_org_id"] = member.org_id
    session.save()

    response = client.get("/settings/tokens/")

    assert [t.name for t in response.context["tokens"]] == ["Here"]
