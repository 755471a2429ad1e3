"""Settings › Notifications: one page for every kind of message Accord sends a person on a schedule, each
with an on/off. The choices stay where each app keeps them and are written through that app's actions,
so the check-in, celebration and coffee pages and this page always show the same thing."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accord.checkins.actions import set_digest, settings_for
from accord.checkins.models import Digest
from accord.connect.actions import join_coffee, leave_coffee
from accord.kudos.actions import preferences_for, set_preferences
from accord.orgs.access import OrgRequest, member_required
from accord.orgs.models import Person

from . import queries


class NotificationsForm(forms.Form):
    checkin_digest = forms.BooleanField(
        label="Check-in digest of my reports",
        required=False,
        help_text="Your reports' check-ins in one email; how often is set on the check-in settings page.",
    )
    celebrations_digest = forms.BooleanField(
        label="Celebrations digest", required=False, help_text="Kudos, work anniversaries and birthdays."
    )
    coffee = forms.BooleanField(
        label="Coffee chat introductions",
        required=False,
        help_text="Being paired for a coffee chat and introduced by email. Off means leaving coffee chats.",
    )

    def __init__(self, *args: object, manages: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not manages:
            del self.fields["checkin_digest"]


def _current(person: Person, manages: bool) -> dict[str, bool]:
    now = {
        "celebrations_digest": preferences_for(person).digest,
        "coffee": queries.in_coffee(person),
    }
    if manages:
        now["checkin_digest"] = settings_for(person).digest != Digest.OFF
    return now


def _apply(me: Person, data: dict[str, bool], current: dict[str, bool], manages: bool) -> None:
    if manages and data["checkin_digest"] != current["checkin_digest"]:
        found = settings_for(me)
        # Back on, it goes out every working day; the check-in page chooses weekly instead.
        chosen = Digest.DAILY if data["checkin_digest"] else Digest.OFF
        set_digest(me, digest=chosen, at=found.digest_time)
    if data["celebrations_digest"] != current["celebrations_digest"]:
        prefs = preferences_for(me)
        set_preferences(
            me,
            celebrate_anniversary=prefs.celebrate_anniversary,
            celebrate_birthday=prefs.celebrate_birthday,
            digest=data["celebrations_digest"],
        )
    if data["coffee"] != current["coffee"]:
        if data["coffee"]:
            join_coffee(me, timezone.now())
        else:
            leave_coffee(me)


@member_required
def notifications(request: OrgRequest) -> HttpResponse:
    me = request.person
    manages = queries.has_reports(me)
    current = _current(me, manages)
    form = NotificationsForm(request.POST or None, initial=current, manages=manages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refusal (coffee needs working hours) leaves every switch as it was
                _apply(me, data, current, manages)
        except ValidationError as exc:  # only joining coffee refuses (it needs working hours)
            form.add_error("coffee", exc.messages)
        else:
            messages.success(request, "Notification settings saved.")
            return redirect("notifications")
    return render(request, "accounts/notifications.html", {"form": form})
