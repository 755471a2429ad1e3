"""Settings › Notifications: one page, each kind of message on or off, written to each app's own choices."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.checkins.models import CheckinSettings, Digest
from accord.connect.models import CoffeeMember
from accord.kudos.models import KudosPreferences

pytestmark = pytest.mark.django_db


def test_one_page_turns_each_kind_off_and_on_through_each_apps_settings(as_manager, manager, member):
    page = as_manager.get(reverse("notifications"))
    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.fields) == {"checkin_digest", "celebrations_digest", "coffee"}
    assert form.initial == {"checkin_digest": True, "celebrations_digest": True, "coffee": False}

    response = as_manager.post(reverse("notifications"), {"coffee": "on"})
    assert response["Location"] == reverse("notifications")
    assert CheckinSettings.objects.get(person=manager).digest == Digest.OFF
    assert KudosPreferences.objects.get(person=manager).digest is False
    assert KudosPreferences.objects.get(person=manager).next_digest_at is None
    assert CoffeeMember.objects.get(person=manager).active is True

    as_manager.post(reverse("notifications"), {"checkin_digest": "on", "celebrations_digest": "on"})
    assert CheckinSettings.objects.get(person=manager).digest == Digest.DAILY
    assert KudosPreferences.objects.get(person=manager).digest is True
    assert CoffeeMember.objects.get(person=manager).active is False
    # The old places show the same choices and link here.
    kudos = as_manager.get(reverse("kudos_settings")).content.decode()
    assert reverse("notifications") in kudos


def test_a_member_without_reports_has_no_checkin_digest_switch(as_member):
    form = as_member.get(reverse("notifications")).context["form"]
    assert set(form.fields) == {"celebrations_digest", "coffee"}


def test_coffee_without_working_hours_is_a_field_error_and_nothing_changes(as_member, member):
    member.work_days = ""
    member.save()
    response = as_member.post(reverse("notifications"), {"coffee": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["coffee"]
    assert not CoffeeMember.objects.filter(person=member).exists()
    # The celebrations switch, sent off in the same form, was not half-applied before the refusal.
    assert KudosPreferences.objects.get(person=member).digest is True
