"""Choosing teams in a form without sending the browser every team of the organisation (12,000 at the
largest size the benches try).

The person picker's pattern (accord.lib.picker) for teams: a box that asks the server for matching teams
as you type (htmx, `team_pick` in views_picker), whose choices become ticked boxes, or for a single team
radio buttons, above it. A single team also lists the teams near the current one (itself, its parent,
its sub-teams and its siblings), so the usual move needs no search. Without JavaScript, a team's name
typed in full is looked up; a name that several teams share is refused next to the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from accord.orgs.models import Person, Team

from .forms import IdsChoiceField
from .picker import FEW, PASSED_ATTRS, PICK_LIMIT, PICK_MIN, _tokens
from .text import clean_query


def pick_teams(viewer: Person, q: str) -> list[Team]:
    """Teams of the viewer's organisation whose name holds `q` (every member sees the team list)."""
    q = clean_query(q)
    if len(q) < PICK_MIN:
        return []
    found = Team.objects.filter(org_id=viewer.org_id, name__icontains=q).select_related("parent")
    return list(found.order_by("name", "pk")[:PICK_LIMIT])


def near_teams(queryset: QuerySet[Team], team: Team | None) -> list[Team]:
    """Up to FEW teams around `team` (its parent, its sub-teams, its siblings), within `queryset`."""
    if team is None:
        return list(queryset.filter(parent__isnull=True).order_by("name", "pk")[:FEW])
    near = Q(pk=team.parent_id) | Q(parent_id=team.pk)
    near |= Q(parent_id=team.parent_id) if team.parent_id else Q(parent__isnull=True)
    return list(
        queryset.filter(near).exclude(pk=team.pk).select_related("parent").order_by("name", "pk")[:FEW]
    )


def _ids(raw: list[str]) -> list[int]:
    return [int(v) for v in raw if v.isascii() and v.isdecimal() and len(v) < 19]


class TeamPicker(forms.Widget):
    template_name = "lib/team_picker.html"

    def __init__(self, *, multiple: bool = False, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.multiple = multiple
        self.queryset: QuerySet[Team] | None = None  # set by the field, to show what is chosen

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = _tokens(data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""])
        if self.multiple:
            return values
        # One team: a name typed in the box wins over the ticked radio (it was typed on purpose).
        typed = [v for v in values if not v.isdecimal()]
        return (typed or values or [""])[-1]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        raw = (
            []
            if value in (None, "")
            else [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
        )
        ids = _ids(raw)
        chosen = (
            list(self.queryset.filter(pk__in=ids).select_related("parent"))
            if self.queryset is not None and ids
            else []
        )
        near: list[Team] = []
        if not self.multiple and self.queryset is not None:
            near = near_teams(self.queryset, chosen[0] if chosen else None)
        extra = {k: v for k, v in context["widget"]["attrs"].items() if k in PASSED_ATTRS}
        context["widget"].update(
            extra_attrs=flatatt(extra),
            multiple=self.multiple,
            chosen=chosen,
            near=near,
            typed=", ".join(v for v in raw if not v.isdecimal()),
        )
        return context


class _ResolvesNames:
    queryset: QuerySet[Team]

    def _resolve(self, token: str) -> str:
        if token.isascii() and token.isdecimal():
            return token
        found = list(self.queryset.filter(name__iexact=token[:200]).values_list("pk", flat=True)[:2])
        if not found:
            raise ValidationError(
                f"No team you can choose here is called {token[:120]}.", code="invalid_choice"
            )
        if len(found) > 1:
            raise ValidationError(
                f"Several teams are called {token[:120]}: search for it and choose one from the list.",
                code="invalid_choice",
            )
        return str(found[0])


class TeamField(_ResolvesNames, forms.ModelChoiceField):
    """One team, chosen among the nearby ones, with the search, or by its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", TeamPicker())
        super().__init__(*args, **kwargs)

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(queryset)  # type: ignore[misc]
        if isinstance(self.widget, TeamPicker):
            self.widget.queryset = self.queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            value = self._resolve(value.strip())
        return super().to_python(value)


class TeamsField(_ResolvesNames, IdsChoiceField):
    """Several teams, chosen with the search (or as names separated by commas)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", TeamPicker(multiple=True))
        super().__init__(*args, **kwargs)

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(queryset)  # type: ignore[misc]
        if isinstance(self.widget, TeamPicker):
            self.widget.queryset = self.queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = list(dict.fromkeys(self._resolve(str(v)) for v in _tokens(list(value))))
        return super().clean(value)
