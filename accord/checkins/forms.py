"""Forms for the check-in pages. Rules live in actions.py; these forms only parse what the browser sends."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from accord.lib.forms import TimeOfDayInput
from accord.lib.text import multi_line, single_line

from .models import ANSWER_MAX, MAX_QUESTIONS, MOODS, QUESTION_MAX, Cadence, CheckinTemplate, Digest

MOOD_SKIP = ""
STATUS_CHOICES = [("open", "Open"), ("done", "Done"), ("dropped", "Dropped")]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAY_CHOICES = list(enumerate(DAY_NAMES, start=1))


def form_field(name: str) -> str:
    """The form's name for a field the actions name: `questions` is the first question box, `answers.X`
    is the answer box `a_X`."""
    return "q1" if name == "questions" else name.replace("answers.", "a_")


class CheckinForm(forms.Form):
    """One textarea per template question, an optional mood, and a status select per open commitment."""

    mood = forms.TypedChoiceField(
        label="How are you feeling? (optional, private to you)",
        choices=[*((str(v), f"{v} · {label}") for v, label in MOODS.items()), (MOOD_SKIP, "Skip")],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    share_mood = forms.BooleanField(label="Share my mood with my manager", required=False)

    def __init__(
        self, *args: Any, questions: list[dict[str, Any]], commitments: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.commitments = commitments
        mood, share = self.fields.pop("mood"), self.fields.pop("share_mood")
        for q in questions:
            self.fields[f"a_{q['key']}"] = forms.CharField(
                validators=[multi_line],
                label=q["text"],
                required=False,
                max_length=ANSWER_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Leave empty if nothing is in your way." if q.get("blocker") else "",
            )
        self.fields["mood"], self.fields["share_mood"] = mood, share
        for c in commitments:
            self.fields[f"c_{c.pk}"] = forms.ChoiceField(
                label=c.title, choices=STATUS_CHOICES, initial=c.status, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The action checks this too (for the API); here it shows beside other mistakes at once.
        if not any(data.get(f"a_{q['key']}") for q in self.questions):
            self.add_error(None, "Answer at least one question.")
        return data

    def answer_fields(self) -> list[BoundField]:
        return [self[f"a_{q['key']}"] for q in self.questions]

    def commitment_fields(self) -> list[tuple[Any, BoundField]]:
        return [(c, self[f"c_{c.pk}"]) for c in self.commitments]

    def answers(self) -> dict[str, str]:
        return {q["key"]: self.cleaned_data.get(f"a_{q['key']}", "") for q in self.questions}

    def statuses(self) -> dict[int, str]:
        return {
            c.pk: self.cleaned_data[f"c_{c.pk}"]
            for c in self.commitments
            if self.cleaned_data.get(f"c_{c.pk}")
        }


class PromptTimeForm(forms.Form):
    prompt_time = forms.TimeField(
        label="Ask me at",
        widget=TimeOfDayInput(),
        error_messages={"invalid": "Give a time like 09:00.", "required": "Give a time like 09:00."},
    )


class DigestForm(forms.Form):
    digest = forms.ChoiceField(label="Send me a digest of my team's check-ins", choices=Digest.choices)
    digest_time = forms.TimeField(
        label="At",
        widget=TimeOfDayInput(),
        error_messages={"invalid": "Give a time like 17:30.", "required": "Give a time like 17:30."},
    )


class TemplateForm(forms.Form):
    """Up to MAX_QUESTIONS question rows, which row (if any) is the blockers question, and the cadence."""

    cadence = forms.ChoiceField(label="How often", choices=Cadence.choices, widget=forms.RadioSelect)
    weekday = forms.TypedChoiceField(
        label="Weekly on",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        help_text="People who don't work that day check in on their first working day after it.",
        error_messages={"invalid_choice": "Choose a day of the week, Monday to Sunday."},
    )
    blocker = forms.TypedChoiceField(
        label="Blockers question",
        choices=[("", "None"), *((i, f"Question {i}") for i in range(1, MAX_QUESTIONS + 1))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Its answers stand out to the team's managers, who can acknowledge and resolve them.",
    )
    enabled = forms.BooleanField(label="Check-ins are on for this team", required=False)

    def __init__(self, *args: Any, template: CheckinTemplate, **kwargs: Any) -> None:
        questions = list(template.questions)
        initial = {
            "cadence": template.cadence,
            "weekday": template.weekday,
            "enabled": template.enabled,
            "blocker": next((i for i, q in enumerate(questions, start=1) if q.get("blocker")), ""),
            **{f"q{i}": q["text"] for i, q in enumerate(questions, start=1)},
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for i in range(1, MAX_QUESTIONS + 1):
            self.fields[f"q{i}"] = forms.CharField(
                validators=[single_line],
                label=f"Question {i}",
                required=False,
                max_length=QUESTION_MAX,
                strip=True,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        blocker = data.get("blocker")
        if blocker and not data.get(f"q{blocker}"):
            self.add_error("blocker", f"Question {blocker} is empty: choose a written question, or None.")
        return data

    def question_fields(self) -> list[BoundField]:
        return [self[f"q{i}"] for i in range(1, MAX_QUESTIONS + 1)]

    def questions(self) -> list[dict[str, Any]]:
        blocker = self.cleaned_data.get("blocker")
        return [
            {"text": self.cleaned_data.get(f"q{i}", ""), "blocker": blocker == i}
            for i in range(1, MAX_QUESTIONS + 1)
        ]
