from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse

from accord.orgs.csv_cells import format_work_days
from accord.orgs.models import Person, Role, Team
from accord.orgs.people_csv import (
    COLUMNS,
    ImportHasErrors,
    RowError,
    apply_import,
    export_people_cli,
    export_people_csv,
    import_people_cli,
    parse_people_csv,
)

from ..factories import PersonFactory, TeamFactory, UserFactory

HEADER = ",".join(COLUMNS)


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def snapshot(org) -> list[dict]:
    return [model_to_dict(p) for p in Person.objects.filter(org=org).order_by("email")]


def errors_of(org, text, **kwargs) -> list[RowError]:
    return parse_people_csv(org, text, **kwargs).errors


GOOD = csv_of(
    "boss@acme.test,Bea Boss,CEO,,,Europe/Berlin,08:30-16:30,Mon-Fri,Berlin,2020-01-06,,owner",
    "lee@acme.test,Lee Lead,Support lead,Engineering,boss@acme.test,America/New_York,09:00-17:30,"
    "Mon-Thu,New York,2021-05-01,04-23,admin",
    "sam@acme.test,Sam Support,Agent,Engineering,lee@acme.test,Asia/Kolkata,10:00-18:00,Sun-Thu,,,,",
)


# --- Parsing: every kind of bad row, with its line ------------------------------------------------


def test_good_file_parses_with_counts(org, team):
    plan = parse_people_csv(org, GOOD)
    assert plan.errors == []
    assert (plan.to_create, plan.to_update, plan.unchanged) == (3, 0, 0)
    assert [r.line for r in plan.rows] == [2, 3, 4]
    sam = plan.rows[2]
    assert sam.values == {
        "name": "Sam Support",
        "title": "Agent",
        "location": "",
        "timezone": "Asia/Kolkata",
        "work_start": dt.time(10, 0),
        "work_end": dt.time(18, 0),
        "work_overnight": False,
        "work_days": "12347",
        "start_date": None,
        "birthday_month": None,
        "birthday_day": None,
        "role": "member",
    }
    assert sam.team == ("Engineering",)
    assert sam.manager_email == "lee@acme.test"


def test_bad_email(org):
    text = csv_of("not-an-email,Ann,,,,,,,,,,", ",No Email,,,,,,,,,,")
    assert errors_of(org, text) == [
        RowError(2, "email", "“not-an-email” is not a valid email address."),
        RowError(3, "email", "An email is required."),
    ]


def test_unknown_manager(org):
    text = csv_of("ann@acme.test,Ann,,,ghost@acme.test,,,,,,,")
    assert errors_of(org, text) == [
        RowError(
            2,
            "manager_email",
            "No one with the email ghost@acme.test is in this file or in the organisation.",
        )
    ]


def test_manager_already_in_org_is_known(org, manager):
    text = csv_of("ann@acme.test,Ann,,,MAYA@acme.test,,,,,,,")
    plan = parse_people_csv(org, text)
    assert plan.errors == []
    assert plan.rows[0].manager_email == "maya@acme.test"


def test_manager_cycle_within_file_reports_every_row_in_the_loop(org):
    text = csv_of(
        "a@acme.test,A,,,b@acme.test,,,,,,,",
        "b@acme.test,B,,,c@acme.test,,,,,,,",
        "c@acme.test,C,,,a@acme.test,,,,,,,",
        "d@acme.test,D,,,a@acme.test,,,,,,,",
        "e@acme.test,E,,,e@acme.test,,,,,,,",
    )
    plan = parse_people_csv(org, text)
    # Only d, who reports into the loop without being part of it, is free of errors.
    assert (plan.to_create, plan.to_update, plan.unchanged) == (1, 0, 0)
    assert plan.errors == [
        RowError(
            2,
            "manager_email",
            "This would make a reporting loop: a@acme.test → b@acme.test → c@acme.test → a@acme.test.",
        ),
        RowError(
            3,
            "manager_email",
            "This would make a reporting loop: b@acme.test → c@acme.test → a@acme.test → b@acme.test.",
        ),
        RowError(
            4,
            "manager_email",
            "This would make a reporting loop: c@acme.test → a@acme.test → b@acme.test → c@acme.test.",
        ),
        RowError(6, "manager_email", "This would make a reporting loop: e@acme.test → e@acme.test."),
    ]


