"""1:1 pages for the access-matrix harness (tests/access.py): a series between `manager` and `member`,
and `colleague`, a member outside the series."""

from accord.meetings.actions import add_action_item, add_agenda_item, new_calendar_feed
from tests.access import ROLES, Matrix, Page, cast, stranger
from tests.factories import PersonFactory
from tests.factories.meetings import make_series

EVERYONE = frozenset({*ROLES, "colleague"})
ARRANGERS = frozenset({"manager", "admin", "owner"})  # people with reports, and admins
SEEN_BY = frozenset({"member", "manager", "admin", "owner"})  # its two people and admins
CHANGED_BY = frozenset({"manager", "admin", "owner"})  # its manager and admins
WRITTEN_BY = frozenset({"member", "manager"})  # its two people only
FEED = None  # anyone holding the token, signed in or not: tests/meetings/test_access.py


def objects_for(org, manager, report):
    series = make_series(org, manager, report, actor=manager)
    meeting = series.meetings.get()
    return {
        "series": series,
        "meeting": meeting,
        "agenda": add_agenda_item(meeting, author=report, text="Career talk"),
        "action": add_action_item(meeting, actor=manager, owner=report, text="Book the course"),
    }


def world(org, other_org, team, role):
    people = cast(org, team)
    people["colleague"] = PersonFactory(org=org, team=team)
    own = objects_for(org, people["manager"], people["member"])
    own["token"] = new_calendar_feed(people["member"])
    boss = stranger(other_org)
    foreign = objects_for(other_org, boss, PersonFactory(org=other_org, team=boss.team, manager=boss))
    return people, own, foreign


MATRIX = Matrix(
    app="meetings",
    world=world,
    roles=(*ROLES, "colleague"),
    form=lambda name, obj: {"text": "A thought", "done": "1"},
    pages={
        "one_on_ones": Page("get", None, EVERYONE, 200),
        "one_on_one_new": Page("get", None, ARRANGERS, 200),
        "one_on_one_feed_new": Page("post", None, EVERYONE, 200),  # shows the new feed's address once
        "one_on_one": Page("get", "series", SEEN_BY, 200),
        "one_on_one_edit": Page("get", "series", CHANGED_BY, 200),
        "one_on_one_end": Page("post", "series", CHANGED_BY, 302),
        "one_on_one_meeting": Page("get", "meeting", SEEN_BY, 200),
        "one_on_one_agenda_add": Page("post", "meeting", WRITTEN_BY, 302),
        # The form comes back with an error next to the owner (the body names none): the page was reached.
        "one_on_one_action_add": Page("post", "meeting", WRITTEN_BY, 200),
        "one_on_one_note": Page("post", "meeting", WRITTEN_BY, 302),
        "one_on_one_agenda_tick": Page("post", "agenda", WRITTEN_BY, 302),
        "one_on_one_action_tick": Page("post", "action", WRITTEN_BY, 302),
        "calendar_feed": Page("get", "token", FEED, 200),
    },
)
