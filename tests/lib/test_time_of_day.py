"""Times of day are typed as 24-hour HH:MM everywhere, whatever the browser's locale (issue #13: the
browser's own time picker showed AM/PM in an otherwise 24-hour app)."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django import forms
from django.urls import reverse

from accord.checkins.forms import DigestForm, PromptTimeForm
from accord.handoffs.forms import ShiftForm
from accord.lib.forms import TimeOfDayInput
from accord.meetings.forms import SlotForm
from accord.orgs.forms import PersonForm
from tests.conftest import login


class _Form(forms.Form):
    at = forms.TimeField(widget=TimeOfDayInput())


def test_the_input_is_24_hour_text_with_a_pattern():
    html = str(_Form(initial={"at": time(14, 5)})["at"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html and 'placeholder="HH:MM"' in html
    assert 'value="14:05"' in html
    pattern = re.search(r'pattern="([^"]+)"', html).group(1)
    assert all(re.fullmatch(pattern, t) for t in ["00:00", "9:30", "14:05", "23:59"])
    assert not any(re.fullmatch(pattern, t) for t in ["24:00", "12:60", "2:30 PM", "1430"])


@pytest.mark.parametrize(
    ("typed", "ok"), [("14:30", True), ("07:05", True), ("2:30 PM", False), ("25:00", False)]
)
def test_what_is_typed_is_read_as_24_hour_or_refused_next_to_the_field(typed, ok):
    form = _Form({"at": typed})
    assert form.is_valid() is ok
    assert ok or form.errors["at"] == ["Enter a valid time."]


@pytest.mark.parametrize("form", [PromptTimeForm, DigestForm, ShiftForm, SlotForm, PersonForm])
def test_no_form_asks_the_browser_for_its_own_time_picker(form):
    times = [f for f in form.base_fields.values() if isinstance(f, forms.TimeField)]
    assert times and all(isinstance(f.widget, TimeOfDayInput) for f in times)


@pytest.mark.django_db
def test_working_hours_show_as_24_hour_text(client, member):
    html = login(client, member).get(reverse("person_edit", args=[member.pk])).content.decode()
    assert 'type="time"' not in html
    start = re.search(r'<input[^>]*name="work_start"[^>]*>', html).group(0)
    assert 'type="text"' in start and f'value="{member.work_start:%H:%M}"' in start