def test_manager_cycle_through_people_not_in_the_file(org, manager, member):
    # Milo already reports to Maya; making Maya report to Milo closes a loop through someone not in the file.
    text = csv_of("maya@acme.test,Maya Manager,,,milo@acme.test,,,,,,,")
    assert errors_of(org, text) == [
        RowError(
            2,
            "manager_email",
            "This would make a reporting loop: maya@acme.test → milo@acme.test → maya@acme.test.",
        )
    ]


def test_manager_cycle_is_fine_when_the_file_also_breaks_it(org, manager, member):
    text = csv_of(
        "maya@acme.test,Maya Manager,,,milo@acme.test,,,,,,,", "milo@acme.test,Milo Member,,,,,,,,,,"
    )
    assert errors_of(org, text) == []


def test_unknown_timezone(org):
    text = csv_of("ann@acme.test,Ann,,,,Mars/Olympus,,,,,,", "bo@acme.test,Bo,,,,europe/london,,,,,,")
    plan = parse_people_csv(org, text)
    assert plan.errors == [
        RowError(2, "timezone", "Unknown time zone “Mars/Olympus”; use an IANA name such as Europe/Berlin.")
    ]
    assert plan.rows[1].values["timezone"] == "Europe/London"


def test_duplicate_email_points_at_first_line(org):
    text = csv_of(
        "ann@acme.test,Ann,,,,,,,,,,", "bo@acme.test,Bo,,,,,,,,,,", "ANN@acme.test,Ann Again,,,,,,,,,,"
    )
    assert errors_of(org, text) == [
        RowError(4, "email", "ann@acme.test appears twice in the file; the first is on line 2.")
    ]


def test_bad_dates(org):
    text = csv_of(
        "a@acme.test,A,,,,,,,,2024-02-30,,",
        "b@acme.test,B,,,,,,,,15/01/2024,,",
        "c@acme.test,C,,,,,,,,,02-30,",
        "d@acme.test,D,,,,,,,,,1990-04-23,",
        "e@acme.test,E,,,,,,,,,02-29,",
    )
    assert errors_of(org, text) == [
        RowError(2, "start_date", "“2024-02-30” is not a real date."),
        RowError(
            3, "start_date", "Write the start date as YYYY-MM-DD, for example 2024-01-15, not “15/01/2024”."
        ),
        RowError(4, "birthday", "“02-30” is not a real day of the year."),
        RowError(
            5, "birthday", "Write the birthday as MM-DD with no year, for example 04-23, not “1990-04-23”."
        ),
    ]


def test_unknown_team(org, team):
    text = csv_of("a@acme.test,A,,Support/Level 1,,,,,,,,", "b@acme.test,B,,engineering,,,,,,,,")
    assert errors_of(org, text) == [
        RowError(
            2,
            "team",
            "There is no team “Support/Level 1”. Create it first, or choose to create missing teams.",
        )
    ]


def test_nested_team_path_matches(org, team):
    TeamFactory(org=org, name="Platform", parent=team)
    plan = parse_people_csv(org, csv_of("a@acme.test,A,,Engineering / Platform,,,,,,,,"))
    assert plan.errors == []


def test_create_teams_plans_and_creates_missing_levels(org, team):
    text = csv_of("a@acme.test,A,,Support/Level 1,,,,,,,,", "b@acme.test,B,,Engineering/Data,,,,,,,,")
    plan = parse_people_csv(org, text, create_teams=True)
    assert plan.errors == []
    assert plan.teams_to_create == ["Engineering/Data", "Support", "Support/Level 1"]
    result = apply_import(plan)
    assert result.teams_created == 3
    level1 = Team.objects.get(org=org, name="Level 1")
    assert level1.parent == Team.objects.get(org=org, name="Support", parent=None)
    assert Person.objects.get(org=org, email="a@acme.test").team == level1
    assert Person.objects.get(org=org, email="b@acme.test").team.parent == team


