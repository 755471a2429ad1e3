"""Organisation pages (people, teams, failed mail) for the access-matrix harness (tests/access.py).

`core_world` is also the world of the account and pulse matrices: one organisation with a person of
each role and a colleague, failed mail, a pulse program with an open round that asked everyone and a
comment by each role, and another organisation with objects of every kind.
"""

from accord.accounts.actions import create_api_token
from tests.access import ADMINS, EVERYONE, NOBODY, Matrix, Page, cast, stranger
from tests.factories import PersonFactory, failed_mail_row
from tests.factories.pulse import comment_by, open_program


def core_world(org, other_org, team, role):
    people = cast(org, team)
    viewer = people[role or "member"]
    outsider = stranger(other_org)
    program, rnd = open_program(org)
    foreign_program, foreign_round = open_program(other_org)
    own = {
        "person": PersonFactory(org=org, team=team),
        "team": team,
        "mail": failed_mail_row(org),
        "token": create_api_token(viewer, name="mine")[0],
        "program": program,
        "round": rnd,
        # A pulse comment can be answered back only by its author: "comment" is the viewer's own.
        "comment": comment_by(viewer, rnd),
    }
    foreign = {
        "person": outsider,
        "team": outsider.team,
        "token": create_api_token(outsider, name="x")[0],
        "mail": failed_mail_row(other_org),
        "program": foreign_program,
        "round": foreign_round,
        "comment": comment_by(outsider, foreign_round),
    }
    return people, own, foreign


MATRIX = Matrix(
    app="orgs",
    world=core_world,
    # switch_org is sent org 0, nobody's: refused for every role.
    form=lambda name, obj: {"org": "0"},
    pages={
        "home": Page("get", None, EVERYONE, 200),
        "directory": Page("get", None, EVERYONE, 200),
        "person": Page("get", "person", EVERYONE, 200),
        "person_edit": Page("get", "person", ADMINS, 200),  # anyone may edit themselves; tested in test_pages
        "person_new": Page("get", None, ADMINS, 200),
        "person_invite": Page("post", "person", ADMINS, 302),
        "teams": Page("get", None, EVERYONE, 200),
        "org_chart": Page("get", None, EVERYONE, 200),
        "org_chart_team": Page("get", "team", EVERYONE, 200),
        "person_pick": Page("get", None, EVERYONE, 200),
        "team_pick": Page("get", None, EVERYONE, 200),
        "search": Page("get", None, EVERYONE, 200),
        "team": Page("get", "team", EVERYONE, 200),
        "team_new": Page("get", None, ADMINS, 200),
        "team_edit": Page("get", "team", ADMINS, 200),
        "switch_org": Page("post", None, NOBODY, 404),
        "people_import": Page("get", None, ADMINS, 200),
        "people_export": Page("get", None, ADMINS, 200),
        "failed_mail": Page("get", None, ADMINS, 200),
        "failed_mail_retry": Page("post", "mail", ADMINS, 302),
    },
)
