"""Small filters for goals pages: numbers with their unit, and due dates in words."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()
CURRENCY_SIGNS = {"€", "$", "£", "¥", "₹"}


@register.filter
def with_unit(value: float | None, unit: str = "") -> str:
    """12 → "12", 12.5 → "12.5", 1234567 → "1,234,567"; "%" follows the number,
    a currency sign leads it, other units follow after a space."""
    if value is None:
        return "—"
    number = f"{value:,.2f}".rstrip("0").rstrip(".")
    if number == "-0":
        number = "0"
    if not unit:
        return number
    if unit == "%":
        return f"{number}%"
    if unit in CURRENCY_SIGNS:
        return f"−{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    return f"{number} {unit}"


@register.filter
def standing(kr: Any) -> str:
    """Where a key result stands, for targets above or below the start alike: "43, target 60 accounts"."""
    unit = kr.unit
    if unit == "%" or unit in CURRENCY_SIGNS:
        return f"{with_unit(kr.current, unit)}, target {with_unit(kr.target, unit)}"
    return f"{with_unit(kr.current)}, target {with_unit(kr.target, unit)}"


@register.filter
def due_words(days_left: int | None) -> str:
    if days_left is None:
        return ""
    if days_left == 0:
        return "due today"
    if days_left == 1:
        return "due tomorrow"
    if days_left > 1:
        return f"due in {days_left} days"
    late = -days_left
    return f"{late} day{'s' if late != 1 else ''} overdue"


@register.filter
def due_tone(days_left: int | None) -> str:
    if days_left is None:
        return ""
    if days_left < 0:
        return "badge-bad"
    if days_left <= 1:
        return "badge-warn"
    return ""
