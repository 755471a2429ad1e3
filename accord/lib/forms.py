"""Form fields shared by several apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

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
