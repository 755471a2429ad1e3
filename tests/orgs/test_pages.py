import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accord.lib.tz import UTC
from accord.orgs.models import Person, Team
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

# Wednesday 1 July 2026, 12:00 UTC: 13:00 in London, 08:00 in New York, 17:45 in Kathmandu.
NOON_UTC = dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def profile_data(person, **changes):
    data = {
        "name": person.name,
        "title": person.title,
        "timezone": person.timezone,
        "work_start": person.work_start.strftime("%H:%M"),
        "work_end": person.work_end.strftime("%H:%M"),
        "work_days": list(person.work_days),
        "location": person.location,
        "birthday_month": "",
        "birthday_day": "",
    }
    data.update(changes)
    return data


def admin_data(person, **changes):
    data = profile_data(person)
    data.update(
        {
            "email": person.email,
            "team": person.team_id or "",
            "manager": person.manager_id or "",
            "role": person.role,
            "start_date": person.start_date.isoformat() if person.start_date else "",
        }
    )
    data.update(changes)
    return data


def test_directory_shows_local_time_and_working_hours(as_member, org, team):
    PersonFactory(org=org, team=team, name="Nora York", timezone="America/New_York")
    PersonFactory(org=org, team=team, name="Kiran Kathmandu", timezone="Asia/Kathmandu")
    with time_machine.travel(NOON_UTC, tick=False):
        response = as_member.get(reverse("directory"))
    page = response.content.decode()
    assert "Wed 08:00" in page and "UTC−4" in page  # New York, before 09:00: outside hours
    assert "Wed 17:45" in page and "UTC+5:45" in page  # Kathmandu, after 17:00: outside hours
    assert "Wed 13:00" in page  # London is inside hours
    assert {p.name: p.clock.working for p in response.context["people"]} == {
        "Kiran Kathmandu": False,
        "Maya Manager": True,
        "Milo Member": True,
        "Nora York": False,
    }
    assert page.count("In working hours") == 2


def test_directory_search_and_team_filter(as_member, org, team):
    sub = TeamFactory(org=org, name="Platform", parent=team)
    PersonFactory(org=org, team=sub, name="Pia Platform")
    other = TeamFactory(org=org, name="Sales")
    PersonFactory(org=org, team=other, name="Sam Sales")
    names = lambda r: [p.name for p in r.context["people"]]  # noqa: E731
    assert names(as_member.get(reverse("directory"), {"q": "pia"})) == ["Pia Platform"]
    # A team includes its sub-teams.
    assert names(as_member.get(reverse("directory"), {"team": team.pk})) == [
        "Maya Manager",
        "Milo Member",
        "Pia Platform",
    ]


