"""Pulse pages for the access-matrix harness (tests/access.py); the world is the organisation pages'
(tests/orgs/matrix.py), where everyone was asked in the open round and each role wrote a comment."""

from tests.access import ADMINS, EVERYONE, MANAGERS, NOBODY, Matrix, Page
from tests.orgs.matrix import core_world

MATRIX = Matrix(
    app="pulse",
    world=core_world,
    form=lambda name, obj: {"org": "0"},
    pages={
        "pulse_home": Page("get", None, EVERYONE, 200),
        "pulse_answer": Page("get", "round", EVERYONE, 200),
        # Nobody has answered yet: the thanks page sends them to the answer page.
        "pulse_thanks": Page("get", "round", EVERYONE, 302),
        "pulse_feedback": Page("get", None, EVERYONE, 200),
        # Only the comment's own author may answer back; tests/pulse/test_pages.py checks that anyone
        # else gets a 404.
        "pulse_author_reply": Page("post", "comment", EVERYONE, 302),
        "pulse_programs": Page("get", None, ADMINS, 200),
        "pulse_program_new": Page("get", None, ADMINS, 200),
        "pulse_program_edit": Page("get", "program", ADMINS, 200),
        "pulse_program_open_now": Page("post", "program", ADMINS, 302),
        "pulse_questions": Page("get", None, ADMINS, 200),
        "pulse_settings": Page("get", None, ADMINS, 200),
        "pulse_results": Page("get", None, EVERYONE, 200),
        "pulse_heatmap": Page("get", None, MANAGERS, 200),  # members see organisation-wide results only
        "pulse_trends": Page("get", None, EVERYONE, 200),
        # A reply needs a closed round whose comment authors reach k in a group the viewer manages; the
        # world's comments are in an open round, so every role gets the same 404 as for a comment that
        # is not theirs (tests/pulse/test_results.py covers the allowed case).
        "pulse_comment_reply": Page("post", "comment", NOBODY, 404),
    },
)
