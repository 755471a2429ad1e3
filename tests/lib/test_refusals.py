"""The refusal kinds: the one table that gives each its API status and body, and the one way pages show
them next to fields."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.test import RequestFactory

from accord.api import api
from accord.checkins.actions import CheckinPastClose, CheckinSent
from accord.goals.actions import NotAllowed
from accord.handoffs.actions import AlreadyWritten
from accord.lib.forms import page_param, show_refusal
from accord.lib.refusals import Conflict, Forbidden, Gone, Invalid, NotFound, Refused
from accord.pulse.actions import AlreadyAnswered, NotYourThread, PulseError, RoundClosed


def answer(exc: Exception) -> tuple[int, dict]:
    """What the API answers when a handler raises `exc`, through the handlers accord/api.py registers."""
    response = api.on_exception(RequestFactory().get("/api/anything"), exc)
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (
            Invalid("Pick a date after the start.", "ends_on"),
            400,
            {
                "detail": "Pick a date after the start.",
                "errors": {"ends_on": ["Pick a date after the start."]},
            },
        ),
        (
            Invalid("Say something."),
            400,
            {"detail": "Say something.", "errors": {"__all__": ["Say something."]}},
        ),
        (Refused("No."), 400, {"detail": "No.", "errors": {"__all__": ["No."]}}),
        (Forbidden("Only admins can do this.", "role"), 403, {"detail": "Only admins can do this."}),
        # A 404 says nothing of why: the reason may tell that the thing exists in another team.
        (NotFound("Not your team's blocker."), 404, {"detail": "Not found"}),
        (Conflict("Already taken."), 409, {"detail": "Already taken."}),
        (Gone("The window has closed."), 410, {"detail": "The window has closed."}),
    ],
)
def test_each_refusal_kind_has_its_status_and_body(exc: Exception, status: int, body: dict) -> None:
    assert answer(exc) == (status, body)


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (CheckinSent("You have already sent this check-in."), 409),
        (CheckinPastClose("This check-in closed at 17:00."), 410),
        (AlreadyWritten("Already written by Zofia."), 409),
        (NotAllowed("You cannot change this goal.", "owner"), 403),
        (RoundClosed("This round has closed."), 410),
        (AlreadyAnswered("You have already answered this round."), 409),
        (PulseError("That question is not part of this round."), 400),
    ],
)
def test_an_apps_refusal_answers_with_the_kind_it_is(exc: Refused, status: int) -> None:
    found_status, body = answer(exc)
    assert (found_status, body["detail"]) == (status, exc.reason)


def test_an_apps_not_found_says_nothing_more() -> None:
    assert answer(NotYourThread("You can answer only in threads about your own comments.")) == (
        404,
        {"detail": "Not found"},
    )


def test_djangos_own_exceptions_share_the_table() -> None:
    assert answer(ValidationError({"name": ["Too long.", "Has a tab."]})) == (
        400,
        {"detail": "Too long.", "errors": {"name": ["Too long.", "Has a tab."]}},
    )
    assert answer(ValidationError("Nothing to save.")) == (
        400,
        {"detail": "Nothing to save.", "errors": {"__all__": ["Nothing to save."]}},
    )
    assert answer(PermissionDenied("Read-only token.")) == (403, {"detail": "Read-only token."})
    assert answer(PermissionDenied()) == (403, {"detail": "You are not allowed to do this."})
    assert answer(Http404("No Goal matches the given query.")) == (404, {"detail": "Not found"})
    # The database's own words never reach the client.
    assert answer(IntegrityError("UNIQUE constraint failed: orgs_person.email")) == (
        409,
        {"detail": "That conflicts with a change made at the same time."},
    )


def test_forbidden_and_not_found_still_answer_pages_as_djangos_own() -> None:
    # Pages that do not catch them still answer 403 and 404 through Django's handlers.
    assert isinstance(Forbidden("x"), PermissionDenied)
    assert isinstance(NotFound("x"), Http404)


class PlaceForm(forms.Form):
    name = forms.CharField(required=False)
    a_mood = forms.CharField(required=False)


def shown(exc: ValidationError | Refused, **kwargs) -> dict[str, list[str]]:
    form = PlaceForm({})
    assert form.is_valid()
    show_refusal(form, exc, **kwargs)
    return {field: list(messages) for field, messages in form.errors.items()}


def test_a_refusal_is_shown_next_to_the_field_it_names() -> None:
    assert shown(Invalid("Choose another name.", "name")) == {"name": ["Choose another name."]}
    assert shown(NotAllowed("Not yours to rename.", "name")) == {"name": ["Not yours to rename."]}


def test_a_refusal_that_names_no_field_of_the_form_goes_on_top() -> None:
    assert shown(Conflict("Already sent.")) == {"__all__": ["Already sent."]}
    assert shown(Invalid("Choose a team.", "team")) == {"__all__": ["Choose a team."]}


def test_a_validation_error_is_shown_per_field_and_on_top() -> None:
    exc = ValidationError({"name": ["Too long."], "team": ["No such team."], "__all__": ["Check both."]})
    assert shown(exc) == {"name": ["Too long."], "__all__": ["No such team.", "Check both."]}
    assert shown(ValidationError(["One.", "Two."])) == {"__all__": ["One.", "Two."]}


def test_rename_maps_the_actions_names_to_the_forms() -> None:
    def rename(field: str) -> str:
        return field.replace("answers.", "a_")

    exc = ValidationError({"answers.mood": ["Pick 1 to 5."], "name": ["Required."]})
    assert shown(exc, rename=rename) == {"a_mood": ["Pick 1 to 5."], "name": ["Required."]}


@pytest.mark.parametrize(
    ("raw", "page"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        ("9999", 9999),
        ("10000", 1),
        ("0", 1),
        ("-2", 1),
        ("²", 1),
        ("9" * 30, 1),
    ],
)
def test_page_param_is_a_page_or_the_first(raw: str | None, page: int) -> None:
    assert page_param(raw) == page
