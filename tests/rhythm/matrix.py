"""Time-zone pages for the access-matrix harness (tests/access.py): a team with a manager and a charter,
a meeting organised by `organiser`, and `outsider_manager`, who manages someone in another team."""

from accord.rhythm.actions import ChannelRow, CharterText, MeetingSpec, create_meeting, save_charter
from tests.access import ROLES, Matrix, Page, cast, stranger
from tests.factories import PersonFactory, TeamFactory

EVERYONE = frozenset({*ROLES, "organiser", "outsider_manager"})
TEAM_EDITORS = frozenset({"manager", "admin", "owner"})  # the team's managers and admins
MEETING_EDITORS = frozenset({"organiser", "admin", "owner"})

TEXT = CharterText("Roadmap", "Specs", "Page on-call", "Agenda first", [ChannelRow("Help", "#help", "1 day")])


def objects_for(org, team, organiser, people, charter_author):
    save_charter(team, TEXT, actor=charter_author, material=False)
    meeting = create_meeting(
        org, organiser=organiser, spec=MeetingSpec("Weekly sync", people, 3, 45, "Europe/London")
    )
    return {"team": team, "meeting": meeting}


def world(org, other_org, team, role):
    people = cast(org, team)
    people["organiser"] = PersonFactory(org=org, team=team)
    # Manages someone, but in another team: no rights over this team's charter.
    elsewhere = TeamFactory(org=org, name="Elsewhere")
    people["outsider_manager"] = PersonFactory(org=org, team=elsewhere)
    PersonFactory(org=org, team=elsewhere, manager=people["outsider_manager"])
    attendees = [people["member"], people["manager"]]
    own = objects_for(org, team, people["organiser"], attendees, people["manager"])
    boss = stranger(other_org)
    foreign = objects_for(other_org, boss.team, boss, [boss], boss)
    return people, own, foreign


MATRIX = Matrix(
    app="rhythm",
    world=world,
    roles=(*ROLES, "organiser", "outsider_manager"),
    pages={
        "rhythm_reach": Page("get", None, EVERYONE, 200),
        "rhythm_map": Page("get", None, EVERYONE, 200),
        "rhythm_meetings": Page("get", None, EVERYONE, 200),
        "rhythm_meeting_new": Page("get", None, EVERYONE, 200),
        "rhythm_meeting": Page("get", "meeting", EVERYONE, 200),
        "rhythm_meeting_edit": Page("get", "meeting", MEETING_EDITORS, 200),
        "rhythm_meeting_ics": Page("get", "meeting", EVERYONE, 200),
        "rhythm_charter": Page("get", "team", EVERYONE, 200),
        "rhythm_charter_edit": Page("get", "team", TEAM_EDITORS, 200),
        "rhythm_charter_ack": Page("post", "team", EVERYONE, 302),
    },
)
