"""The one way views reach tenant data, and the role checks every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .models import Organisation, Person

M = TypeVar("M", bound=Model)


class OrgRequest(HttpRequest):
    """What OrgMiddleware and django-htmx add to every request; views behind member_required get both set."""

    org: Organisation
    person: Person
    htmx: Any


class InOrg(Protocol):
    """A request whose organisation is known: a page's OrgRequest or the API's ApiRequest."""

    @property
    def org(self) -> Organisation: ...


def get_for_org(request: InOrg, found: type[M] | QuerySet[M], **lookup: Any) -> M:
    """Fetch one object of the current organisation; anything else (another tenant's) is a 404. `found` is a
    model, or a queryset of one where the page needs its joins (`Item.objects.select_related("owner")`)."""
    rows = found if isinstance(found, QuerySet) else found._default_manager.all()
    return get_object_or_404(rows.filter(org=request.org), **lookup)


View = Callable[..., HttpResponse]


def member_required(view: View) -> View:
    """Signed in and a member of some organisation (request.person is set)."""

    @wraps(view)
    def wrapper(request: OrgRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.person is None:  # OrgMiddleware's answer for a user with no membership
            raise Http404("You are not a member of any organisation.")
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view: View) -> View:
    """Admins and owners. Others get a 404, not a 403, so the page does not reveal itself."""

    @wraps(view)
    @member_required
    def wrapper(request: OrgRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.person.is_admin:
            raise Http404("Only admins can open this page.")
        return view(request, *args, **kwargs)

    return wrapper


def of_org(org: Organisation | int, model: type[M]) -> QuerySet[M]:
    """Every row of `model` that belongs to the organisation: where a generic lookup by ids starts."""
    org_id = org if isinstance(org, int) else org.pk
    return model.objects.filter(org_id=org_id)  # type: ignore[attr-defined,no-any-return]


def first_or_404(rows: QuerySet[M], message: str) -> M:
    """The first row of an organisation-scoped queryset, else Http404: one answer for "does not exist"
    and "belongs to another organisation". The access_<thing> functions start here."""
    found = rows.first()
    if found is None:
        raise Http404(message)
    return found
