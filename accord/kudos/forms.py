"""Forms for the kudos pages. Rules live in actions.py; these forms parse what the browser sends and
put an action's refusal next to the field it is about."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from accord.lib.picker import PeopleField
from accord.lib.text import multi_line, single_line
from accord.orgs.models import Person

from .actions import BAD_VALUE, NO_RECIPIENT, OTHER_ORG
from .models import MESSAGE_MAX, VALUE_DESCRIPTION_MAX, VALUE_NAME_MAX, CompanyValue

PUBLIC, PRIVATE = "public", "private"


class KudosForm(forms.Form):
    recipients = PeopleField(
        label="Who are you thanking?",
        queryset=Person.objects.none(),
        scope="others",
        error_messages={
            "required": NO_RECIPIENT,
            "invalid_choice": OTHER_ORG,
            "invalid_pk_value": OTHER_ORG,
        },
    )
    message = forms.CharField(
        validators=[multi_line],
        label="What did they do?",
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Be specific: what happened, and why it mattered.",
        error_messages={"required": "Write a few words about what they did."},
    )
    value = forms.ModelChoiceField(
        label="Company value (optional)",
        queryset=CompanyValue.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": BAD_VALUE},
    )
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=[
            (PUBLIC, "Public: on the organisation feed and their team's feed"),
            (PRIVATE, "Private: only you and the people you thank"),
        ],
        initial=PUBLIC,
        widget=forms.RadioSelect,
    )
    share_with_manager = forms.BooleanField(
        label="Private only: let their manager read it too",
        required=False,
        help_text="Some people prefer to be thanked quietly; their manager may still like to know.",
    )

    def __init__(self, *args: Any, giver: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["recipients"])
        # The giver stays a valid choice (the page leaves their box out) so that a hand-made request
        # naming them gets the action's own words rather than "not in your organisation".
        field.queryset = Person.objects.filter(org_id=giver.org_id, is_active=True).order_by("name")
        values = cast(forms.ModelChoiceField, self.fields["value"])
        values.queryset = CompanyValue.objects.filter(org_id=giver.org_id, active=True).order_by("name")
        if not values.queryset.exists():
            del self.fields["value"]

    @property
    def public(self) -> bool:
        return self.cleaned_data.get("visibility") != PRIVATE


class ValueForm(forms.Form):
    name = forms.CharField(validators=[single_line], label="Name", max_length=VALUE_NAME_MAX)
    description = forms.CharField(
        validators=[single_line],
        label="What it means",
        max_length=VALUE_DESCRIPTION_MAX,
        required=False,
        help_text="One sentence people will see when they pick it.",
    )
    active = forms.BooleanField(label="People can choose it", required=False, initial=True)


class PreferencesForm(forms.Form):
    celebrate_anniversary = forms.BooleanField(
        label="Celebrate my work anniversary with my team", required=False
    )
    celebrate_birthday = forms.BooleanField(label="Celebrate my birthday with my team", required=False)
    digest = forms.BooleanField(
        label="Email me on the morning my teammates or reports celebrate something", required=False
    )
