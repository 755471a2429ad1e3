"""What text a person may type: one rule for single-line fields and one for multi-line ones.

A name, title or subject ends up in places where a line break or an invisible character does harm:
an email header or calendar line that a CR/LF splits in two, a CSV row, a page where a right-to-left
override makes "exe.txt" read as "txt.exe". So single-line text refuses every control character
(Unicode category Cc, which includes CR, LF and tab), the line and paragraph separators, the bidi
overrides and isolates, and the zero-width characters. Multi-line text (notes, descriptions, messages)
keeps its line breaks and tabs but still refuses the other control characters and the bidi controls.

Models carry these as field validators (so ModelForms and full_clean apply them), plain form fields
pass them in `validators=`, and the API's shared text types (accord.lib.api) call `line_problem` /
`paragraph_problem`. Stored rows from before the rule may still hold such characters: code that
writes headers or calendars cleans them again with `one_line`.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width space, non-joiner and joiner, word joiner, and the byte-order mark (zero-width no-break space).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
LINE_SEPARATORS = frozenset("\u2028\u2029")
MULTI_LINE_ALLOWED = frozenset("\n\r\t")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} ({name.lower()})" if name else code


def line_problem(value: str) -> str | None:
    """Why `value` cannot be single-line text, or None if it can."""
    for char in value:
        if char in "\r\n" or char in LINE_SEPARATORS:
            return "Keep this to one line: remove the line break."
        if unicodedata.category(char) == "Cc":
            return f"Remove the control character {_describe(char)}."
        if char in BIDI_CONTROLS or char in ZERO_WIDTH:
            return f"Remove the invisible character {_describe(char)}."
    return None


def paragraph_problem(value: str) -> str | None:
    """Why `value` cannot be multi-line text, or None if it can."""
    for char in value:
        if char in MULTI_LINE_ALLOWED:
            continue
        if unicodedata.category(char) == "Cc":
            return f"Remove the control character {_describe(char)}."
        if char in BIDI_CONTROLS:
            return f"Remove the invisible character {_describe(char)}."
    return None


@deconstructible(path="accord.lib.text.SingleLine")
class SingleLine:
    """Validator for single-line text (names, titles, subjects)."""

    code = "single_line"

    def __call__(self, value: object) -> None:
        problem = line_problem(value) if isinstance(value, str) else None
        if problem:
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SingleLine)

    def __hash__(self) -> int:
        return hash(self.code)


@deconstructible(path="accord.lib.text.MultiLine")
class MultiLine:
    """Validator for multi-line text (notes, descriptions, messages)."""

    code = "multi_line"

    def __call__(self, value: object) -> None:
        problem = paragraph_problem(value) if isinstance(value, str) else None
        if problem:
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiLine)

    def __hash__(self) -> int:
        return hash(self.code)


single_line = SingleLine()
multi_line = MultiLine()


def one_line(value: str) -> str:
    """`value` made safe for a header or a calendar line, for rows stored before the rule: every
    character that single-line text refuses becomes a space (runs collapse to one)."""
    if line_problem(value) is None:
        return value
    cleaned = "".join(" " if line_problem(char) else char for char in value)
    return " ".join(cleaned.split())


# The error type the API's text types raise, so accord/api.py can answer these with a 400 per field.
TEXT_RULE = "text_characters"


def clean_query(raw: str | None, limit: int = 100) -> str:
    """A search typed by a person, ready for a LIKE: spaces collapsed, control characters dropped
    (PostgreSQL refuses a NUL in a query, a 500 otherwise) and at most `limit` characters."""
    printable = "".join(ch for ch in (raw or "")[: limit * 4] if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:limit]