def test_directory_answers_htmx_with_the_results_partial(as_member):
    response = as_member.get(reverse("directory"), {"q": "milo"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body


@pytest.mark.parametrize("url_name", ["directory", "team"])
def test_list_pages_cost_the_same_for_one_and_fifty_people(client, org, url_name, django_assert_num_queries):
    team = TeamFactory(org=org, name="Big")
    viewer = PersonFactory(org=org, team=team)
    login(client, viewer)
    url = reverse(url_name, args=[team.pk] if url_name == "team" else [])
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    boss = PersonFactory(org=org, team=team)
    for _ in range(49):
        PersonFactory(org=org, team=team, manager=boss)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_person_page_shows_local_time(as_member, org, team):
    kim = PersonFactory(org=org, team=team, name="Kim Sydney", timezone="Australia/Sydney")
    with time_machine.travel(NOON_UTC, tick=False):
        page = as_member.get(reverse("person", args=[kim.pk])).content.decode()
    assert "22:00" in page and "UTC+10" in page and "Outside working hours" in page


def test_member_edits_own_profile(as_member, member):
    response = as_member.post(
        reverse("person_edit", args=[member.pk]),
        profile_data(member, timezone="Asia/Manila", location="Manila", work_days=["1", "2", "3", "4"]),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.timezone, member.location, member.work_days) == ("Asia/Manila", "Manila", "1234")


def test_member_cannot_change_own_role_or_manager(as_member, member, manager):
    as_member.post(reverse("person_edit", args=[member.pk]), profile_data(member, role="owner", manager=""))
    member.refresh_from_db()
    assert (member.role, member.manager_id) == ("member", manager.pk)


def test_member_cannot_edit_someone_else(as_member, manager):
    assert as_member.get(reverse("person_edit", args=[manager.pk])).status_code == 404
    assert as_member.post(reverse("person_edit", args=[manager.pk]), profile_data(manager)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "is not a known IANA time zone"),
        (
            {"work_start": "17:00", "work_end": "09:00"},
            "work_end",
            "Working hours end before they start — tick “Overnight” if this is a night shift.",
        ),
        ({"work_days": []}, "work_days", "This field is required."),
        (
            {"birthday_month": "2", "birthday_day": "30"},
            "birthday_day",
            "That day does not exist in that month.",
        ),
        ({"birthday_month": "2"}, "birthday_day", "Give both month and day, or neither."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_profile_input_is_shown_next_to_the_field(as_member, member, changes, field, message):
    before = Person.objects.values().get(pk=member.pk)
    response = as_member.post(reverse("person_edit", args=[member.pk]), profile_data(member, **changes))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode() or field == "work_days"
    assert Person.objects.values().get(pk=member.pk) == before


def test_manager_cycle_is_rejected_with_a_clear_error(as_admin, admin, manager, member):
    # Maya manages Milo; making Milo Maya's manager would close a loop.
    response = as_admin.post(
        reverse("person_edit", args=[manager.pk]), admin_data(manager, manager=member.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["manager"] == [
        "That would make a reporting loop: Maya Manager → Milo Member → Maya Manager."
    ]
    manager.refresh_from_db()
    assert manager.manager_id is None


def test_admin_adds_a_person_and_invites_them(
    as_admin, org, team, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            reverse("person_new"),
            {
                "name": "Rui Novo",
                "email": "Rui@Acme.test",
                "title": "Support",
                "team": team.pk,
                "manager": "",
                "role": "member",
                "timezone": "America/Bogota",
                "work_start": "08:00",
                "work_end": "16:00",
                "work_days": ["1", "2", "3", "4", "5"],
                "location": "Bogotá",
                "start_date": "2026-07-01",
                "birthday_month": "",
                "birthday_day": "",
                "send_invitation": "1",
            },
        )
    person = Person.objects.get(org=org, email="rui@acme.test")
    assert response["Location"] == reverse("person", args=[person.pk])
    assert [m.to for m in mailoutbox] == [["rui@acme.test"]]


def test_duplicate_email_in_org_is_refused(as_admin, member):
    response = as_admin.post(
        reverse("person_new"),
        admin_data(member, email="MILO@acme.test", name="Copy", manager="", team=""),
    )
    assert response.context["form"].errors["email"] == [
        "Someone in this organisation already has that email."
    ]


def test_member_cannot_add_people_or_teams(as_member):
    assert as_member.get(reverse("person_new")).status_code == 404
    assert as_member.get(reverse("team_new")).status_code == 404


def test_team_hierarchy_and_cycle(as_admin, org, team):
    response = as_admin.post(reverse("team_new"), {"name": "Platform", "parent": team.pk, "description": ""})
    platform = Team.objects.get(org=org, name="Platform")
    assert response["Location"] == reverse("team", args=[platform.pk])
    response = as_admin.post(
        reverse("team_edit", args=[team.pk]), {"name": "Engineering", "parent": platform.pk}
    )
    assert response.context["form"].errors["parent"] == [
        "A team cannot sit inside itself or one of its sub-teams."
    ]
    team.refresh_from_db()
    assert team.parent_id is None
    page = as_admin.get(reverse("teams")).content.decode()
    assert "Platform" in page and "Engineering" in page


def test_the_teams_page_folds_deep_teams_and_pages_the_top(as_member, org, django_assert_num_queries):
    from accord.orgs.queries import OUTLINE_LEVELS, OUTLINE_PAGE

    parent = None
    chain = []
    for depth in range(OUTLINE_LEVELS + 2):
        parent = TeamFactory(org=org, name=f"Depth {depth}", parent=parent)
        chain.append(parent)
    for i in range(OUTLINE_PAGE):
        TeamFactory(org=org, name=f"Top {i:02}")
    as_member.get(reverse("teams"))
    with django_assert_num_queries(8):  # the same however many teams sit below
        page = as_member.get(reverse("teams")).content.decode()
    shown, folded = chain[OUTLINE_LEVELS - 1], chain[OUTLINE_LEVELS]
    assert f'href="/teams/{shown.pk}/">1 sub-team</a>' in page
    assert folded.name not in page and "More teams" in page
    later = as_member.get(reverse("teams"), {"page": "2"}).content.decode()
    assert "Top 49" in later and "Depth 0" not in later and "Previous teams" in later


def test_switching_organisation(client, member, other_org):
    PersonFactory(org=other_org, user=member.user, email=member.email, name="Milo at Globex")
    login(client, member)
    assert client.get(reverse("home")).context["me"].org.name in {"Acme", "Globex"}
    client.post(reverse("switch_org"), {"org": other_org.pk})
    assert client.get(reverse("home")).context["me"].name == "Milo at Globex"
    # Switching to an organisation you do not belong to is a 404, not a silent switch.
    stranger = PersonFactory().org
    assert client.post(reverse("switch_org"), {"org": stranger.pk}).status_code == 404
    assert client.get(reverse("home")).context["me"].name == "Milo at Globex"


def test_only_an_owner_makes_owners(as_admin, member):
    response = as_admin.post(reverse("person_edit", args=[member.pk]), admin_data(member, role="owner"))
    assert response.context["form"].errors["role"] == [
        "Only an owner can make someone an owner or change an owner's role."
    ]
    member.refresh_from_db()
    assert member.role == "member"


def test_an_owner_can_hand_over_but_not_leave_the_org_ownerless(client, owner, member):
    login(client, owner)
    response = client.post(reverse("person_edit", args=[owner.pk]), admin_data(owner, role="admin"))
    assert response.context["form"].errors["role"] == [
        "The organisation needs at least one owner; make someone else owner first."
    ]
    assert (
        client.post(reverse("person_edit", args=[member.pk]), admin_data(member, role="owner")).status_code
        == 302
    )
    assert (
        client.post(reverse("person_edit", args=[owner.pk]), admin_data(owner, role="admin")).status_code
        == 302
    )
    owner.refresh_from_db()
    member.refresh_from_db()
    assert (owner.role, member.role) == ("admin", "owner")


@pytest.mark.parametrize(
    ("name", "args", "section"),
    [
        ("home", [], "home"),
        ("directory", [], "people"),
        ("teams", [], "teams"),
        ("commitments", [], "commitments"),
        ("goals", [], "goals"),
        ("kudos_give", [], "kudos"),
        ("rhythm_map", [], "time"),
        ("profiles", [], "people"),
        ("coffee", [], "coffee"),
        ("handoffs", [], "handoffs"),
    ],
)
def test_the_top_bar_marks_the_section_a_page_belongs_to(client, member, name, args, section):
    from accord.orgs.context import nav_section

    login(client, member)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert nav_section(response.wsgi_request) == section
    html = response.content.decode()
    bar = html[html.index('<nav class="nav"') : html.index("</nav>")]
    assert bar.count('aria-current="page"') == 1


def test_malformed_email_gets_one_error_not_two(as_admin, member):
    # The form could not read "rui@" so the model used to judge a blank and add "cannot be blank" too.
    response = as_admin.post(
        reverse("person_new"),
        admin_data(member, email="rui@", name="Rui Novo", manager="", team=""),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert "cannot be blank" not in response.content.decode()
