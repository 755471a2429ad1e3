"""Choosing people in a form without sending the browser everyone in the organisation.

One widget for every form that names people (kudos recipients, 1:1 partners, meeting attendees, owners,
managers): a text box that asks the server for matches as you type (htmx, `person_pick` below) and,
without JavaScript, accepts an email address typed in full. A multiple choice keeps the chosen people
as ticked boxes above the box; more can be added there by email, separated by commas.

The fields resolve what was typed against their own queryset, so a form's rules (say, only your direct
reports) still decide what is valid, and a refusal shows next to the field like any other.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from accord.orgs.models import Person

from .forms import IdsChoiceField
from .text import clean_query

PICK_LIMIT = 8
PICK_MIN = 2
SCOPES = ("all", "reports", "others")
PASSED_ATTRS = ("aria-describedby", "aria-invalid", "required", "autofocus")


def pick_people(viewer: Person, q: str, scope: str = "all") -> list[Person]:
    """The search behind the widget: active people of the viewer's organisation by name or email (the
    directory shows them all to every member); `scope` narrows it to the viewer's direct reports
    ("reports") or leaves the viewer out ("others")."""
    q = clean_query(q)
    if len(q) < PICK_MIN:
        return []
    found = Person.objects.filter(org_id=viewer.org_id, is_active=True).filter(
        Q(name__icontains=q) | Q(email__icontains=q)
    )
    if scope == "reports":
        found = found.filter(manager=viewer)
    elif scope == "others":
        found = found.exclude(pk=viewer.pk)
    return list(found.select_related("team").order_by("name", "pk")[:PICK_LIMIT])


def _tokens(values: list[str]) -> list[str]:
    return [t.strip() for v in values for t in str(v).split(",") if t.strip()]


class PersonPicker(forms.Widget):
    template_name = "lib/person_picker.html"

    def __init__(self, *, multiple: bool = False, scope: str = "all", attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.multiple = multiple
        self.scope = scope
        self.queryset: QuerySet[Person] | None = None  # set by the field, to show who is chosen

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # The project's template directory, not the form renderer's (which sees Django's own templates only).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.multiple:
            return _tokens(data.getlist(name)) if hasattr(data, "getlist") else _tokens(data.get(name) or [])
        value = data.get(name)
        return value.strip() if isinstance(value, str) else value

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        raw = [] if value in (None, "") else (list(value) if isinstance(value, list | tuple) else [value])
        ids = [int(v) for v in (str(r) for r in raw) if v.isascii() and v.isdecimal() and len(v) < 19]
        chosen = list(self.queryset.filter(pk__in=ids)) if self.queryset is not None and ids else []
        typed = [str(r) for r in raw if not (str(r).isascii() and str(r).isdecimal())]
        extra = {k: v for k, v in context["widget"]["attrs"].items() if k in PASSED_ATTRS}
        context["widget"].update(
            extra_attrs=flatatt(extra),
            multiple=self.multiple,
            scope=self.scope,
            chosen=chosen,
            typed=", ".join(typed),
        )
        return context


class _Resolves:
    """Turns typed email addresses into ids of the field's queryset before Django's own checks."""

    widget: forms.Widget

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(queryset)  # type: ignore[misc]
        if isinstance(self.widget, PersonPicker):
            self.widget.queryset = self.queryset

    # The widget shows who is chosen, from the queryset a form may narrow after the field is made.
    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def _resolve(self, token: str) -> str:
        if "@" not in token:
            return token
        email = token.rsplit("<", 1)[-1].rstrip(">").strip()
        found = self.queryset.filter(email__iexact=email).values_list("pk", flat=True).first()
        if found is None:
            raise ValidationError(
                f"Nobody you can choose here has the address {email[:120]}.", code="invalid_choice"
            )
        return str(found)


class PersonField(_Resolves, forms.ModelChoiceField):
    """One person, chosen with the picker (or by email)."""

    def __init__(self, *args: Any, scope: str = "all", **kwargs: Any) -> None:
        kwargs.setdefault("widget", PersonPicker(scope=scope))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            value = self._resolve(value.strip())
        return super().to_python(value)


class PeopleField(_Resolves, IdsChoiceField):
    """Several people, chosen with the picker (or as email addresses separated by commas)."""

    def __init__(self, *args: Any, scope: str = "all", **kwargs: Any) -> None:
        kwargs.setdefault("widget", PersonPicker(multiple=True, scope=scope))
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = list(dict.fromkeys(self._resolve(str(v)) for v in _tokens(list(value))))
        return super().clean(value)


FEW = 40  # up to this many choices, a plain list is quicker to use than a search box


def list_when_few(field: forms.Field, count: int | None) -> None:
    """Show a field's choices as a plain <select> when there are only `count` of them (None: unknown,
    maybe the whole organisation, so keep the search box). A manager picking among their own few
    reports sees them all at once, with or without JavaScript."""
    if count is not None and count <= FEW and isinstance(field, forms.ModelChoiceField):
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        widget: forms.Widget = forms.SelectMultiple() if multiple else forms.Select()
        widget.choices = field.choices  # type: ignore[attr-defined]
        field.widget = widget
