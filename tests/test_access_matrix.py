"""Every page against every role, and against another organisation's objects.

The table below must name every URL pattern Accord serves outside the API (the API has its own
matrix in tests/api). A new page without a row here fails `test_every_page_is_in_the_matrix`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory, failed_mail_row

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

EVERYONE, ADMINS = "everyone", "admins"
# Managers (anyone with reports) and admins. NOBODY: every role gets a 404 from `world`'s objects, because
# the page needs something `world` does not have (tests/pulse/test_results.py covers the allowed case).
MANAGERS, NOBODY = "managers", "nobody"
# name -> (method, which object the URL points at, who may open it)
MATRIX = {
    "home": ("get", None, EVERYONE),
    "directory": ("get", None, EVERYONE),
    "person": ("get", "person", EVERYONE),
    "person_edit": ("get", "person", ADMINS),  # anyone may edit themselves; tested in test_pages
    "person_new": ("get", None, ADMINS),
    "person_invite": ("post", "person", ADMINS),
    "teams": ("get", None, EVERYONE),
    "org_chart": ("get", None, EVERYONE),
    "org_chart_team": ("get", "team", EVERYONE),
    "person_pick": ("get", None, EVERYONE),
    "search": ("get", None, EVERYONE),
    "team": ("get", "team", EVERYONE),
    "team_new": ("get", None, ADMINS),
    "team_edit": ("get", "team", ADMINS),
    "switch_org": ("post", None, EVERYONE),
    "people_import": ("get", None, ADMINS),
    "people_export": ("get", None, ADMINS),
    "failed_mail": ("get", None, ADMINS),
    "failed_mail_retry": ("post", "mail", ADMINS),
    "api_tokens": ("get", None, EVERYONE),
    "api_token_revoke": ("post", "token", EVERYONE),
    "email_change": ("get", None, EVERYONE),
    "notifications": ("get", None, EVERYONE),
    "api_tokens_revoke_all": ("post", None, EVERYONE),
    "password_change": ("get", None, EVERYONE),
    "password_change_done": ("get", None, EVERYONE),
    "pulse_home": ("get", None, EVERYONE),
    "pulse_answer": ("get", "round", EVERYONE),  # everyone in `world` is asked in the round
    "pulse_thanks": ("get", "round", EVERYONE),
    "pulse_feedback": ("get", None, EVERYONE),
    # Only the comment's own author may answer back; `world` gives each role a comment of its own, and
    # tests/pulse/test_pages.py checks that anyone else gets a 404.
    "pulse_author_reply": ("post", "comment", EVERYONE),
    "pulse_programs": ("get", None, ADMINS),
    "pulse_program_new": ("get", None, ADMINS),
    "pulse_program_edit": ("get", "program", ADMINS),
    "pulse_program_open_now": ("post", "program", ADMINS),
    "pulse_questions": ("get", None, ADMINS),
    "pulse_settings": ("get", None, ADMINS),
    "pulse_results": ("get", None, EVERYONE),
    "pulse_heatmap": ("get", None, MANAGERS),  # members see organisation-wide results only
    "pulse_trends": ("get", None, EVERYONE),
    # A reply needs a closed round whose comment authors reach k in a group the viewer manages; `world`'s
    # comments are in an open round, so every role gets the same 404 as for a comment that is not theirs.
    "pulse_comment_reply": ("post", "comment", NOBODY),
}


def url_names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("api/"):
                continue
            yield from url_names(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name


def app_matrices() -> dict:
    """Apps may keep their rows beside their own tests: tests/<app>/test_access.py with a MATRIX dict
    in the same shape (and their own role and tenancy tests over it)."""
    import importlib
    import pkgutil

    import tests

    found: dict = {}
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                module = importlib.import_module(f"tests.{info.name}.test_access")
            except ModuleNotFoundError:
                continue
            found.update(module.MATRIX)
    return found


def test_every_page_is_in_the_matrix():
    assert set(url_names(get_resolver().url_patterns)) == set(MATRIX) | set(app_matrices()) | ANON_PAGES


def pulse_objects(org, authors):
    """A program whose open round asked everyone in `org`, and a comment by each of `authors`."""
    from django.utils import timezone

    from accord.pulse.actions import ensure_bank, open_round, save_program, thread_key
    from accord.pulse.models import Comment, Program
    from accord.pulse.sealing import seal_cell

    questions = sorted(ensure_bank(org), key=lambda q: q.key)[:3]
    program = save_program(
        Program(org=org, name="Pulse"), questions=questions, teams=[], start=timezone.now()
    )
    rnd = open_round(program, timezone.now())
    comments = {
        role: Comment.objects.create(
            org=org,
            round=rnd,
            sealed_cell=seal_cell(rnd.pk, (None, "1-3y", "emea")),
            text="A comment",
            thread_key=thread_key(p.pk, rnd.pk),
        )
        for role, p in authors.items()
    }
    return program, rnd, comments


@pytest.fixture
def world(request, org, other_org, team):
    """One org with a person of each role, and a stranger org with objects of every kind."""
    from accord.accounts.actions import create_api_token

    people = {
        "member": PersonFactory(org=org, team=team, role=Role.MEMBER),
        "admin": PersonFactory(org=org, team=team, role=Role.ADMIN),
        "owner": PersonFactory(org=org, team=team, role=Role.OWNER),
    }
    people["manager"] = PersonFactory(org=org, team=team, role=Role.MEMBER)
    people["member"].manager = people["manager"]
    people["member"].save()
    colleague = PersonFactory(org=org, team=team, role=Role.MEMBER)
    stranger_team = TeamFactory(org=other_org)
    stranger = PersonFactory(org=other_org, team=stranger_team, role=Role.ADMIN)
    own = {"person": colleague, "team": team, "mail": failed_mail_row(org)}
    foreign = {
        "person": stranger,
        "team": stranger_team,
        "token": create_api_token(stranger, name="x")[0],
        "mail": failed_mail_row(other_org),
    }
    program, rnd, comments = pulse_objects(org, people)
    # A pulse comment can be answered back only by its author: point "comment" at the viewer's own.
    role = (
        request.node.callspec.params.get("role", "member") if hasattr(request.node, "callspec") else "member"
    )
    own.update(program=program, round=rnd, comment=comments[role])
    program, rnd, comments = pulse_objects(other_org, {"admin": stranger})
    foreign.update(program=program, round=rnd, comment=comments["admin"])
    return people, own, foreign


ROLES = ["member", "manager", "admin", "owner"]


def call(client, name, method, obj):
    url = reverse(name, args=[obj.pk] if obj is not None else [])
    return client.post(url, {"org": "0"}) if method == "post" else client.get(url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, role, name):
    from accord.accounts.actions import create_api_token

    people, own, _ = world
    method, kind, allowed = MATRIX[name]
    viewer = people[role]
    objects = dict(own, token=create_api_token(viewer, name="mine")[0])
    login(client, viewer)
    response = call(client, name, method, objects.get(kind) if kind else None)
    may = allowed == EVERYONE or (allowed != NOBODY and role in {"admin", "owner"})
    may = may or (allowed == MANAGERS and role == "manager")
    if name == "switch_org":
        assert response.status_code == 404  # org 0 is nobody's: refused for every role
    elif may:
        assert response.status_code in {200, 302}, response.status_code
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, (_, kind, _) in MATRIX.items() if kind))
def test_another_organisations_object_is_404(client, world, role, name):
    people, _, foreign = world
    method, kind, _ = MATRIX[name]
    login(client, people[role])
    assert call(client, name, method, foreign[kind]).status_code == 404


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_signed_out_visitors_are_sent_to_sign_in(client, world, name):
    _, own, _ = world
    method, kind, _ = MATRIX[name]
    obj = own.get(kind) if kind in own else (own["person"] if kind else None)
    response = call(client, name, method, obj)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(ANON_PAGES - {"demo_login", "logout"}))
def test_sign_in_pages_open_without_an_account(client, db, name):
    args = {
        "accept_invitation": ["bad-token"],
        "email_change_confirm": ["bad-token"],
        "password_reset_confirm": ["MQ", "set-password"],
    }.get(name, [])
    # The readiness check answers 503 here: no scheduler has ticked in this test (tests/operations).
    expected = {503} if name == "healthz_ready" else {200, 302, 410}
    assert client.get(reverse(name, args=args)).status_code in expected
