from __future__ import annotations

from typing import Any

from django import forms

from accord.lib.text import multi_line

from .models import PROFILE_MAX, SECTIONS, CoffeeSettings, Met


class OptInForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("join", "Join"), ("pause", "Pause"), ("resume", "Resume"), ("leave", "Leave")]
    )
    paused_until = forms.DateField(
        required=False,
        label="Pause until",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="You are paired again in the first round whose week starts on or after this date.",
    )


class MetForm(forms.Form):
    met = forms.ChoiceField(choices=Met.choices, widget=forms.RadioSelect, label="Did you meet?")


class CoffeeSettingsForm(forms.ModelForm):
    class Meta:
        model = CoffeeSettings
        fields = ["every_weeks", "cross_department_weight", "avoid_rounds"]
        widgets = {
            "cross_department_weight": forms.NumberInput(attrs={"min": 0, "max": 10}),
            "avoid_rounds": forms.NumberInput(attrs={"min": 0, "max": 52}),
        }


class ProfileForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, heading, prompt in SECTIONS:
            self.fields[key] = forms.CharField(
                validators=[multi_line],
                label=heading,
                help_text=prompt,
                required=False,
                max_length=PROFILE_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
