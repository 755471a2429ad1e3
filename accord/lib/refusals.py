"""The few ways an action says no, each with a reason meant for the person who asked.

Actions raise these (an app may subclass one to name its own case, e.g. `CheckinClosed(Conflict)`); pages
show the reason next to the field it names (accord.lib.forms.show_refusal), and the API answers with the
status that accord/api.py maps each kind to. Which kind to raise is the action's decision, made where it
knows why it refused, so no caller has to read the database again to tell the cases apart.

Forbidden and NotFound are also Django's PermissionDenied and Http404, so a page that does not catch them
still answers 403 or 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


class Refused(Exception):
    """A request the rules refuse. `field` names the input it is about, when there is one."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field

    def __str__(self) -> str:
        return self.reason


class Invalid(Refused):
    """The input breaks a rule; changing it can make the request pass."""


class Forbidden(Refused, PermissionDenied):
    """The person may not do this, whatever they send."""


class NotFound(Refused, Http404):
    """No such thing for this person. The reason is for logs and pages; the API says only "Not found",
    so that an id never reveals whether something exists in another team or organisation."""


class Conflict(Refused):
    """The thing's current state forbids it: already done, already taken."""


class Gone(Refused):
    """It could have been done, but no longer: a window that has closed."""
