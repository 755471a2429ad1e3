"""Every GET page of Accord with real ids, for one person of the demo organisation.

The names come from the access matrices (tests/<app>/matrix.py, through tests/access.py),
which `test_every_page_is_in_the_matrix` keeps equal to the URL conf; the ids come from the demo data,
choosing where possible an object the viewer takes part in so that the page shows its full content.
Used by the header tests and by the browser test that watches for CSP violations.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Model, Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accord.orgs.models import Person
from tests.access import all_pages
from tests.test_access_matrix import SIGN_IN_PAGES


def view_apps(patterns=None) -> Iterator[tuple[str, str]]:
    """(URL name, app) for every named page outside the API: the app tells which model a kind means."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if not str(p.pattern).startswith("api/"):
                yield from view_apps(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, p.callback.__module__.split(".")[1]


def _first(queryset, preferred: Q) -> Model | None:
    return queryset.filter(preferred).order_by("-pk").first() or queryset.order_by("-pk").first()


def objects_for(viewer: Person) -> dict[tuple[str, str], object]:
    """(app, kind) -> an object of that kind in the viewer's organisation (or the raw token for the feed)."""
    from accord.connect.models import CoffeeGroup, CoffeeRound
    from accord.goals.models import Goal
    from accord.handoffs.models import Chain, Handoff
    from accord.kudos.models import CompanyValue
    from accord.meetings.actions import new_calendar_feed
    from accord.meetings.models import Meeting, OneOnOneSeries
    from accord.plans.models import Milestone, Plan
    from accord.pulse.models import Program, Round
    from accord.rhythm.models import RecurringMeeting

    org = viewer.org
    others = Person.objects.filter(org=org, is_active=True).exclude(pk=viewer.pk)
    colleague = _first(others, Q(team=viewer.team))
    chain = _first(Chain.objects.filter(org=org), Q(team=viewer.team))
    series = _first(OneOnOneSeries.objects.filter(org=org), Q(manager=viewer) | Q(report=viewer))
    found: dict[tuple[str, str], object] = {
        ("pulse", "round"): Round.objects.filter(org=org).order_by("-pk").first(),
        ("pulse", "program"): Program.objects.filter(org=org).order_by("-pk").first(),
        ("goals", "goal"): _first(Goal.objects.filter(org=org), Q(team=viewer.team) | Q(owner=viewer)),
        ("connect", "group"): _first(CoffeeGroup.objects.filter(org=org), Q(members__person=viewer)),
        ("connect", "round"): CoffeeRound.objects.filter(org=org).order_by("-pk").first(),
        ("handoffs", "chain"): chain,
        ("handoffs", "handoff"): _first(Handoff.objects.filter(org=org), Q(chain=chain)),
        ("kudos", "value"): CompanyValue.objects.filter(org=org).order_by("pk").first(),
        ("meetings", "series"): series,
        ("meetings", "meeting"): _first(Meeting.objects.filter(org=org), Q(series=series)),
        ("meetings", "token"): new_calendar_feed(viewer),
        ("rhythm", "meeting"): _first(RecurringMeeting.objects.filter(org=org), Q(attendees__person=viewer)),
        # The open plan first: its page shows every form. People not named on it get a 404 (test_layout
        # then checks the page as the next persona who may open it).
        ("plans", "plan"): _first(Plan.objects.filter(org=org), Q(closed_at__isnull=True)),
        ("plans", "milestone"): _first(Milestone.objects.filter(org=org), Q(plan__closed_at__isnull=True)),
    }
    for app in {app for _, app in view_apps()}:
        found[(app, "person")] = colleague
        found[(app, "team")] = viewer.team
    return found


def signed_in_pages(viewer: Person) -> list[tuple[str, str]]:
    """(URL name, path) of every GET page, with ids of objects in the viewer's organisation."""
    apps = dict(view_apps())
    objects = objects_for(viewer)
    pages = []
    for name, page in sorted(all_pages().items()):
        kind = page.kind
        if page.method != "get":
            continue
        if kind is None:
            args = []
        else:
            obj = objects[(apps[name], kind)]
            assert obj is not None, f"the demo has no {kind} for {name}"
            args = [obj if isinstance(obj, str) else obj.pk]
        pages.append((name, reverse(name, args=args)))
    return pages + [("api_docs", "/api/docs")]


def signed_out_pages() -> list[tuple[str, str]]:
    return [(name, reverse(name, args=args)) for name, (args, _) in sorted(SIGN_IN_PAGES.items())]
