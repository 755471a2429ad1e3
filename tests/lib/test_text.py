"""The text rules: single-line fields refuse line breaks and invisible characters, multi-line fields keep
line breaks; every model field and every API input carries one of the two rules."""

import typing

import pytest
from django.apps import apps
from django.db import models
from pydantic import BaseModel

from accord.lib.text import line_problem, multi_line, one_line, paragraph_problem, single_line


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Ann Lee", None),
        ("Zoë Ødegård-Şahin", None),
        ("Ann\r\nLee", "Keep this to one line: remove the line break."),
        ("Ann\nLee", "Keep this to one line: remove the line break."),
        ("Ann\u2028Lee", "Keep this to one line: remove the line break."),
        ("Ann\tLee", "Remove the control character U+0009."),
        ("Ann\x00", "Remove the control character U+0000."),
        ("Ann\x1b[31m", "Remove the control character U+001B."),
        ("Ann\x85", "Remove the control character U+0085."),
        ("Ann\u202egpj.exe", "Remove the invisible character U+202E (right-to-left override)."),
        ("Ann\u2066x", "Remove the invisible character U+2066 (left-to-right isolate)."),
        ("Ad\u200bmin", "Remove the invisible character U+200B (zero width space)."),
        ("Ad\u200dmin", "Remove the invisible character U+200D (zero width joiner)."),
        ("Ad\u2060min", "Remove the invisible character U+2060 (word joiner)."),
        ("\ufeffAdmin", "Remove the invisible character U+FEFF (zero width no-break space)."),
    ],
)
def test_single_line_rule(value, problem):
    assert line_problem(value) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("First line\r\nSecond line\n\n\tindented", None),
        ("Emoji family 👨\u200d👩\u200d👧 keeps its joiners", None),
        ("Ann\x00", "Remove the control character U+0000."),
        ("Ring\x07", "Remove the control character U+0007."),
        ("Ann\u202egpj.exe", "Remove the invisible character U+202E (right-to-left override)."),
        ("Ann\u2069", "Remove the invisible character U+2069 (pop directional isolate)."),
    ],
)
def test_multi_line_rule(value, problem):
    assert paragraph_problem(value) == problem


def test_one_line_cleans_what_is_already_stored():
    assert one_line("Ann\r\nEvil: header") == "Ann Evil: header"
    assert one_line("Ann \u202eLee\x00") == "Ann Lee"
    assert one_line("Zoë Lee") == "Zoë Lee"


# Character fields nobody types: the app writes them (hashes, tokens, snapshots, generated keys), or a
# regex or a list of choices already limits them. A new field must carry a rule or be added here.
NOT_TYPED = {
    ("accounts.User", "password"),
    ("accounts.Throttle", "key"),  # a keyed hash made by the throttle, never typed
    ("accounts.Invitation", "nonce"),
    ("accounts.ApiToken", "prefix"),
    ("accounts.ApiToken", "token_hash"),
    ("meetings.CalendarFeed", "token_hash"),
    ("meetings.OneOnOneSeries", "uid"),
    ("rhythm.Occurrence", "local_start"),
    ("connect.CoffeeGroupMember", "department"),
    ("connect.CoffeeGroupMember", "team_name"),
    ("pulse.Comment", "thread_key"),
    ("pulse.PublishedRound", "stamp"),
    ("pulse.PublishedRow", "label"),
    ("pulse.PublishedRow", "first_visible"),
    ("pulse.PublishedRow", "heat"),
    ("pulse.PublishedRow", "slices"),
    ("pulse.PublishedGroup", "key"),
    ("pulse.PublishedGroup", "body"),
    ("pulse.Participation", "tenure_band"),
    ("pulse.Participation", "region"),
    ("delivery.SentMessage", "key"),  # an email's idempotency key, made by the code that sends it
    ("delivery.Chore", "name"),
    ("operations.Heartbeat", "name"),  # the name of a process that ticks, set by our code
}


def _text_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("accord."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                yield model._meta.label, field


def test_every_typed_model_text_field_carries_a_text_rule():
    missing = []
    for label, field in _text_fields():
        if (label, field.name) in NOT_TYPED or field.choices or isinstance(field, models.SlugField):
            continue
        # A CharField is one line; a TextField (a text area on the pages) carries at least `multi_line`.
        wanted = (single_line,) if isinstance(field, models.CharField) else (single_line, multi_line)
        if not [v for v in field.validators if v in wanted]:
            missing.append(f"{label}.{field.name}")
    assert missing == []


def test_the_exemptions_name_real_fields():
    assert NOT_TYPED - {(label, field.name) for label, field in _text_fields()} == set()


def _str_leaves(annotation, metadata=()):
    """Every `str` inside an annotation (through Optional, list, dict and nested models), with the
    metadata that applies to it."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        yield from _str_leaves(base, (*metadata, *extra))
    elif annotation is str:
        yield metadata
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for field in annotation.model_fields.values():
            yield from _str_leaves(field.annotation, tuple(field.metadata))
    else:
        for arg in typing.get_args(annotation):
            yield from _str_leaves(arg, metadata)


def test_every_api_body_text_carries_a_text_rule():
    # Bodies are what gets stored. Query parameters are lookups (a group or theme key that must match a
    # known one) or searches, which use `Text` too but store nothing.
    from accord.api import api
    from accord.lib.api import _one_line, _paragraphs

    missing = []
    for router_prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    if model.__ninja_param_source__ != "body":
                        continue
                    for name, field in model.model_fields.items():
                        for metadata in _str_leaves(field.annotation, tuple(field.metadata)):
                            checks = {getattr(m, "func", None) for m in metadata}
                            if not checks & {_one_line, _paragraphs}:
                                missing.append(f"{operation.methods} {router_prefix}{path} {name}")
    assert missing == []
