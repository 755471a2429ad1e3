"""Sections other apps add to the home, person and team pages, without orgs knowing about them.

Each app registers its sections in its `AppConfig.ready()` with `register(...)`: which page, a unique
key, the template, an explicit order (lower first) and a `build` function that returns the template's
context, or None for "nothing to show". The pages call `panels_for(...)` and render each `Panel` with
`{% render_panel panel %}` (accord/orgs/templatetags/page_panels.py).

A section whose build function or template raises is logged with its traceback and shown as a small
placeholder: one app's defect must not take the home page down, and must not hide silently either.
Building a section only reads; anything a page needs to exist is made when the organisation is
created (`accord.orgs.signals.organisation_created`) or by an action, never on GET.

Person panels must follow the transparency mirror: what a manager sees about a person there, the
person sees on their own page, with the same numbers and words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from .models import Person, Team

logger = logging.getLogger(__name__)

Page = Literal["home", "person", "team"]
PAGES: tuple[Page, ...] = ("home", "person", "team")

# What a build function returns: the template's context, or None to show nothing.
Context = Mapping[str, Any] | None

# What a section that failed shows instead, with `panel.key` in its context.
FAILED_TEMPLATE = "orgs/_panel_failed.html"


@dataclass(frozen=True)
class Panel:
    """One section of a page, ready to render."""

    key: str
    template: str
    context: Mapping[str, Any]
    order: int


@dataclass(frozen=True)
class Source:
    page: Page
    key: str
    template: str
    order: int
    build: Callable[..., Context]


_registry: dict[Page, dict[str, Source]] = {page: {} for page in PAGES}


def register(page: Page, *, key: str, template: str, order: int, build: Callable[..., Context]) -> None:
    """Offer a section on `page`. Called from an app's `ready()`; keys are unique per page."""
    if page not in _registry:
        raise ImproperlyConfigured(f"Unknown page {page!r} for panel {key!r}.")
    known = _registry[page].get(key)
    if known is not None and known.build is not build:
        raise ImproperlyConfigured(f"Two panels named {key!r} on the {page} page.")
    _registry[page][key] = Source(page=page, key=key, template=template, order=order, build=build)


def unregister(page: Page, key: str) -> None:
    _registry[page].pop(key, None)


def sources(page: Page) -> list[Source]:
    return sorted(_registry[page].values(), key=lambda s: (s.order, s.key))


def panels_for(page: Page, request: HttpRequest, *args: Any) -> list[Panel]:
    found = []
    for source in sources(page):
        try:
            context = source.build(request, *args)
        except Exception:
            # Not fatal: the rest of the page is still worth showing. The log carries the traceback and
            # the placeholder tells the reader something is missing.
            logger.exception("The %r panel of the %s page failed; shown as a placeholder.", source.key, page)
            failed = {"key": source.key}
            found.append(Panel(key=source.key, template=FAILED_TEMPLATE, context=failed, order=source.order))
            continue
        if context is None:
            continue
        found.append(Panel(key=source.key, template=source.template, context=context, order=source.order))
    return found


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for the person on the home page, with the link that acts on it."""

    key: str
    text: str
    url: str
    action: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class WaitingSource:
    key: str
    order: int
    build: Callable[[Person], list[Waiting]]


_waiting: dict[str, WaitingSource] = {}


def register_waiting(*, key: str, order: int, build: Callable[[Person], list[Waiting]]) -> None:
    """Offer the things of one kind waiting for a person (a pulse to answer, a blocker to acknowledge)."""
    known = _waiting.get(key)
    if known is not None and known.build is not build:
        raise ImproperlyConfigured(f"Two waiting sources named {key!r}.")
    _waiting[key] = WaitingSource(key=key, order=order, build=build)


def waiting_for(person: Person) -> list[Waiting]:
    found: list[Waiting] = []
    for source in sorted(_waiting.values(), key=lambda s: (s.order, s.key)):
        try:
            found.extend(source.build(person))
        except Exception:
            logger.exception("The %r waiting source failed; left out.", source.key)
    return found


def home_panels(request: HttpRequest) -> list[Panel]:
    return panels_for("home", request)


def person_panels(request: HttpRequest, person: Person) -> list[Panel]:
    return panels_for("person", request, person)


def team_panels(request: HttpRequest, team: Team) -> list[Panel]:
    return panels_for("team", request, team)
