"""Working hours that end before they start are a night shift only when marked as one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.api_client import Api
from tests.conftest import login

pytestmark = pytest.mark.django_db


def profile(person, **changes):
    data = {
        "name": person.name,
        "title": person.title,
        "timezone": person.timezone,
        "work_start": "09:00",
        "work_end": "17:00",
        "work_days": list(person.work_days),
        "location": "",
        "birthday_month": "",
        "birthday_day": "",
    }
    data.update(changes)
    return data


def test_hours_ending_before_they_start_need_the_overnight_tick(client, member):
    login(client, member)
    url = reverse("person_edit", args=[member.pk])
    response = client.post(url, profile(member, work_start="22:00", work_end="06:00"))
    assert response.status_code == 200
    assert response.context["form"].errors["work_end"] == [
        "Working hours end before they start — tick “Overnight” if this is a night shift."
    ]
    member.refresh_from_db()
    assert (member.work_start, member.work_end) == (dt.time(9), dt.time(17))

    response = client.post(url, profile(member, work_start="22:00", work_end="06:00", work_overnight="on"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.work_start, member.work_end, member.work_overnight) == (dt.time(22), dt.time(6), True)


def test_overnight_ticked_for_day_hours_is_an_error(client, member):
    login(client, member)
    response = client.post(reverse("person_edit", args=[member.pk]), profile(member, work_overnight="on"))
    assert response.context["form"].errors["work_overnight"] == [
        "Overnight hours end the next day, so they must end before they start (e.g. 22:00–06:00)."
    ]


def test_the_api_takes_the_same_rule(member):
    api = Api(member)
    url = f"/api/people/{member.pk}"
    response = api.patch(url, {"work_start": "22:00", "work_end": "06:00"})
    assert response.status_code == 400
    assert "tick “Overnight”" in response.json()["detail"]
    response = api.patch(url, {"work_start": "22:00", "work_end": "06:00", "work_overnight": True})
    assert response.status_code == 200
    assert response.json()["work_overnight"] is True
    assert api.patch(url, {"work_overnight": "yes"}).status_code == 422


def test_the_csv_import_and_export_say_overnight_explicitly(org, team, admin):
    from accord.orgs.models import Person
    from accord.orgs.people_csv import COLUMNS, apply_import, export_people_csv, parse_people_csv

    header = ",".join(COLUMNS)
    night = "nia@acme.test,Nia Night,Agent,,,Asia/Manila,22:00-06:00 overnight,Mon-Fri,,,,"
    typo = "ty@acme.test,Ty Po,Agent,,,Asia/Manila,17:00-09:00,Mon-Fri,,,,"
    wrong = "wr@acme.test,Wr Ong,Agent,,,Asia/Manila,09:00-17:00 overnight,Mon-Fri,,,,"
    plan = parse_people_csv(org, f"{header}\n{night}\n{typo}\n{wrong}\n")
    assert [(e.line, e.column) for e in plan.errors] == [(3, "work_hours"), (4, "work_hours")]
    plan = parse_people_csv(org, f"{header}\n{night}\n")
    apply_import(plan)
    nia = Person.objects.get(email="nia@acme.test")
    assert (nia.work_start, nia.work_end, nia.work_overnight) == (dt.time(22), dt.time(6), True)
    exported = export_people_csv(org)
    assert "22:00-06:00 overnight" in exported
    # What we export, we can import again unchanged.
    again = parse_people_csv(org, exported)
    assert again.errors == []
