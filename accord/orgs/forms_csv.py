"""The upload form for the people CSV import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, comma-separated, with the header row described below. Up to 2 MB.",
        error_messages={"required": "Choose a CSV file to check or import."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    create_teams = forms.BooleanField(
        label="Create missing teams",
        required=False,
        help_text="Without this, a team path that does not exist yet is reported as an error.",
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 2 MB. Split it into smaller files.")
        return upload.read()
