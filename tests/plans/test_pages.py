"""The plan pages end to end: opening a plan, errors next to the field they are about, acknowledging,
evidence, and the history on the page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accord.plans.models import Plan, PlanEvent
from tests.conftest import login

from .conftest import START

pytestmark = pytest.mark.django_db


def form(cast, **changes):
    data = {
        "person": cast["person"].pk,
        "title": "Reliable delivery",
        "reason": "",
        "end_date": "2026-03-30",
        "hr_contact": cast["hr"].pk,
        "weekly_one_on_one": "on",
        "feedback_per_milestone": "on",
        "criterion_1": "Ship the billing fix",
        "due_1": "2026-03-13",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


def error_of(html, field):
    """The error paragraph the page shows under a field (orgs/_field.html gives it the field's id)."""
    marker = f'id="id_{field}_error">'
    return html.split(marker, 1)[1].split("</p>", 1)[0] if marker in html else None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"due_1": "2026-04-02"},
            "due_1",
            "A milestone must fall due on or before the plan&#x27;s end date.",
        ),
        ({"criterion_1": "", "due_1": ""}, "criterion_1", "A plan needs at least one measurable milestone."),
        ({"criterion_2": "Second", "due_2": ""}, "due_2", "Give the milestone a due date."),
        (
            {"criterion_2": "Late one", "due_2": "2026-05-01"},
            "due_2",
            "A milestone must fall due on or before the plan&#x27;s end date.",
        ),
        ({"end_date": "2026-02-01"}, "end_date", "The end date must be after the plan starts."),
        ({"end_date": "not a date"}, "end_date", "Enter a valid date."),
        ({"title": "   "}, "title", "This field is required."),
        ({"hr_contact": "peer"}, "hr_contact", "The HR contact must be an admin of the organisation."),
    ],
)
def test_bad_input_is_shown_next_to_the_field(client, cast, changes, field, message):
    if changes.get("hr_contact") == "peer":
        changes = {"hr_contact": cast["peer"].pk}
    login(client, cast["manager"])
    with time_machine.travel(START, tick=False):
        response = client.post(reverse("plan_new"), form(cast, **changes))
    assert response.status_code == 400
    found = error_of(response.content.decode(), field)
    assert found == message
    assert Plan.objects.count() == 0


def test_a_manager_opens_a_plan_and_the_person_acknowledges_it(client, cast, hr_lead_named):
    login(client, cast["manager"])
    with time_machine.travel(START, tick=False):
        response = client.post(
            reverse("plan_new"), form(cast, criterion_2="Own the March release", due_2="2026-03-27")
        )
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plan", args=[plan.pk])
    assert [m.criterion for m in plan.milestones.all()] == ["Ship the billing fix", "Own the March release"]

    login(client, cast["person"])
    page = client.get(reverse("plan", args=[plan.pk])).content.decode()
    assert "Awaiting acknowledgement" in page
    assert "I have read this version" in page
    assert "Change the plan" not in page
    client.post(reverse("plan_acknowledge", args=[plan.pk]))
    page = client.get(reverse("plan", args=[plan.pk])).content.decode()
    assert "Acknowledged" in page
    assert "I have read this version" not in page
    assert "Version 1 acknowledged." in page

    response = client.post(
        reverse("plan_entry", args=[plan.pk]), {"kind": "evidence", "text": "Merged on Tuesday"}
    )
    assert response.status_code == 302
    response = client.post(reverse("plan_entry", args=[plan.pk]), {"kind": "comment", "text": "  "})
    assert response.status_code == 400
    assert error_of(response.content.decode(), "text") == "This field is required."

    login(client, cast["manager"])
    response = client.post(reverse("plan_extend", args=[plan.pk]), {"days": "0"})
    assert error_of(response.content.decode(), "days") == "Ensure this value is greater than or equal to 1."
    client.post(reverse("plan_extend", args=[plan.pk]), {"days": "7"})
    page = client.get(reverse("plan", args=[plan.pk])).content.decode()
    assert "until it is, the plan still ends on 30 Mar 2026" in page
    assert [e.kind for e in PlanEvent.objects.filter(plan=plan)] == [
        "created",
        "acknowledged",
        "evidence",
        "extended",
    ]


def test_a_milestone_moved_past_the_end_is_refused_on_its_page(client, cast, plan):
    login(client, cast["manager"])
    milestone = plan.milestones.first()
    response = client.post(
        reverse("plan_milestone", args=[milestone.pk]), {"criterion": "Same", "due_date": "2026-04-30"}
    )
    assert response.status_code == 400
    assert error_of(response.content.decode(), "due_date") == (
        "A milestone must fall due on or before the plan&#x27;s end date."
    )
    response = client.post(
        reverse("plan_milestone_add", args=[plan.pk]), {"criterion": "", "due_date": "2026-03-20"}
    )
    assert error_of(response.content.decode(), "criterion") == "This field is required."


def test_the_plan_page_lists_missed_obligations_and_the_extension(client, cast, plan):
    login(client, cast["manager"])
    with time_machine.travel(dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("plan", args=[plan.pk])).content.decode()
    assert "held in 0 of 4 weeks so far" in page
    assert "No 1:1 held in the week from 2 Mar" in page
    assert "The plan proposes an extension of" in page
    assert "Past its end" in page


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the session's own writes of a first request are not the page's
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


@pytest.mark.parametrize("name", ["plans", "plans_lingering"])
def test_list_pages_cost_the_same_queries_for_one_plan_or_many(client, cast, hr_lead_named, name):
    from .conftest import open_plan

    login(client, cast["hr_lead"])
    open_plan(cast)
    with time_machine.travel(dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC), tick=False):
        one = _count_queries(client, reverse(name))
    for _ in range(4):
        open_plan(cast)
    with time_machine.travel(dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC), tick=False):
        many = _count_queries(client, reverse(name))
        page = client.get(reverse(name)).content.decode()
    assert page.count("Reliable delivery") == 5
    assert many == one


@pytest.mark.parametrize("value", ["²", "①", "9" * 25, "0", "-3", "7a"])
def test_odd_ids_in_the_forms_are_errors_not_500s(client, cast, hr_lead_named, value):
    from .conftest import open_plan

    plan = open_plan(cast)
    login(client, cast["manager"])
    with time_machine.travel(START, tick=False):
        assert client.get(reverse("plan_new") + f"?person={value}").status_code == 200
        response = client.post(reverse("plan_new"), form(cast, person=value, hr_contact=value))
        assert response.status_code == 400
        response = client.post(
            reverse("plan_entry", args=[plan.pk]),
            {"kind": "comment", "text": "x", "milestone": value, "commitment": value, "checkin": value},
        )
        assert response.status_code == 400
    login(client, cast["admin"])
    assert client.post(reverse("plans_settings"), {"hr_lead": value, "blocker_days": "5"}).status_code == 400


def test_the_home_page_asks_the_person_to_acknowledge_and_shows_nothing_to_others(client, cast, plan):
    login(client, cast["person"])
    page = client.get(reverse("home")).content.decode()
    assert "has a version for you to read and acknowledge" in page
    for other in ["peer", "boss", "admin"]:
        login(client, cast[other])
        assert "Improvement plans</h2>" not in client.get(reverse("home")).content.decode()
    login(client, cast["manager"])
    with time_machine.travel(dt.datetime(2026, 4, 2, 12, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("home")).content.decode()
    assert "3 days past its end" in page
