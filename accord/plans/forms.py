"""Forms for the plan pages: they parse what the browser sends; the rules live in actions.py, whose
refusals land next to the field they name (lib.forms.show_refusal)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from accord.lib.text import multi_line, single_line
from accord.orgs.models import Person

from .models import CRITERION_MAX, TEXT_MAX, TITLE_MAX, EntryKind, Outcome
from .queries import hr_people, people_to_plan_for

MILESTONE_ROWS = 3
DATE = forms.DateInput(attrs={"type": "date"})


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return cast(Person, obj).name


class PlanForm(forms.Form):
    person = PersonChoice(
        label="Plan for",
        queryset=Person.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "You can open a plan only for someone who reports to you."},
    )
    title = forms.CharField(label="Title", max_length=TITLE_MAX, validators=[single_line])
    reason = forms.CharField(
        label="Why a plan, in plain words",
        required=False,
        max_length=TEXT_MAX,
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    end_date = forms.DateField(label="End date", widget=DATE)
    hr_contact = PersonChoice(
        label="HR contact",
        queryset=Person.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "The HR contact must be an admin of the organisation."},
    )
    weekly_one_on_one = forms.BooleanField(label="I hold a 1:1 with them every week", required=False)
    feedback_per_milestone = forms.BooleanField(
        label="I write feedback on every milestone within a week of its due date", required=False
    )

    def __init__(self, *args: Any, manager: Person, new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = cast(forms.ModelChoiceField, self.fields["person"])
        person.queryset = Person.objects.filter(pk__in=[p.pk for p in people_to_plan_for(manager)])
        hr = cast(forms.ModelChoiceField, self.fields["hr_contact"])
        hr.queryset = hr_people(manager.org_id)
        if not new:
            del self.fields["person"]
            return
        for i in range(1, MILESTONE_ROWS + 1):
            self.fields[f"criterion_{i}"] = forms.CharField(
                label=f"Milestone {i}: how it will be measured",
                required=False,
                max_length=CRITERION_MAX,
                validators=[single_line],
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=f"Milestone {i}: due", required=False, widget=DATE
            )

    def milestones(self) -> list[tuple[str, Any]]:
        rows = []
        for i in range(1, MILESTONE_ROWS + 1):
            criterion, due = self.cleaned_data.get(f"criterion_{i}", ""), self.cleaned_data.get(f"due_{i}")
            if criterion or due:
                if due is None:
                    self.add_error(f"due_{i}", "Give the milestone a due date.")
                if not criterion:
                    self.add_error(f"criterion_{i}", "Say how the milestone will be measured.")
                rows.append((i, criterion, due))
        if not rows and not self.errors:
            self.add_error("criterion_1", "A plan needs at least one measurable milestone.")
        self.rows = [r[0] for r in rows]
        return [(c, d) for _, c, d in rows]

    def rename(self, field: str) -> str:
        """`milestones.0.criterion` (the action's name) is the form's `criterion_<row>`."""
        parts = field.split(".")
        if len(parts) == 3 and parts[0] == "milestones" and parts[1].isdigit():
            row = self.rows[int(parts[1])] if int(parts[1]) < len(self.rows) else 1
            return f"{'criterion' if parts[2] == 'criterion' else 'due'}_{row}"
        return "criterion_1" if field == "milestones" else field


class MilestoneForm(forms.Form):
    criterion = forms.CharField(
        label="How it will be measured", max_length=CRITERION_MAX, validators=[single_line]
    )
    due_date = forms.DateField(label="Due", widget=DATE)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices)


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label="Written feedback",
        max_length=TEXT_MAX,
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=EntryKind.choices, widget=forms.RadioSelect, initial=EntryKind.EVIDENCE
    )
    text = forms.CharField(
        label="What to add",
        max_length=TEXT_MAX,
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    milestone = forms.TypedChoiceField(label="About milestone", required=False, coerce=int, empty_value=None)
    commitment = forms.TypedChoiceField(
        label="Links to commitment", required=False, coerce=int, empty_value=None
    )
    checkin = forms.TypedChoiceField(label="Links to check-in", required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: Any, milestones: list, commitments: list, checkins: list, **kwargs: Any
    ) -> None:  # type: ignore[type-arg]
        super().__init__(*args, **kwargs)
        none = [("", "None")]
        cast(forms.ChoiceField, self.fields["milestone"]).choices = none + [
            (m.pk, m.criterion) for m in milestones
        ]
        cast(forms.ChoiceField, self.fields["commitment"]).choices = none + [
            (c.pk, f"{c.title} (due {c.due_on:%-d %b})") for c in commitments
        ]
        cast(forms.ChoiceField, self.fields["checkin"]).choices = none + [
            (c.pk, f"Check-in of {c.day:%a %-d %b}") for c in checkins
        ]


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="Extend by (days)", min_value=1, max_value=180)


class SettingsForm(forms.Form):
    hr_lead = PersonChoice(
        label="HR lead",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Nobody (notices a week late go to each plan's HR contact)",
        help_text="Sees every improvement plan and is told when one is a week past its end.",
    )
    blocker_days = forms.IntegerField(
        label="A blocker lingers after (days unacknowledged)", min_value=1, max_value=90
    )

    def __init__(self, *args: Any, org_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["hr_lead"]).queryset = hr_people(org_id)
