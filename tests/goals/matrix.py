"""Goals and commitments pages for the access-matrix harness (tests/access.py).

Objects here belong to `colleague`, who reports to `manager`: so a plain member may open them only
where everyone may, while the manager, admins and owners may also change them. Each POST sends valid
input, so that "allowed" is a redirect after a change.
"""

from accord.goals.models import Level
from tests.access import EVERYONE, MANAGERS, Matrix, Page, cast, stranger
from tests.factories import PersonFactory
from tests.factories.goals import day, make_commitment, make_goal, make_kr

POSTS = {
    "goal_key_result_new": {"title": "Churn", "start": "5", "target": "2", "unit": "%", "confidence": "60"},
    "key_result_progress": {"value": "10", "confidence": "65", "note": ""},
    "commitment_status": {"status": "dropped"},
}


def objects_of(org, owner):
    goal = make_goal(org, title="Colleague's goal", level=Level.PERSON, owner=owner)
    kr = make_kr(goal)
    commitment = make_commitment(owner, day("2099-01-01"))
    return {"goal": goal, "key_result": kr, "commitment": commitment}


def world(org, other_org, team, role):
    people = cast(org, team)
    colleague = PersonFactory(org=org, team=team, manager=people["manager"])
    return people, objects_of(org, colleague), objects_of(other_org, stranger(other_org))


def form(name, obj):
    # The progress form of each key result is prefixed with its id (several share one page).
    prefix = f"kr{obj.pk}-" if name == "key_result_progress" else ""
    return {prefix + k: v for k, v in POSTS[name].items()}


MATRIX = Matrix(
    app="goals",
    world=world,
    form=form,
    pages={
        "goals": Page("get", None, EVERYONE, 200),
        "goal_new": Page("get", None, EVERYONE, 200),
        "goal": Page("get", "goal", EVERYONE, 200),
        "goal_edit": Page("get", "goal", MANAGERS, 200),
        "goal_key_result_new": Page("post", "goal", MANAGERS, 302),
        "key_result_progress": Page("post", "key_result", MANAGERS, 302),
        "commitments": Page("get", None, EVERYONE, 200),
        "commitment_new": Page("get", None, EVERYONE, 200),
        "commitment_status": Page("post", "commitment", MANAGERS, 302),
    },
)
