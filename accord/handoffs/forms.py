"""Forms for chains (with a row per shift) and for writing a handoff (a row per item).

The forms only parse; the rules live in actions.py, whose field-keyed errors come back here through
`place_errors` so that every message sits next to its field and nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accord.lib.forms import TimeOfDayInput
from accord.lib.text import multi_line, single_line
from accord.orgs.models import WEEKDAYS, Person

from .actions import ItemIn, ShiftIn
from .models import MAX_SHIFTS, TEXT_MAX, TITLE_MAX, Item, Shift, Status

DAY_CHOICES = [(str(i), name) for i, name in enumerate(WEEKDAYS, start=1)]
TIME = TimeOfDayInput()


class ChainForm(forms.Form):
    name = forms.CharField(validators=[single_line], max_length=120, required=False, label="Chain name")
    team = forms.TypedChoiceField(coerce=int, label="Team")
    ack_within = forms.IntegerField(
        label="Acknowledge within (minutes)",
        help_text="After the receiving shift starts; later than this, the handoff is escalated.",
    )
    escalate_after = forms.IntegerField(
        label="Then tell the manager after (minutes)",
        help_text="After the first escalation to the next person on hours in the receiving shift.",
    )

    def __init__(self, *args: Any, teams: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]  # type: ignore[attr-defined]


class ShiftForm(forms.Form):
    name = forms.CharField(validators=[single_line], max_length=60, required=False, label="Shift name")
    timezone = forms.CharField(
        validators=[single_line],
        max_length=64,
        required=False,
        label="Time zone",
        widget=forms.TextInput(attrs={"list": "zones"}),
    )
    start = forms.TimeField(required=False, label="Starts (local)", widget=TIME)
    end = forms.TimeField(required=False, label="Ends (local)", widget=TIME)
    overnight = forms.BooleanField(required=False, label="Overnight: ends the next day")
    days = forms.MultipleChoiceField(
        choices=DAY_CHOICES, required=False, label="Working days", widget=forms.CheckboxSelectMultiple
    )
    people = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label="People", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(p.pk, p.name) for p in people]  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not (data.get("name") or data.get("start") or data.get("end") or data.get("people"))

    def row(self) -> ShiftIn:
        d = self.cleaned_data
        return ShiftIn(
            name=d["name"],
            timezone=d["timezone"].strip(),
            start=d["start"],
            end=d["end"],
            days="".join(sorted(d["days"])),
            overnight=d["overnight"],
            people=list(d["people"]),
        )


def shift_forms(data: Any, people: list[Person], shifts: list[Shift], rows: int) -> list[ShiftForm]:
    found = []
    for i in range(max(rows, len(shifts))):
        initial: dict[str, Any] = {"days": list("12345")}
        if i < len(shifts):
            s = shifts[i]
            initial = {
                "name": s.name,
                "timezone": s.timezone,
                "start": s.start,
                "end": s.end,
                "overnight": s.overnight,
                "days": list(s.days),
                "people": [m.person_id for m in s.members.all()],
            }
        found.append(ShiftForm(data, prefix=f"shift-{i}", initial=initial, people=people))
    return found[:MAX_SHIFTS]


def place_errors(exc: ValidationError, top: forms.Form, rows: list[forms.Form], kind: str) -> list[str]:
    """Put each action error next to its field; returns the errors about the list as a whole."""
    whole: list[str] = []
    for key, messages in exc.message_dict.items():
        parts = key.split(".")
        if parts[0] == kind and len(parts) == 3 and int(parts[1]) < len(rows):
            form = rows[int(parts[1])]
            name = parts[2] if parts[2] in form.fields else None
            for m in messages:
                form.add_error(name, m)
        elif key == kind:
            whole.extend(messages)
        else:
            for m in messages:
                top.add_error(key if key in top.fields else None, m)
    return whole


# --- writing a handoff -------------------------------------------------------------------------

LINKS_HELP = "One web address per line."


class HandoffForm(forms.Form):
    from_shift = forms.TypedChoiceField(coerce=int, label="My shift")
    urgent = forms.CharField(
        validators=[multi_line],
        required=False,
        max_length=TEXT_MAX,
        label="Anything urgent",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the next shift must do first. Leave empty if nothing is on fire.",
    )

    def __init__(self, *args: Any, shifts: list[Shift], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_shift"].choices = [(s.pk, s.name) for s in shifts]  # type: ignore[attr-defined]
        if len(shifts) == 1:
            self.fields["from_shift"].widget = forms.HiddenInput()


class ItemForm(forms.Form):
    title = forms.CharField(validators=[single_line], required=False, max_length=TITLE_MAX, label="Item")
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Owner")
    status = forms.ChoiceField(choices=Status.choices, label="Status")
    next_step = forms.CharField(
        validators=[multi_line],
        required=False,
        max_length=TEXT_MAX,
        label="Next step",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    links = forms.CharField(
        validators=[multi_line],
        required=False,
        label="Links",
        help_text=LINKS_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, owners: list[Any], item: Item | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["owner"].choices = [("", "— choose the owner —"), *owners]  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return self.item is None and not (d.get("title") or d.get("next_step") or d.get("links"))

    def row(self) -> ItemIn:
        d = self.cleaned_data
        return ItemIn(
            item_id=self.item.pk if self.item else None,
            title=d.get("title") or "",
            owner_id=d.get("owner"),
            status=d.get("status") or Status.OPEN,
            next_step=d.get("next_step") or "",
            links=(d.get("links") or "").splitlines(),
        )


def owner_choices(people: list[Person], receiving: set[int], receiving_name: str) -> list[Any]:
    """The receiving shift first (who usually takes an item over), then everyone else."""
    nxt = [(p.pk, p.name) for p in people if p.pk in receiving]
    rest = [(p.pk, p.name) for p in people if p.pk not in receiving]
    return [(f"Next shift: {receiving_name}", nxt), ("Everyone else", rest)] if nxt else rest


def item_forms(data: Any, items: list[Item], new_rows: int, owners: list[Any]) -> list[ItemForm]:
    found = [
        ItemForm(
            data,
            prefix=f"item-{item.pk}",
            item=item,
            owners=owners,
            initial={
                "title": item.title,
                "owner": item.owner_id,
                "status": item.status,
                "next_step": item.next_step,
                "links": "\n".join(item.links),
            },
        )
        for item in items
    ]
    found += [ItemForm(data, prefix=f"new-{n}", owners=owners) for n in range(new_rows)]
    return found