def test_new_team_name_too_long(org):
    text = csv_of(f"a@acme.test,A,,Support/{'x' * 121},,,,,,,,")
    assert errors_of(org, text, create_teams=True) == [
        RowError(2, "team", f"The team name “{'x' * 121}” is too long.")
    ]


def test_bad_working_hours(org):
    text = csv_of(
        "a@acme.test,A,,,,,17:00-09:00,,,,,",
        "b@acme.test,B,,,,,nine to five,,,,,",
        "c@acme.test,C,,,,,09:00-25:00,,,,,",
        "d@acme.test,D,,,,,9:00 – 17:30,,,,,",
    )
    assert errors_of(org, text) == [
        RowError(
            2,
            "work_hours",
            "Working hours must end after they start (“17:00-09:00”); "
            "for a night shift write it like 22:00-06:00 overnight.",
        ),
        RowError(3, "work_hours", "Write working hours like 09:00-17:30, not “nine to five”."),
        RowError(4, "work_hours", "Write working hours like 09:00-17:30, not “09:00-25:00”."),
    ]


def test_bad_working_days(org):
    text = csv_of(
        "a@acme.test,A,,,,,,Mon-Fry,,,,",
        "b@acme.test,B,,,,,,1238,,,,",
        'c@acme.test,C,,,,,,"Mon, Wed, Fri",,,,',
        "d@acme.test,D,,,,,,12345,,,,",
    )
    plan = parse_people_csv(org, text)
    assert plan.errors == [
        RowError(
            2,
            "work_days",
            "Unrecognised working days “Mon-Fry”; write them like Mon-Fri, Mon,Tue,Thu or 12345.",
        ),
        RowError(
            3, "work_days", "Unrecognised working days “1238”; write them like Mon-Fri, Mon,Tue,Thu or 12345."
        ),
    ]
    assert [r.values["work_days"] for r in plan.rows[2:]] == ["135", "12345"]


def test_unknown_role(org):
    assert errors_of(org, csv_of("a@acme.test,A,,,,,,,,,,boss")) == [
        RowError(2, "role", "Unknown role “boss”; use member, admin or owner.")
    ]


def test_missing_required_columns_in_header(org):
    text = csv_of("A,Engineer", header="name,title")
    assert errors_of(org, text) == [RowError(1, "header", "Missing required column(s): email.")]


def test_unknown_and_repeated_header_columns(org):
    text = csv_of("a@acme.test,A,b@acme.test,A", header="email,name,manger_email,name")
    assert errors_of(org, text) == [
        RowError(1, "header", "The column “name” appears more than once."),
        RowError(1, "header", f"Unknown column “manger_email”. The columns are: {', '.join(COLUMNS)}."),
    ]


def test_semicolon_file_gets_a_hint(org):
    assert errors_of(org, "email;name\na@acme.test;A\n") == [
        RowError(1, "header", "Cells must be separated by commas, but this file uses semicolons.")
    ]


def test_wrong_number_of_cells(org):
    text = csv_of("a@acme.test,A,,,,,,,,,", "b@acme.test,B,,,,,,,,,,,")
    assert errors_of(org, text) == [
        RowError(2, "row", "Expected 12 cells, as in the header, but found 11."),
        RowError(3, "row", "Expected 12 cells, as in the header, but found 13."),
    ]


def test_non_utf8_file(org):
    data = csv_of("a@acme.test,A,,,,,,,,,,", "b@acme.test,Zoë,,,,,,,,,,").encode("latin-1")
    assert errors_of(org, data) == [
        RowError(
            1,
            "file",
            "The file is not UTF-8 text (the first bad byte is on line 3). "
            "Save it as “CSV UTF-8” and try again.",
        )
    ]


def test_binary_file(org):
    assert errors_of(org, csv_of("a@acme.test,A\x00,,,,,,,,,,")) == [
        RowError(2, "file", "The file contains a NUL character; is it really a CSV file?")
    ]


def test_empty_file(org):
    assert errors_of(org, b"") == [RowError(1, "file", "The file is empty.")]
    assert errors_of(org, "  \n\n") == [RowError(1, "file", "The file is empty.")]
    assert errors_of(org, HEADER + "\n") == [RowError(2, "file", "There are no people under the header.")]


