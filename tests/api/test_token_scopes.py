"""API tokens: read-only and read-write scopes, expiry, and the password asked again before one is made."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from accord.accounts.actions import create_api_token
from accord.accounts.models import ApiToken, TokenScope

from ..conftest import login
from ..factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
READ_ONLY = {
    "detail": "This API token is read-only: it can read but not change anything. "
    "Use a read-write token for this request."
}


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def unsafe_operations() -> list[tuple[str, str]]:
    import django

    django.setup()
    from accord.api import api

    paths = api.get_openapi_schema()["paths"]
    return sorted(
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in paths.items()
        for method in operations
        if method in {"post", "put", "patch", "delete"}
    )


# --- scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), unsafe_operations())
def test_a_read_only_token_changes_nothing_on_any_endpoint(client, admin, method, path):
    # An admin's token, so that nothing but the scope stands in the way.
    _, raw = create_api_token(admin, name="reports", scope=TokenScope.READ)

    response = getattr(client, method)(path, data="{}", content_type="application/json", **bearer(raw))

    assert (response.status_code, response.json()) == (403, READ_ONLY)


def test_a_read_only_token_reads(client, member):
    _, raw = create_api_token(member, name="reports", scope=TokenScope.READ)

    assert client.get("/api/me", **bearer(raw)).status_code == 200
    assert client.get("/api/people", **bearer(raw)).status_code == 200


def test_a_read_write_token_writes(client, member):
    token, raw = create_api_token(member, name="script", scope=TokenScope.READ_WRITE)

    response = client.delete(f"/api/tokens/{token.pk}", **bearer(raw))

    assert response.status_code == 204


def test_tokens_made_before_scopes_existed_stay_read_write_without_expiry(member):
    # What migration 0003 gives existing rows: the columns' defaults.
    token = ApiToken.objects.create(
        org=member.org, person=member, name="old", prefix="acc_x", token_hash="0" * 64
    )
    token.refresh_from_db()

    assert (token.scope, token.expires_at) == ("read_write", None)


# --- expiry -----------------------------------------------------------------------------------


def test_a_token_works_until_the_end_of_its_last_day_on_its_owners_clock(client, org):
    kiwi = PersonFactory(org=org, timezone="Pacific/Auckland")  # UTC+13 in March
    with time_machine.travel(START, tick=False) as clock:
        token, raw = create_api_token(kiwi, name="script", expires_on=dt.date(2025, 3, 12))
        assert token.expires_at == dt.datetime(2025, 3, 12, 11, 0, tzinfo=dt.UTC)

        clock.move_to(dt.datetime(2025, 3, 12, 10, 59, tzinfo=dt.UTC))
        assert client.get("/api/me", **bearer(raw)).status_code == 200

        clock.move_to(dt.datetime(2025, 3, 12, 11, 0, tzinfo=dt.UTC))
        response = client.get("/api/me", **bearer(raw))

    assert response.status_code == 401
    assert response.json() == {"detail": "Token expired: make a new one at /settings/tokens/."}
    assert response["WWW-Authenticate"] == 'Bearer realm="accord"'


def test_an_expired_token_is_refused_even_beside_a_session(client, member):
    # The token named in the request decides; a session cookie riding along does not rescue it.
    with time_machine.travel(START, tick=False) as clock:
        _, raw = create_api_token(member, name="script", expires_on=dt.date(2025, 3, 10))
        login(client, member)
        clock.shift(dt.timedelta(days=1))

        assert client.get("/api/me", **bearer(raw)).status_code == 401


@pytest.mark.parametrize(
    ("expires_on", "error"),
    [
        ("2025-03-09", "The expiry date is in the past. Choose today or a later day."),
        ("2026-03-12", "Choose a date within 366 days, or no expiry date at all."),
        ("9999-12-31", "Choose a date within 366 days, or no expiry date at all."),
    ],
)
def test_an_unusable_expiry_date_is_a_400(client, member, expires_on, error):
    with time_machine.travel(START, tick=False):
        login(client, member)
        response = client.post(
            "/api/tokens", data={"name": "x", "expires_on": expires_on}, content_type="application/json"
        )

    assert response.status_code == 400
    assert response.json() == {"detail": error, "errors": {"expires_on": [error]}}
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field", "error"),
    [
        ({"scope": "admin"}, "scope", "literal_error"),
        ({"scope": None}, "scope", "literal_error"),
        ({"expires_on": "tomorrow"}, "expires_on", "date_from_datetime_parsing"),
    ],
)
def test_a_malformed_scope_or_date_is_a_422_naming_the_field(client, member, payload, field, error):
    login(client, member)

    response = client.post("/api/tokens", data={"name": "x", **payload}, content_type="application/json")

    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [(["body", field], error)]
    assert ApiToken.objects.count() == 0


def test_the_api_makes_and_lists_scoped_dated_tokens(client, member):
    with time_machine.travel(START, tick=False):
        login(client, member)
        created = client.post(
            "/api/tokens",
            data={"name": "dated", "scope": "read_write", "expires_on": "2025-04-01"},
            content_type="application/json",
        )
        plain = client.post("/api/tokens", data={"name": "plain"}, content_type="application/json")
        listed = client.get("/api/tokens").json()

    assert (created.status_code, plain.status_code) == (201, 201)
    assert [(t["name"], t["scope"], t["expires_at"]) for t in listed] == [
        ("plain", "read", None),
        ("dated", "read_write", "2025-04-01T23:00:00Z"),  # midnight in London, on summer time
    ]


# --- the password again before a new token ----------------------------------------------------


def test_the_api_wants_a_recent_password_before_making_a_token(client, member):
    with time_machine.travel(START, tick=False) as clock:
        login(client, member)
        clock.shift(dt.timedelta(minutes=11))

        response = client.post("/api/tokens", data={"name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Enter your password again first: your last sign-in is more than 10 minutes old. "
        "Sign in again, or confirm your password at /settings/tokens/, then retry."
    }
    assert ApiToken.objects.count() == 0


def test_the_page_asks_for_the_password_when_the_sign_in_is_old(client, member):
    with time_machine.travel(START, tick=False) as clock:
        login(client, member)
        assert "password" not in client.get("/settings/tokens/").context["form"].fields
        clock.shift(dt.timedelta(minutes=11))
        assert '<input type="password" name="password"' in client.get("/settings/tokens/").content.decode()

        missing = client.post("/settings/tokens/", {"name": "x", "scope": "read"})
        wrong = client.post("/settings/tokens/", {"name": "x", "scope": "read", "password": "guess"})
        right = client.post("/settings/tokens/", {"name": "x", "scope": "read", "password": PASSWORD})
        # Entering it counts as signing in again: the next token within the window needs no password.
        again = client.post("/settings/tokens/", {"name": "y", "scope": "read"})

    assert (
        '<p class="field-error" id="id_password_error">This field is required.</p>'
        in missing.content.decode()
    )
    assert (
        '<p class="field-error" id="id_password_error">That is not your password.</p>'
        in wrong.content.decode()
    )
    assert (missing.context["raw_token"], wrong.context["raw_token"]) == (None, None)
    assert right.context["raw_token"] is not None and again.context["raw_token"] is not None
    assert sorted(ApiToken.objects.values_list("name", flat=True)) == ["x", "y"]


def test_guessing_the_password_on_the_token_page_ends_the_session(client, member):
    with time_machine.travel(START, tick=False) as clock:
        login(client, member)
        clock.shift(dt.timedelta(minutes=11))
        for _ in range(4):
            client.post("/settings/tokens/", {"name": "x", "scope": "read", "password": "guess"})

        response = client.post("/settings/tokens/", {"name": "x", "scope": "read", "password": "guess"})

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert client.get("/api/me").status_code == 401
    assert ApiToken.objects.count() == 0


# --- the page ---------------------------------------------------------------------------------


def test_the_page_makes_scoped_dated_tokens(as_member, member):
    with time_machine.travel(START, tick=False):
        response = as_member.post(
            "/settings/tokens/", {"name": "Reports", "scope": "read", "expires_on": "2025-03-31"}
        )

    token = ApiToken.objects.get(person=member)
    # The end of 31 March in London, where summer time began on the 30th.
    assert (token.scope, token.expires_at) == ("read", dt.datetime(2025, 3, 31, 23, 0, tzinfo=dt.UTC))
    assert response.context["raw_token"] is not None


def test_the_page_says_why_an_expiry_date_is_refused(as_member):
    with time_machine.travel(START, tick=False):
        response = as_member.post(
            "/settings/tokens/", {"name": "x", "scope": "read", "expires_on": "2025-03-01"}
        )

    assert response.context["raw_token"] is None
    assert ApiToken.objects.count() == 0
    assert (
        '<p class="field-error" id="id_expires_on_error">'
        "The expiry date is in the past. Choose today or a later day.</p>" in response.content.decode()
    )


def test_the_list_shows_scope_expiry_last_use_and_status(client, member):
    with time_machine.travel(START, tick=False) as clock:
        _, used = create_api_token(
            member, name="Reader", scope=TokenScope.READ, expires_on=dt.date(2025, 3, 20)
        )
        create_api_token(member, name="Writer", scope=TokenScope.READ_WRITE)
        create_api_token(member, name="Lapsed", expires_on=dt.date(2025, 3, 10))
        Client().get("/api/me", **bearer(used))
        clock.shift(dt.timedelta(days=1))
        login(client, member)

        html = client.get("/settings/tokens/").content.decode()

    rows = {
        name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for name, row in re.findall(r"<tr>\s*<td>(\w+)</td>(.*?)</tr>", html, flags=re.S)
    }
    prefix = {t.name: t.prefix for t in ApiToken.objects.all()}
    # name: token, access, created, expires, last used, status
    assert rows == {
        "Lapsed": f"{prefix['Lapsed']}… Read and write 10 Mar 2025, 09:00 11 Mar 2025, 00:00 "
        "Never Expired Revoke",
        "Writer": f"{prefix['Writer']}… Read and write 10 Mar 2025, 09:00 Never Never Active Revoke",
        "Reader": f"{prefix['Reader']}… Read only 10 Mar 2025, 09:00 21 Mar 2025, 00:00 "
        "10 Mar 2025, 09:00 Active Revoke",
    }
    assert '<th scope="col">Access</th>' in html
    assert "even after you change your password" in html
