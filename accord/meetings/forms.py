from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from accord.lib.forms import TimeOfDayInput
from accord.lib.picker import FEW, PersonField, list_when_few
from accord.lib.text import multi_line, single_line
from accord.orgs.models import Person

from .actions import Slot
from .models import TEXT_MAX, Cadence, OneOnOneSeries, Weekday

DURATIONS = [(15, "15 minutes"), (20, "20 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "1 hour")]
NOT_HERE = "No such person in this organisation."


class PersonChoice(PersonField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.timezone})"


class SlotForm(forms.Form):
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.WEEKLY)
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, initial=Weekday.TUESDAY)
    start_time = forms.TimeField(
        label="Time",
        initial=dt.time(10, 0),
        widget=TimeOfDayInput(),
        help_text="In the manager's own time zone; each person's local time is shown below.",
    )
    duration_minutes = forms.TypedChoiceField(label="Length", choices=DURATIONS, coerce=int, initial=30)

    def slot(self) -> Slot:
        data = self.cleaned_data
        return Slot(data["cadence"], data["weekday"], data["start_time"], data["duration_minutes"])

    @classmethod
    def for_series(cls, data: Any, series: OneOnOneSeries) -> SlotForm:
        initial = {
            "cadence": series.cadence,
            "weekday": series.weekday,
            "start_time": series.start_time,
            "duration_minutes": series.duration_minutes,
        }
        form = cls(data, initial=initial)
        duration = form.fields["duration_minutes"]
        if series.duration_minutes not in dict(DURATIONS):  # set through the API: keep it choosable
            duration.choices = [*DURATIONS, (series.duration_minutes, f"{series.duration_minutes} minutes")]  # type: ignore[attr-defined]
        return form


class SeriesForm(SlotForm):
    """A new series. Managers pick one of their direct reports; admins may pair any two people."""

    manager = PersonChoice(queryset=Person.objects.none(), error_messages={"invalid_choice": NOT_HERE})
    report = PersonChoice(
        queryset=Person.objects.none(), label="With", error_messages={"invalid_choice": NOT_HERE}
    )

    field_order = ["manager", "report", "cadence", "weekday", "start_time", "duration_minutes"]

    def __init__(self, *args: Any, actor: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(org_id=actor.org_id, is_active=True).order_by("name")
        if actor.is_admin:
            self.fields["manager"].queryset = people  # type: ignore[attr-defined]
            self.fields["manager"].initial = actor.pk
            self.fields["report"].queryset = people  # type: ignore[attr-defined]
        else:
            # A manager arranges their own 1:1s: the manager is always themselves, the other one of
            # their direct reports, few enough to list.
            del self.fields["manager"]
            report = cast(PersonChoice, self.fields["report"])
            report.queryset = people.filter(manager=actor)
            list_when_few(report, FEW)
        self.actor = actor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        manager = data.get("manager", self.actor)
        report = data.get("report")
        if manager is not None and report is not None and manager.pk == report.pk:
            self.add_error(
                "report", "A 1:1 needs two different people: choose someone other than the manager."
            )
        return data

    def manager_person(self) -> Person:
        return self.cleaned_data.get("manager") or self.actor


class AgendaForm(forms.Form):
    text = forms.CharField(validators=[single_line], label="Add to the agenda", max_length=TEXT_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The series page shows this form and ActionForm together and both fields are "text": this id
        # differs, so the "Action item" label no longer focuses the agenda box; the posted name stays.
        kwargs.setdefault("auto_id", "id_agenda_%s")
        super().__init__(*args, **kwargs)


class ActionForm(forms.Form):
    text = forms.CharField(validators=[single_line], label="Action item", max_length=TEXT_MAX)
    owner = forms.TypedChoiceField(coerce=int, label="Owner")
    due_on = forms.DateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, series: OneOnOneSeries, me: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [series.manager, series.report]
        self.fields["owner"].choices = [(p.pk, p.name) for p in people]  # type: ignore[attr-defined]
        self.fields["owner"].initial = me.pk
        self.people = {p.pk: p for p in people}

    def owner_person(self) -> Person | None:
        return self.people.get(self.cleaned_data["owner"])


class NoteForm(forms.Form):
    text = forms.CharField(
        validators=[multi_line],
        label="My private note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MeetingForm(forms.Form):
    notes = forms.CharField(
        validators=[multi_line],
        label="Shared notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Both of you can read these.",
    )