def test_missing_name_and_too_long_title(org):
    text = csv_of("a@acme.test,,,,,,,,,,,", f"b@acme.test,B,{'x' * 201},,,,,,,,,")
    assert errors_of(org, text) == [
        RowError(2, "name", "A name is required."),
        RowError(3, "title", "Ensure this value has at most 200 characters (it has 201)."),
    ]


def test_all_bad_rows_are_reported_with_lines_across_blank_and_multiline_rows(org):
    text = (
        HEADER + "\n"
        '"ok@acme.test","Ann\nOn Two Lines",,,,,,,,,,\n'  # lines 2-3
        "\n"  # line 4, skipped
        "bad,B,,,,,,,,,,\n"  # line 5
        ",,,,,,,,,,,\n"  # line 6: an empty spreadsheet row, skipped
        "c@acme.test,C,,,,Nowhere/Zone,,,,,,\n"  # line 7
    )
    assert errors_of(org, text) == [
        RowError(2, "name", "Keep this to one line: remove the line break."),  # a name is one line
        RowError(5, "email", "“bad” is not a valid email address."),
        RowError(7, "timezone", "Unknown time zone “Nowhere/Zone”; use an IANA name such as Europe/Berlin."),
    ]


def test_cannot_demote_the_last_owner(org, owner):
    text = csv_of("olu@acme.test,Olu Owner,,,,,,,,,,admin")
    assert errors_of(org, text) == [
        RowError(2, "role", "This would leave the organisation without an owner.")
    ]
    handover = csv_of("olu@acme.test,Olu Owner,,,,,,,,,,admin", "new@acme.test,New Owner,,,,,,,,,,owner")
    assert errors_of(org, handover) == []


# --- Applying -------------------------------------------------------------------------------------


def test_apply_creates_people_with_every_value_and_managers(org, team):
    result = apply_import(parse_people_csv(org, GOOD))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    lee = Person.objects.get(org=org, email="lee@acme.test")
    assert (lee.name, lee.title, lee.team, lee.manager.email, lee.role) == (
        "Lee Lead",
        "Support lead",
        team,
        "boss@acme.test",
        Role.ADMIN,
    )
    assert (lee.timezone, lee.work_start, lee.work_end, lee.work_days, lee.location) == (
        "America/New_York",
        dt.time(9, 0),
        dt.time(17, 30),
        "1234",
        "New York",
    )
    assert (lee.start_date, lee.birthday_month, lee.birthday_day, lee.user) == (
        dt.date(2021, 5, 1),
        4,
        23,
        None,
    )
    assert Person.objects.get(org=org, email="sam@acme.test").manager == lee
    assert Person.objects.get(org=org, email="boss@acme.test").manager is None


def test_apply_refuses_a_plan_with_errors(org):
    plan = parse_people_csv(org, csv_of("a@acme.test,A,,,,Nowhere/Zone,,,,,,"))
    with pytest.raises(ImportHasErrors):
        apply_import(plan)
    assert Person.objects.filter(org=org).count() == 0


def test_one_bad_row_among_good_ones_imports_nothing(org, team, admin):
    text = GOOD + "zed@acme.test,Zed,,,,,,,,,13-01,\n"
    plan = parse_people_csv(org, text)
    assert plan.errors == [RowError(5, "birthday", "“13-01” is not a real day of the year.")]
    assert (plan.to_create, plan.to_update, plan.unchanged) == (3, 0, 0)
    before = snapshot(org)
    with pytest.raises(ImportHasErrors):
        apply_import(plan)
    assert snapshot(org) == before


def test_reimport_changes_nothing(org, team):
    apply_import(parse_people_csv(org, GOOD))
    before = snapshot(org)
    plan = parse_people_csv(org, GOOD)
    assert (plan.to_create, plan.to_update, plan.unchanged) == (0, 0, 3)
    result = apply_import(plan)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot(org) == before


