from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from accord.lib.picker import PeopleField
from accord.lib.team_picker import TeamsField
from accord.lib.text import single_line
from accord.orgs.forms import TimezoneField
from accord.orgs.models import Person, Team
from accord.orgs.queries import subtree_ids

from .actions import ChannelRow, CharterText, MeetingSpec
from .models import TEXT_MAX, Charter, RecurringMeeting, Weekday
from .queries import MAX_DAYS

EARLIEST, LATEST = dt.date(1971, 1, 1), dt.date(2199, 12, 1)


class PersonChoices(PeopleField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.timezone})"


class MapForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="—")
    people = PersonChoices(
        queryset=Person.objects.none(),
        required=False,
        help_text="Or choose people from anywhere in the organisation (this overrides the team).",
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    days = forms.IntegerField(
        label="Days",
        min_value=1,
        max_value=MAX_DAYS,
        initial=1,
        help_text=f"1 to {MAX_DAYS}: one row per date.",
    )

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if not EARLIEST <= day <= LATEST:
            raise ValidationError(f"Choose a date between {EARLIEST:%Y} and {LATEST:%Y}.")
        return day

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.filter(org=org)
        cast(forms.ModelChoiceField, self.fields["people"]).queryset = Person.objects.filter(
            org=org, is_active=True
        )


class MeetingForm(forms.Form):
    name = forms.CharField(validators=[single_line], max_length=200, required=False)
    teams = TeamsField(
        label="Everyone in these teams",
        queryset=Team.objects.none(),
        required=False,
        help_text="Sub-teams included.",
    )
    people = PersonChoices(label="And these people", queryset=Person.objects.none(), required=False)
    everyone = forms.BooleanField(label="The whole organisation", required=False)
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, initial=Weekday.WEDNESDAY)
    duration_minutes = forms.IntegerField(
        label="Length in minutes", initial=60, help_text="Up to 480 (8 hours)."
    )
    timezone = TimezoneField(
        label="Time zone of the slots", help_text="The meeting's times are wall-clock times in this zone."
    )

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        cast(forms.ModelChoiceField, self.fields["teams"]).queryset = Team.objects.filter(org=org)
        cast(forms.ModelChoiceField, self.fields["people"]).queryset = Person.objects.filter(
            org=org, is_active=True
        )
        self.fields["timezone"].widget.attrs["list"] = "timezones"

    @classmethod
    def for_meeting(cls, data: Any, meeting: RecurringMeeting) -> MeetingForm:
        initial = {
            "name": meeting.name,
            "people": list(meeting.attendees.values_list("person_id", flat=True)),
            "weekday": meeting.weekday,
            "duration_minutes": meeting.duration_minutes,
            "timezone": meeting.timezone,
        }
        return cls(data, org=meeting.org, initial=initial)

    def spec(self) -> MeetingSpec:
        data = self.cleaned_data
        found = Person.objects.filter(org=self.org, is_active=True)
        if not data.get("everyone"):
            team_ids = [tid for team in data.get("teams") or [] for tid in subtree_ids(team)]
            chosen = [p.pk for p in data.get("people") or []]
            found = found.filter(team_id__in=team_ids) | found.filter(pk__in=chosen)
        return MeetingSpec(
            name=data.get("name") or "",
            people=list(found.distinct().order_by("name")),
            weekday=data["weekday"],
            duration_minutes=data["duration_minutes"],
            timezone=data["timezone"],
        )


class ChannelForm(forms.Form):
    purpose = forms.CharField(validators=[single_line], label="What for", max_length=200, required=False)
    channel = forms.CharField(validators=[single_line], max_length=120, required=False)
    response_time = forms.CharField(
        validators=[single_line], label="Expected response", max_length=80, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = [data.get(k, "").strip() for k in ("purpose", "channel", "response_time")]
        if any(values) and not all(values):
            for key, value in zip(("purpose", "channel", "response_time"), values, strict=True):
                if not value:
                    self.add_error(key, "Fill in all three, or leave the row empty.")
        return data

    def row(self) -> ChannelRow | None:
        data = self.cleaned_data
        if not data.get("purpose", "").strip():
            return None
        return ChannelRow(data["purpose"], data["channel"], data["response_time"])


MAX_CHANNELS = 20  # the API's limit too (CharterIn.channels)


class ChannelRows(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": f"At most {MAX_CHANNELS} channel rows."}


# validate_max: without it a hand-made post of up to a thousand rows is saved, past the API's limit.
ChannelFormSet = forms.formset_factory(
    ChannelForm, formset=ChannelRows, extra=2, max_num=MAX_CHANNELS, validate_max=True
)


class CharterForm(forms.ModelForm[Charter]):
    material = forms.BooleanField(
        label="This is a material change: ask everyone in the team to read it again",
        required=False,
    )

    class Meta:
        model = Charter
        fields = ["sync_decisions", "async_decisions", "escalation", "meeting_norms"]
        widgets = {
            f: forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX})
            for f in ["sync_decisions", "async_decisions", "escalation", "meeting_norms"]
        }

    def text(self, channels: list[ChannelRow]) -> CharterText:
        data = self.cleaned_data
        return CharterText(
            sync_decisions=data["sync_decisions"],
            async_decisions=data["async_decisions"],
            escalation=data["escalation"],
            meeting_norms=data["meeting_norms"],
            channels=channels,
        )
