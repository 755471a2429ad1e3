"""Account pages for the access-matrix harness (tests/access.py); the world is the organisation pages'."""

from tests.access import EVERYONE, Matrix, Page
from tests.orgs.matrix import core_world

MATRIX = Matrix(
    app="accounts",
    world=core_world,
    form=lambda name, obj: {"org": "0"},
    pages={
        "api_tokens": Page("get", None, EVERYONE, 200),
        "api_token_revoke": Page("post", "token", EVERYONE, 302),  # "token" is the viewer's own
        "email_change": Page("get", None, EVERYONE, 200),
        "notifications": Page("get", None, EVERYONE, 200),
        "api_tokens_revoke_all": Page("post", None, EVERYONE, 302),
        "password_change": Page("get", None, EVERYONE, 200),
        "password_change_done": Page("get", None, EVERYONE, 200),
    },
)