def test_update_by_email_ignoring_case_and_leaves_absent_people_alone(org, team, admin, manager, member):
    before = {p["email"]: p for p in snapshot(org)}
    plan = parse_people_csv(org, csv_of("MILO@acme.test,Milo M.,Lead,,,,,,,,,"))
    assert (plan.to_create, plan.to_update, plan.unchanged) == (0, 1, 0)
    result = apply_import(plan)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    after = {p["email"]: p for p in snapshot(org)}
    milo = after["milo@acme.test"]
    # Blank cells mean defaults and no team or manager.
    assert (milo["name"], milo["title"], milo["team"], milo["manager"], milo["timezone"]) == (
        "Milo M.",
        "Lead",
        None,
        None,
        "UTC",
    )
    assert after["ada@acme.test"] == before["ada@acme.test"]
    assert after["maya@acme.test"] == before["maya@acme.test"]


def test_columns_left_out_keep_existing_values(org, team, manager, member):
    before = model_to_dict(member)
    plan = parse_people_csv(
        org, csv_of("milo@acme.test,Milo Member,Staff engineer", header="email,name,title")
    )
    assert (plan.to_create, plan.to_update, plan.unchanged) == (0, 1, 0)
    apply_import(plan)
    member.refresh_from_db()
    assert model_to_dict(member) == {**before, "title": "Staff engineer"}


def test_manager_change_alone_counts_as_an_update(org, team, admin, manager, member):
    plan = parse_people_csv(
        org, csv_of("milo@acme.test,Milo Member,ada@acme.test", header="email,name,manager_email")
    )
    assert (plan.to_create, plan.to_update, plan.unchanged) == (0, 1, 0)
    result = apply_import(plan)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    member.refresh_from_db()
    assert member.manager == admin


def test_new_person_is_not_linked_to_an_existing_sign_in_by_email(org):
    # The account's owner joins by signing in on an invitation; a file cannot attach their account.
    UserFactory(email="ann@acme.test")
    apply_import(parse_people_csv(org, csv_of("Ann@Acme.test,Ann,,,,,,,,,,")))
    assert Person.objects.get(org=org, email="ann@acme.test").user is None


def test_other_orgs_people_with_the_same_email_are_untouched(org, other_org, outsider):
    before = model_to_dict(outsider)
    text = csv_of("otto@globex.test,Otto Imported,CTO,,,Asia/Tokyo,,,,,,admin")
    plan = parse_people_csv(org, text)
    assert (plan.to_create, plan.to_update, plan.unchanged) == (1, 0, 0)
    apply_import(plan)
    outsider.refresh_from_db()
    assert model_to_dict(outsider) == before
    mine = Person.objects.get(org=org, email="otto@globex.test")
    # Neither their membership in the other org nor their sign-in: that joins only when they accept.
    assert (mine.name, mine.role, mine.user_id) == ("Otto Imported", Role.ADMIN, None)


def test_other_orgs_people_are_not_managers_here(org, outsider):
    text = csv_of("ann@acme.test,Ann,,,otto@globex.test,,,,,,,")
    assert errors_of(org, text) == [
        RowError(
            2,
            "manager_email",
            "No one with the email otto@globex.test is in this file or in the organisation.",
        )
    ]


def test_other_orgs_teams_are_unknown_here(org, outsider):
    assert errors_of(org, csv_of("ann@acme.test,Ann,,Sales,,,,,,,,")) == [
        RowError(2, "team", "There is no team “Sales”. Create it first, or choose to create missing teams.")
    ]


# --- Export ---------------------------------------------------------------------------------------


def test_export_writes_the_import_format(org, team):
    platform = TeamFactory(org=org, name="Platform", parent=team)
    boss = PersonFactory(
        org=org, email="boss@acme.test", name="Bea Boss", title="CEO", team=None, role=Role.OWNER
    )
    PersonFactory(
        org=org,
        email="kim@acme.test",
        name='Kim, the "SRE"',
        title="=SUM(A1)",
        team=platform,
        manager=boss,
        timezone="Australia/Adelaide",
        work_start=dt.time(8, 0),
        work_end=dt.time(16, 30),
        work_days="12347",
        location="Adelaide",
        start_date=dt.date(2023, 2, 1),
        birthday_month=2,
        birthday_day=29,
    )
    PersonFactory(org=org, email="gone@acme.test", name="Gone", is_active=False)
    assert export_people_csv(org) == (
        HEADER + "\r\n"
        "boss@acme.test,Bea Boss,CEO,,,Europe/London,09:00-17:00,Mon-Fri,,2024-01-15,,owner\r\n"
        'kim@acme.test,"Kim, the ""SRE""",\'=SUM(A1),Engineering/Platform,boss@acme.test,Australia/Adelaide,'
        "08:00-16:30,Sun-Thu,Adelaide,2023-02-01,02-29,member\r\n"
    )


