"""Every page against every role, against another organisation's objects, and signed out.

The rows are the apps' own (tests/<app>/matrix.py, read by tests/access.py); together with ANON_PAGES
they must name every URL pattern Accord serves outside the API (the API has its own matrix in
tests/api). A new page without a row fails `test_every_page_is_in_the_matrix`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import all_pages, call, matrices
from tests.conftest import login

ANON_PAGES = {
    "login",
    "demo_login",
    "logout",
    "accept_invitation",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "email_change_confirm",  # the link mailed to a new sign-in address; the token says whose it is
    # Health checks for load balancers and monitors: no tenant data (tests/operations/test_health.py).
    "healthz",
    "healthz_ready",
}


def url_names(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("api/"):
                continue
            yield from url_names(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name


def cases(*, with_id=False, with_role=True):
    for m in matrices():
        for name in m.signed_in():
            if with_id and m.pages[name].kind is None:
                continue
            if with_role:
                yield from (pytest.param(m, name, role, id=f"{m.app}-{name}-{role}") for role in m.roles)
            else:
                yield pytest.param(m, name, id=f"{m.app}-{name}")


def test_every_page_is_in_the_matrix():
    names = [name for m in matrices() for name in m.pages]
    assert len(names) == len(set(names)), "a page has rows in two matrices"
    assert set(url_names(get_resolver().url_patterns)) == set(all_pages()) | ANON_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize(("matrix", "name", "role"), list(cases()))
def test_role_matrix(client, org, other_org, team, matrix, name, role):
    people, own, _ = matrix.world(org, other_org, team, role)
    page = matrix.pages[name]
    login(client, people[role])
    response = call(client, matrix, name, own[page.kind] if page.kind else None)
    assert response.status_code == page.expected(role)


@pytest.mark.django_db
@pytest.mark.parametrize(("matrix", "name", "role"), list(cases(with_id=True)))
def test_another_organisations_object_is_404(client, org, other_org, team, matrix, name, role):
    people, _, foreign = matrix.world(org, other_org, team, role)
    login(client, people[role])
    assert call(client, matrix, name, foreign[matrix.pages[name].kind]).status_code == 404
    matrix.untouched(foreign)


@pytest.mark.django_db
@pytest.mark.parametrize(("matrix", "name"), list(cases(with_role=False)))
def test_signed_out_visitors_are_sent_to_sign_in(client, org, other_org, team, matrix, name):
    _, own, _ = matrix.world(org, other_org, team, None)
    kind = matrix.pages[name].kind
    response = call(client, matrix, name, own[kind] if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# What a signed-out visitor gets from each sign-in page, with arguments that make it render: a bad
# token is a page too, saying the link is gone (410). The readiness check answers 503 here: no
# scheduler has ticked in this test (tests/operations).
SIGN_IN_PAGES = {
    "login": ([], 200),
    "password_reset": ([], 200),
    "password_reset_done": ([], 200),
    "password_reset_complete": ([], 200),
    "accept_invitation": (["bad-token"], 410),
    "password_reset_confirm": (["MQ", "set-password"], 200),
    "email_change_confirm": (["bad-token"], 410),
    "healthz": ([], 200),
    "healthz_ready": ([], 503),
}


def test_every_sign_in_page_is_tried():
    assert set(SIGN_IN_PAGES) == ANON_PAGES - {"demo_login", "logout"}  # both are POST only


@pytest.mark.parametrize("name", sorted(SIGN_IN_PAGES))
def test_sign_in_pages_open_without_an_account(client, db, name):
    args, status = SIGN_IN_PAGES[name]
    assert client.get(reverse(name, args=args)).status_code == status
