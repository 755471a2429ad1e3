"""Form fields and form helpers shared by several apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from accord.lib.refusals import Refused

MAX_ID = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids no database row can have (a digit string too long
    for a 64-bit integer) as an invalid choice: Django passes them to an `__in` lookup, which SQLite
    cannot bind and answers with an OverflowError, a 500 instead of an error next to the field."""

    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            if isinstance(pk, str) and pk.strip().isdecimal() and not 0 < int(pk) <= MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # not in django-stubs


def id_param(value: str | None) -> int | None:
    """An id from a query string or a plain POST field, or None when it cannot be one: `isdigit()` lets
    through "²" (which int() refuses) and any length (which SQLite cannot bind), both 500s otherwise."""
    if not value or not value.isascii() or not value.isdecimal() or len(value) > 19:
        return None
    found = int(value)
    return found if 0 < found <= MAX_ID else None


def show_refusal(
    form: forms.BaseForm, exc: ValidationError | Refused, rename: Callable[[str], str] | None = None
) -> None:
    """The one way pages show an action's refusal: next to each field it names, or at the top of the form
    for what names no field the form has. `rename` maps an action's field name to the form's, where the
    two differ (e.g. `answers.mood` to `a_mood`)."""
    if isinstance(exc, Refused):
        found = {exc.field or NON_FIELD_ERRORS: [exc.reason]}
    elif hasattr(exc, "error_dict"):
        found = exc.message_dict
    else:
        found = {NON_FIELD_ERRORS: exc.messages}
    for field, messages in found.items():
        name = rename(field) if rename else field
        if name in form.fields:
            form.add_error(name, messages)
        else:
            form.add_error(field if field in form.fields else None, messages)


def page_param(value: str | None, last: int = 9_999) -> int:
    """A page number from a query string: 1 unless it is a whole number from 1 to `last`, a bound that
    keeps the offset it makes inside what the database can bind."""
    found = id_param(value)
    return found if found is not None and found <= last else 1


class TimeOfDayInput(forms.TimeInput):
    """A time of day typed as 24-hour HH:MM. A browser's <input type="time"> follows the browser's
    locale, so in an en-US browser it asked for AM/PM in an app that shows every time as 14:30."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "inputmode": "numeric",
            "pattern": r"([01]?[0-9]|2[0-3]):[0-5][0-9]",
            "placeholder": "HH:MM",
            "maxlength": "5",
            "autocomplete": "off",
            "class": "time-of-day",
        }
        super().__init__(attrs=base | (attrs or {}), format="%H:%M")