def test_export_then_import_changes_nothing(org, team, owner, admin, manager, member, outsider):
    TeamFactory(org=org, name="Level 1", parent=TeamFactory(org=org, name="Support"))
    PersonFactory(
        org=org,
        email="x@acme.test",
        name="+Xi @home",
        title="-",
        team=Team.objects.get(org=org, name="Level 1"),
        manager=member,
        work_days="67",
        birthday_month=12,
        birthday_day=31,
        start_date=None,
        location="",
        work_end=dt.time(17, 45, 30),
    )
    PersonFactory(org=org, email="left@acme.test", name="Left", manager=member, is_active=False)
    before = snapshot(org)
    plan = parse_people_csv(org, export_people_csv(org))
    assert plan.errors == []
    assert (plan.to_create, plan.to_update, plan.unchanged) == (0, 0, 5)
    result = apply_import(plan)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert snapshot(org) == before


def test_export_into_a_new_org_recreates_the_chart(org, other_org, team, admin, manager, member):
    plan = parse_people_csv(other_org, export_people_csv(org), create_teams=True)
    assert plan.errors == []
    apply_import(plan)
    copied = Person.objects.get(org=other_org, email="milo@acme.test")
    assert (copied.manager.email, copied.team.name, copied.team.org) == (
        "maya@acme.test",
        "Engineering",
        other_org,
    )
    assert export_people_csv(other_org) == export_people_csv(org)


@pytest.mark.parametrize(
    ("digits", "text"),
    [
        ("12345", "Mon-Fri"),
        ("1234567", "Mon-Sun"),
        ("12347", "Sun-Thu"),
        ("67", "Sat,Sun"),
        ("135", "Mon,Wed,Fri"),
        ("3", "Wed"),
    ],
)
def test_work_days_format(digits, text):
    assert format_work_days(digits) == text


# --- Queries --------------------------------------------------------------------------------------


def rows(n: int) -> str:
    lines = ["boss@acme.test,Boss,,Engineering,,,,,,,,"]
    lines += [
        f"p{i}@acme.test,P {i},,Engineering,boss@acme.test,Europe/Paris,09:00-17:00,Mon-Fri,,,,"
        for i in range(n - 1)
    ]
    return csv_of(*lines)


@pytest.mark.parametrize("n", [5, 60])
def test_parsing_and_applying_use_a_bounded_number_of_queries(
    org, team, admin, n, django_assert_max_num_queries
):
    text = rows(n)
    with django_assert_max_num_queries(2):
        plan = parse_people_csv(org, text)
    assert plan.errors == []
    with django_assert_max_num_queries(6):
        result = apply_import(plan)
    assert result.created == n
    plan = parse_people_csv(org, text.replace(",Europe/Paris,", ",Europe/Rome,"))
    with django_assert_max_num_queries(4):
        result = apply_import(plan)
    assert (result.created, result.updated) == (0, n - 1)


def test_export_uses_a_bounded_number_of_queries(org, team, admin, django_assert_num_queries):
    PersonFactory.create_batch(30, org=org, team=team, manager=admin)
    with django_assert_num_queries(2):
        export_people_csv(org)


# --- Command line ---------------------------------------------------------------------------------


