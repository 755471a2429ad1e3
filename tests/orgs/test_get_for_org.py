"""The one tenancy helper: a model or a queryset, and another organisation's row is a 404 either way."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from accord.orgs.access import get_for_org
from accord.orgs.models import Person, Team


def request_in(org):
    request = RequestFactory().get("/")
    request.org = org
    return request


def test_a_model_or_a_queryset_finds_the_orgs_own_row(org, team, member) -> None:
    assert get_for_org(request_in(org), Team, pk=team.pk) == team
    found = get_for_org(request_in(org), Person.objects.select_related("team"), pk=member.pk)
    assert (found, found.team) == (member, team)


def test_another_orgs_row_is_a_404_through_a_queryset_too(org, other_org, member, outsider) -> None:
    with pytest.raises(Http404):
        get_for_org(request_in(other_org), Person, pk=member.pk)
    with pytest.raises(Http404):
        get_for_org(request_in(org), Person.objects.all(), pk=outsider.pk)
    # The queryset's own filter still applies on top of the organisation's.
    member.is_active = False
    member.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        get_for_org(request_in(org), Person.objects.filter(is_active=True), pk=member.pk)
