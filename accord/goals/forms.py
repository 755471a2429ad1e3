"""Forms for the goals pages. They only parse what the browser sends; the rules live in actions.py,
so a page and the API refuse the same input with the same words."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.lib.picker import PersonField, list_when_few
from accord.lib.text import multi_line, single_line
from accord.orgs.models import Person, Team

from . import queries
from .actions import NOTE_MAX, TITLE_MAX, commitment_text_errors
from .models import Goal, Level

OWNER_CHOICE = "Choose yourself or someone who reports to you."
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEVEL_NAMES = dict(Level.choices)


class GoalChoiceField(forms.ModelChoiceField[Goal]):
    def label_from_instance(self, obj: Goal) -> str:
        return f"{LEVEL_NAMES.get(obj.level, obj.level)} · {obj.title}"


def goal_choices(viewer: Person, **kwargs: Any) -> GoalChoiceField:
    return GoalChoiceField(
        queryset=queries.visible_goals(viewer).order_by("level", "title", "id"),
        required=False,
        empty_label="— none —",
        error_messages={"invalid_choice": "Choose a goal of this organisation that you can see."},
        **kwargs,
    )


def owner_choices(viewer: Person, below: set[int]) -> Any:
    """Who `viewer` may name as an owner: everyone for admins, else themselves and people below them."""
    people = Person.objects.filter(org_id=viewer.org_id, is_active=True)
    if not viewer.is_admin:
        people = people.filter(pk__in=[viewer.pk, *below])
    return people.order_by("name")


class GoalForm(forms.Form):
    title = forms.CharField(validators=[single_line], label="Title", max_length=TITLE_MAX, required=False)
    description = forms.CharField(
        validators=[multi_line],
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        strip=True,
    )
    level = forms.ChoiceField(label="Level", choices=Level.choices)
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="— none —",
        error_messages={"invalid_choice": "Choose a team of this organisation."},
        help_text="Needed for a team goal. A person goal takes its owner's team if left empty.",
    )
    owner = PersonField(
        label="Owner",
        queryset=Person.objects.none(),
        required=False,
        empty_label="— nobody —",
        error_messages={"invalid_choice": "Choose an owner from this organisation."},
    )
    private = forms.BooleanField(
        label="Private",
        required=False,
        help_text="Only the owner, the people above them in the reporting line and admins will see it.",
    )
    starts_on = forms.DateField(label="Starts", required=False, widget=DATE)
    ends_on = forms.DateField(label="Ends", required=False, widget=DATE)
    archived = forms.BooleanField(
        label="Archived", required=False, help_text="Archived goals leave the tree."
    )

    def __init__(self, *args: Any, viewer: Person, goal: Goal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = queries.reports_below(viewer)
        self.fields["team"].queryset = Team.objects.filter(org_id=viewer.org_id).order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owner_choices(viewer, below)  # type: ignore[attr-defined]
        list_when_few(self.fields["owner"], None if viewer.is_admin else len(below) + 1)
        if not viewer.is_admin:
            self.fields["owner"].error_messages["invalid_choice"] = OWNER_CHOICE
        self.fields["parent"] = goal_choices(
            viewer,
            label="Aligned to",
            help_text="The goal this one contributes to: company → team → person.",
        )
        self.order_fields(
            ["title", "description", "level", "parent", "team", "owner", "starts_on", "ends_on", "private"]
        )
        if goal is None or goal.pk is None:
            del self.fields["archived"]

    def apply(self, goal: Goal) -> Goal:
        data = self.cleaned_data
        for field in ("title", "description", "level", "team", "owner", "parent", "private"):
            setattr(goal, field, data[field])
        goal.starts_on, goal.ends_on = data["starts_on"], data["ends_on"]
        if "archived" in self.fields:
            goal.archived = data["archived"]
        return goal


class KeyResultForm(forms.Form):
    title = forms.CharField(
        validators=[single_line], label="Key result", max_length=TITLE_MAX, required=False
    )
    start = forms.FloatField(label="Start", initial=0)
    target = forms.FloatField(label="Target")
    unit = forms.CharField(
        validators=[single_line], label="Unit", max_length=30, required=False, help_text="e.g. %, €, tickets"
    )
    confidence = forms.IntegerField(
        label="Confidence %",
        initial=70,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
        help_text="How likely the target is met, 0–100.",
    )


class ProgressForm(forms.Form):
    value = forms.FloatField(label="New value")
    confidence = forms.IntegerField(
        label="Confidence %", widget=forms.NumberInput(attrs={"min": 0, "max": 100})
    )
    note = forms.CharField(validators=[single_line], label="Note", max_length=NOTE_MAX, required=False)


class CommitmentForm(forms.Form):
    title = forms.CharField(
        validators=[single_line], label="What you will deliver", max_length=TITLE_MAX, required=False
    )
    definition_of_done = forms.CharField(
        validators=[multi_line],
        label="Definition of done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How everyone will know it is done.",
    )
    due_on = forms.DateField(label="Due date", widget=DATE)
    owner = PersonField(
        label="Owner",
        queryset=Person.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": OWNER_CHOICE},
    )

    def __init__(self, *args: Any, viewer: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = queries.reports_below(viewer)
        # People with nobody below them commit only for themselves: the page shows no owner choice.
        self.choose_owner = viewer.is_admin or bool(below)
        self.fields["owner"].queryset = owner_choices(viewer, below)  # type: ignore[attr-defined]
        list_when_few(self.fields["owner"], None if viewer.is_admin else len(below) + 1)
        self.fields["goal"] = goal_choices(viewer, label="Goal it serves", help_text="Optional.")
        self.order_fields(["title", "definition_of_done", "due_on", "owner", "goal"])
        self.fields[
            "due_on"
        ].help_text = f"A date in the owner's time zone (yours is {viewer.timezone}). Today or later."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The action checks these too, but only once the date and owner are valid; asking here as well
        # reports a missing title or definition of done alongside a missing date, not one submit later.
        for field, messages in commitment_text_errors(
            data.get("title") or "", data.get("definition_of_done") or ""
        ).items():
            if field not in self.errors:
                self.add_error(field, messages)
        return data