def test_cli_dry_run_then_apply(org, team, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    assert import_people_cli("acme", str(path), apply=False, create_teams=False) == 0
    assert capsys.readouterr().out == (
        "3 to create, 0 to update, 0 unchanged.\nDry run: nothing was changed. Add --apply to import.\n"
    )
    assert Person.objects.filter(org=org).count() == 0
    assert import_people_cli("acme", str(path), apply=True, create_teams=False) == 0
    assert (
        capsys.readouterr().out
        == "3 to create, 0 to update, 0 unchanged.\nImported: 3 created, 0 updated, 0 unchanged.\n"
    )
    assert Person.objects.filter(org=org).count() == 3
    assert export_people_cli("acme") == export_people_csv(org)


def test_cli_reports_errors(org, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(csv_of("a@acme.test,A,,,,,,,,,,chief", "bad,B,,,,,,,,,,"))
    assert import_people_cli("acme", str(path), apply=True, create_teams=False) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "line 2, role: Unknown role “chief”; use member, admin or owner.\n"
        "line 3, email: “bad” is not a valid email address.\n"
        "2 error(s); nothing was imported.\n"
    )
    assert import_people_cli("nope", str(path), apply=False, create_teams=False) == 1
    assert capsys.readouterr().err == "No organisation with the slug “nope”.\n"


# --- Pages ----------------------------------------------------------------------------------------


def upload(text: str | bytes, name: str = "people.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_member_gets_404(as_member):
    assert as_member.get(reverse("people_import")).status_code == 404
    assert (
        as_member.post(reverse("people_import"), {"file": upload(GOOD), "action": "import"}).status_code
        == 404
    )
    assert as_member.get(reverse("people_export")).status_code == 404


def test_manager_who_is_not_admin_gets_404(as_manager, org):
    assert as_manager.get(reverse("people_import")).status_code == 404
    assert as_manager.get(reverse("people_export")).status_code == 404
    assert Person.objects.get(email="maya@acme.test").reports.count() == 1


def test_admin_sees_the_form(as_admin):
    response = as_admin.get(reverse("people_import"))
    assert response.status_code == 200
    content = response.content.decode()
    # Every input of the form has a label.
    assert re.findall(r'<label for="(id_\w+)"', content) == ["id_file", "id_create_teams"]
    assert re.findall(r'<input[^>]* id="(id_\w+)"', content) == ["id_file", "id_create_teams"]
    assert 'value="check">Check file (dry run)</button>' in content
    assert f'href="{reverse("people_export")}"' in content


def test_admin_dry_run_shows_counts_and_changes_nothing(as_admin, org):
    before = snapshot(org)
    response = as_admin.post(reverse("people_import"), {"file": upload(GOOD), "action": "check"})
    assert response.status_code == 200
    assert "<p>3 to create, 0 to update, 0 unchanged.</p>" in response.content.decode()
    assert snapshot(org) == before


def test_admin_dry_run_shows_every_error(as_admin, org):
    before = snapshot(org)
    text = csv_of("a@acme.test,A,,,,Mars/Base,,,,,,", "bad,B,,,,,,,,,,")
    response = as_admin.post(reverse("people_import"), {"file": upload(text), "action": "import"})
    assert response.status_code == 200
    assert [(e.line, e.column) for e in response.context["plan"].errors] == [(2, "timezone"), (3, "email")]
    content = response.content.decode()
    assert "2 problems" in content
    assert "<td>“bad” is not a valid email address.</td>" in content
    assert snapshot(org) == before


def test_admin_imports_through_the_page(as_admin, org, team):
    response = as_admin.post(
        reverse("people_import"),
        {"file": upload(GOOD), "action": "import", "create_teams": "on"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("people_import"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Import done: 3 created, 0 updated, 0 unchanged."
    ]
    assert Person.objects.filter(org=org).count() == 4


def test_form_errors_next_to_the_field(as_admin, org):
    response = as_admin.post(reverse("people_import"), {"action": "check"})
    assert response.context["form"].errors == {"file": ["Choose a CSV file to check or import."]}
    assert '<p class="field-error" id="id_file_error">Choose a CSV file to check or import.</p>' in (
        response.content.decode()
    )
    big = upload(HEADER.encode() + b"\n" + b"x" * (2 * 1024 * 1024))
    response = as_admin.post(reverse("people_import"), {"file": big, "action": "check"})
    assert response.context["form"].errors == {
        "file": ["The file is larger than 2 MB. Split it into smaller files."]
    }


def test_admin_downloads_the_export(as_admin, org, admin):
    response = as_admin.get(reverse("people_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert response.content.decode() == export_people_csv(org)


def test_export_page_only_shows_own_org(as_admin, outsider):
    assert "otto@globex.test" not in as_admin.get(reverse("people_export")).content.decode()
