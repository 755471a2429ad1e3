"""Headers every answer carries: an enforced Content-Security-Policy with no inline script, handler or style;
`Cache-Control: private, no-store` for signed-in people (pages, exports, the API with a session or a token);
405 for TRACE and OPTIONS. The browser side of the policy is tests/browser/test_csp.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accord.accounts.actions import create_api_token
from accord.demo import DEMO_ACCOUNTS, generate_demo
from accord.meetings.actions import new_calendar_feed
from accord.orgs.models import Person
from tests.access import all_pages
from tests.conftest import login
from tests.pages import signed_in_pages, signed_out_pages

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
NO_STORE = "private, no-store"


def policy_of(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy", "")
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def template_files() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [Path(settings.BASE_DIR) / "accord"]  # app template folders, should one appear
    return sorted(p for d in dirs for p in d.rglob("*.html"))


# An inline script (no src), an on* handler, a javascript: URL or a style attribute, inside a tag.
# A JSON data block (<script type="application/json">) is never run, so the policy has nothing to refuse.
INLINE = [
    re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*\stype=\"application/json\")[^>]*>", re.I),
    re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    re.compile(r"javascript:", re.I),
    re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
]


def test_no_template_has_inline_script_handlers_or_styles():
    found = []
    for path in template_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if any(pattern.search(line) for pattern in INLINE):
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}")
    assert template_files(), "no templates found"
    assert found == []


# Pages the demo opens on the persona's own object, which its role alone would not open.
OWN = {("member", "goal_edit")}
# Pages on an object the persona is not named on in the demo (a plan is seen only by the people named
# on it, and the demo's member has none), which the matrix's role would open.
NOT_NAMED = {("member", name) for name in ("plan", "plan_edit", "plan_milestone")}


@pytest.mark.django_db
def test_every_page_carries_the_policy_and_is_never_stored(client):
    generate_demo()
    problems = []
    pages = all_pages()
    for name, url in signed_out_pages():
        response = client.get(url)
        if policy_of(response) != POLICY or "no-store" not in response.get("Cache-Control", ""):
            problems.append(("signed out", name, response.status_code, response.get("Cache-Control")))
    for persona in ["member", "manager", "admin"]:
        viewer = Person.objects.select_related("user").get(email=DEMO_ACCOUNTS[persona])
        client.force_login(viewer.user)
        for name, url in signed_in_pages(viewer):
            response = client.get(url)
            # The demo's personas have the matrix's roles, and the ids are of objects they take part in:
            # so each gets what the matrix says, except where the object is their own.
            page = pages.get(name)
            may = page is None or page.who is None or persona in page.who or (persona, name) in OWN
            may = may and (persona, name) not in NOT_NAMED
            expected = (page.status if page else 200) if may else 404
            assert response.status_code == expected, (persona, name, response.status_code)
            if policy_of(response) != POLICY or response["Cache-Control"] != NO_STORE:
                problems.append((persona, name, response.status_code, response.get("Cache-Control")))
        client.logout()
    assert problems == []


@pytest.mark.django_db
def test_exports_to_a_signed_in_person_are_never_stored(client, admin):
    login(client, admin)
    csv = client.get(reverse("people_export"))
    assert (csv["Content-Type"], csv["Cache-Control"]) == ("text/csv; charset=utf-8", NO_STORE)
    # The feed view asks calendar apps to keep it 15 minutes; a signed-in person's copy is still not kept.
    feed = client.get(reverse("calendar_feed", args=[new_calendar_feed(admin)]))
    assert (feed["Content-Type"], feed["Cache-Control"]) == ("text/calendar; charset=utf-8", NO_STORE)


@pytest.mark.django_db
def test_a_calendar_app_may_keep_the_feed_it_fetches_with_its_token(member):
    response = Client().get(reverse("calendar_feed", args=[new_calendar_feed(member)]))
    assert (response.status_code, response["Cache-Control"]) == (200, "private, max-age=900")


@pytest.mark.django_db
def test_api_answers_are_never_stored(client, member):
    _, raw = create_api_token(member, name="script")
    bearer = Client(headers={"Authorization": f"Bearer {raw}"})
    wrong = Client(headers={"Authorization": "Bearer acc_wrong"})
    answers = {
        "token": bearer.get("/api/me"),
        "token, 404": bearer.get("/api/people/999999999"),
        "wrong token": wrong.get("/api/me"),
        "session": login(client, member).get("/api/me"),
    }
    assert {k: (r.status_code, r["Cache-Control"]) for k, r in answers.items()} == {
        "token": (200, NO_STORE),
        "token, 404": (404, NO_STORE),
        "wrong token": (401, NO_STORE),
        "session": (200, NO_STORE),
    }
    assert policy_of(answers["token"]) == POLICY


@pytest.mark.django_db
def test_static_files_keep_their_own_caching(client, member):
    login(client, member)
    response = client.get("/static/accord/accord.css")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["OPTIONS", "TRACE"])
@pytest.mark.parametrize(
    ("target", "allow"),
    [
        ("home", "GET, HEAD, POST"),
        ("switch_org", "POST"),
        ("password_reset", "GET, POST, PUT, HEAD"),
        ("/api/docs", "GET, HEAD, POST"),
        ("/api/me", "GET"),
        ("/static/accord/accord.css", "GET, HEAD"),
    ],
)
def test_trace_and_options_are_refused(client, member, method, target, allow):
    login(client, member)
    response = client.generic(method, target if target.startswith("/") else reverse(target))
    assert (response.status_code, response["Allow"]) == (405, allow)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["OPTIONS", "TRACE"])
def test_trace_and_options_on_a_path_that_does_not_exist_are_404(client, member, method):
    login(client, member)
    assert client.generic(method, "/no-such-page/").status_code == 404


def test_the_stylesheet_closes_every_block():
    """An unclosed @media block silently swallows every later rule, the utilities that replace style
    attributes included (two were open: the kudos and time-zone phone layouts)."""
    css = re.sub(
        r"/\*.*?\*/", "", (Path(settings.BASE_DIR) / "static/accord/accord.css").read_text(), flags=re.S
    )
    depth, lowest = 0, 0
    for char in css:
        depth += {"{": 1, "}": -1}.get(char, 0)
        lowest = min(lowest, depth)
    assert (depth, lowest) == (0, 0)
