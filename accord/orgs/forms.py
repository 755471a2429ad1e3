from __future__ import annotations

import calendar
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from accord.lib.forms import TimeOfDayInput
from accord.lib.picker import PersonField
from accord.lib.team_picker import TeamField

from .actions import LINKED_EMAIL, check_person, check_role_change, check_team
from .models import WEEKDAYS, Person, Team, valid_timezones

DAY_CHOICES = [(str(i + 1), name) for i, name in enumerate(WEEKDAYS)]
MONTHS = [(None, "—")] + [(i, calendar.month_name[i]) for i in range(1, 13)]


class TimezoneField(forms.CharField):
    def validate(self, value: str) -> None:
        super().validate(value)
        if value and value not in valid_timezones():
            raise ValidationError(f"“{value}” is not a known IANA time zone, for example Europe/Berlin.")


class PersonForm(forms.ModelForm[Person]):
    """Used both for editing oneself and, with the admin fields, for admins editing anyone."""

    SELF_FIELDS = [
        "name",
        "title",
        "timezone",
        "work_start",
        "work_end",
        "work_overnight",
        "work_days",
        "location",
        "birthday_month",
        "birthday_day",
    ]
    ADMIN_FIELDS = ["email", "team", "manager", "role", "start_date"]

    timezone = TimezoneField(
        label="Time zone", help_text="An IANA name such as America/Bogota. Start typing to pick one."
    )
    work_days = forms.MultipleChoiceField(
        label="Working days", choices=DAY_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    birthday_month = forms.TypedChoiceField(
        label="Birthday month",
        choices=MONTHS,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Optional. Only month and day, and only if you want it celebrated.",
    )
    birthday_day = forms.TypedChoiceField(
        label="Birthday day",
        choices=[(None, "—")] + [(d, d) for d in range(1, 32)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Person
        fields = [
            "name",
            "email",
            "title",
            "team",
            "manager",
            "role",
            "timezone",
            "work_start",
            "work_end",
            "work_overnight",
            "work_days",
            "location",
            "start_date",
            "birthday_month",
            "birthday_day",
        ]
        widgets = {
            "work_start": TimeOfDayInput(),
            "work_end": TimeOfDayInput(),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"work_start": "Working hours start", "work_end": "Working hours end"}
        field_classes = {"manager": PersonField, "team": TeamField}

    def __init__(self, *args: Any, as_admin: bool, actor: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["timezone"].widget.attrs["list"] = "timezones"
        if self.instance.work_days and not self.is_bound:
            self.initial["work_days"] = list(self.instance.work_days)
        if as_admin:
            org = self.instance.org
            if self.instance.user_id is not None:
                # Shown, not editable: the address belongs to their account (check_person refuses it too).
                self.fields["email"].disabled = True
                self.fields["email"].help_text = LINKED_EMAIL
            cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.filter(org=org)
            cast(forms.ModelChoiceField, self.fields["manager"]).queryset = Person.objects.filter(
                org=org, is_active=True
            ).exclude(pk=self.instance.pk)
        else:
            for name in self.ADMIN_FIELDS:
                del self.fields[name]

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        try:
            check_role_change(self.actor, self.instance, role)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["role"]) from exc
        return role

    def clean_work_days(self) -> str:
        return "".join(sorted(set(self.cleaned_data["work_days"])))

    def _post_clean(self) -> None:
        # Django's hook that runs model validation; our rules run right after it, with the same errors.
        super()._post_clean()  # type: ignore[misc]
        try:
            check_person(self.instance)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = field if field in self.fields else None
                # A field the form could not read (say a malformed email) already says why; the model's
                # rules then judge the blank left in its place, and "cannot be blank" would contradict it.
                if target and target in self.errors:
                    continue
                for message in messages:
                    if target and message in self.errors.get(target, []):
                        continue
                    self.add_error(target, message)


class TeamForm(forms.ModelForm[Team]):
    class Meta:
        model = Team
        fields = ["name", "parent", "description"]
        labels = {"parent": "Inside team"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = Team.objects.filter(
            org=self.instance.org
        ).exclude(pk=self.instance.pk)
        self.fields["parent"].required = False

    def _post_clean(self) -> None:
        # Django's hook that runs model validation; our rules run right after it, with the same errors.
        super()._post_clean()  # type: ignore[misc]
        try:
            check_team(self.instance)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
