"""Forms for the pulse pages. Rules live in actions.py; these forms only parse what the browser sends."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone

from accord.lib.forms import IdsChoiceField
from accord.lib.text import multi_line, single_line
from accord.lib.tz import to_utc
from accord.orgs.models import Organisation, Team

from .answering import COMMENT_MAX
from .bank import AGREE5_LABELS, CONSTRUCTS
from .models import Program, Question, Scale

COMMENT_HELP = (
    "Comments are shown to your managers only when enough people in the group commented; they can reply, "
    "and you'd read replies on My feedback, still anonymous."
)
NPS_LOW, NPS_HIGH = "Not at all likely", "Extremely likely"


def question_text(question: Question, org: Organisation) -> str:
    """The wording people read: the eNPS item names the organisation (a plain replace, never format())."""
    return question.text.replace("{org}", org.name)


# --- answering --------------------------------------------------------------------------------


SKIP = "skip"


def _answer_value(value: str) -> int | None:
    return None if value == SKIP else int(value)


class AnswerForm(forms.Form):
    """One optional radio group per question of the round, and one optional comment."""

    comment = forms.CharField(
        validators=[multi_line],
        label="Anything you'd like to add? (optional)",
        required=False,
        max_length=COMMENT_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=COMMENT_HELP,
    )

    def __init__(self, *args: Any, questions: list[Question], org: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.org = org
        for question in questions:
            if question.scale == Scale.NPS11:
                choices = [(str(v), str(v)) for v in range(11)]
            else:
                choices = [(str(v), label) for v, label in enumerate(AGREE5_LABELS, start=1)]
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question_text(question, org),
                # "skip" rather than "": an unanswered question then starts with no radio checked.
                choices=[*choices, (SKIP, "Skip this question")],
                coerce=_answer_value,
                empty_value=None,
                required=False,  # every question may be skipped
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose one of the answers shown, or skip the question."},
            )
        # The comment comes after the questions.
        self.order_fields([f"q{q.pk}" for q in questions] + ["comment"])

    def items(self) -> list[tuple[Question, BoundField]]:
        return [(q, self[f"q{q.pk}"]) for q in self.questions]

    def answers(self) -> dict[int, int | None]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


# --- admin ------------------------------------------------------------------------------------


class LocalDateTimeField(forms.DateTimeField):
    """A datetime-local input read in the admin's own time zone (DST resolved as lib/tz.py decides)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.formats: list[str] = list(kwargs["input_formats"])

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return value.astimezone(self.zone).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return value
        if isinstance(value, str):
            for fmt in self.formats:
                try:
                    naive = dt.datetime.strptime(value.strip(), fmt)  # noqa: DTZ007 - made aware below
                except ValueError:
                    continue
                return to_utc(naive.date(), naive.time(), self.zone)
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def next_monday(now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """00:00 next Monday in `zone` (a week ahead if today is Monday), as UTC."""
    today = now.astimezone(zone).date()
    return to_utc(today + dt.timedelta(days=7 - today.weekday()), dt.time(0, 0), zone)


class ProgramForm(forms.ModelForm[Program]):
    teams = IdsChoiceField(
        label="Teams",
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Used when the program does not ask the whole organisation. A team includes its sub-teams.",
    )
    questions = IdsChoiceField(
        label="Questions",
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each round asks the next few in turn, so everyone sees every question before any repeats.",
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "whole_org",
            "cadence_days",
            "questions_per_round",
            "enps_every_days",
            "window_days",
            "active",
        ]
        labels = {
            "whole_org": "Ask the whole organisation",
            "cadence_days": "How often",
            "questions_per_round": "Questions per round",
            "enps_every_days": "Ask eNPS at most every … days",
            "window_days": "Days to answer",
            "active": "Active (rounds open on schedule)",
        }
        help_texts = {
            "questions_per_round": "Between 1 and 15; 5 or 6 keeps answering under a minute.",
            "enps_every_days": "At least 7. Asking eNPS too often makes it noise; 84 days is a quarter.",
            "window_days": "How long each round stays open, 1 to 27 days.",
        }
        error_messages = {"name": {"required": "Give the program a name."}}

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = self.instance
        org_id = program.org_id
        cast(forms.ModelChoiceField, self.fields["teams"]).queryset = Team.objects.filter(
            org_id=org_id
        ).order_by("name", "id")
        cast(forms.ModelChoiceField, self.fields["questions"]).queryset = Question.objects.filter(
            org_id=org_id, active=True
        ).order_by("construct", "key")
        new = program.pk is None
        self.fields["start"] = LocalDateTimeField(
            zone=zone,
            label="First round opens" if new else "Next round opens",
            help_text=f"In your time zone ({zone.key}). People are asked during their own working hours.",
            error_messages={"required": "Say when the first round opens."},
        )
        if new:
            self.initial["start"] = next_monday(timezone.now(), zone)
            self.initial["questions"] = list(
                Question.objects.filter(org_id=org_id, active=True, builtin=True).values_list("pk", flat=True)
            )
        else:
            self.initial["start"] = program.next_round_at or next_monday(timezone.now(), zone)
            self.initial["teams"] = [t.pk for t in program.teams.all()]
            self.initial["questions"] = list(
                program.programquestion_set.order_by("position").values_list("question_id", flat=True)
            )
        self.order_fields([*self.Meta.fields[:2], "teams", *self.Meta.fields[2:], "start", "questions"])

    def team_tree(self) -> list[tuple[Any, list[Any]]]:
        """The team checkboxes as a tree by parent, each (option, children), so sub-teams sit under
        their team; a team whose parent is not listed starts a branch of its own."""
        options = {option.data["value"].value: option for option in self["teams"]}
        parents = {pk: option.data["value"].instance.parent_id for pk, option in options.items()}
        children: dict[int | None, list[int]] = {}
        for pk in options:  # in the field's order (by name), which each level keeps
            parent = parents.get(pk)
            children.setdefault(parent if parent in options else None, []).append(pk)

        def build(parent: int | None) -> list[tuple[Any, list[Any]]]:
            return [(options[pk], build(pk)) for pk in children.get(parent, [])]

        return build(None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("whole_org") and data.get("teams"):
            # Saving would silently drop the ticked teams; say so and keep the form as it was sent.
            self.add_error(
                "teams",
                "You chose to ask the whole organisation, so teams do not apply: untick the teams, "
                "or untick “Ask the whole organisation” to ask only them.",
            )
        return data

    def question_groups(self) -> list[tuple[str, list[Any]]]:
        """The question checkboxes grouped by construct, in the bank's order of constructs."""
        org = self.instance.org
        groups: dict[str, list[Any]] = {}
        for option in self["questions"]:
            question = option.data["value"].instance
            groups.setdefault(question.construct, []).append((option, question, question_text(question, org)))
        order = list(CONSTRUCTS)
        return [
            (CONSTRUCTS.get(c, c), groups[c])
            for c in sorted(groups, key=lambda c: order.index(c) if c in order else len(order))
        ]

    def chosen_questions(self) -> list[Question]:
        """The chosen questions interleaved across constructs, so each round mixes several themes."""
        by_construct: dict[str, list[Question]] = {}
        for q in sorted(self.cleaned_data.get("questions") or [], key=lambda q: (q.construct, q.key)):
            by_construct.setdefault(q.construct, []).append(q)
        return interleave(by_construct)


def interleave(by_construct: dict[str, list[Question]]) -> list[Question]:
    queues = [list(v) for _, v in sorted(by_construct.items())]
    ordered: list[Question] = []
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    return ordered


THEME_CHOICES = [("", "Choose a theme")] + [(k, v) for k, v in CONSTRUCTS.items() if k != "enps"]


class QuestionForm(forms.Form):
    text = forms.CharField(
        validators=[single_line],
        label="Question",
        required=False,
        max_length=200,
        help_text="One idea, in the first person, that people can agree or disagree with.",
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )
    construct = forms.ChoiceField(
        label="Theme",
        choices=THEME_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose one of the listed themes."},
    )
    reverse = forms.BooleanField(
        label="Reverse-coded (disagreeing is the healthy answer)",
        required=False,
    )


class SettingsForm(forms.Form):
    min_group_size = forms.IntegerField(
        label="Minimum group size",
        help_text=(
            "The smallest group whose results are ever shown; never below 3 (5 is the default). "
            "It applies to rounds that open from now on."
        ),
        error_messages={
            "required": "Give a number, 3 or more.",
            "invalid": "Give a whole number, 3 or more.",
        },
    )
