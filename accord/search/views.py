from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accord.orgs.access import OrgRequest, member_required

from .queries import MIN_LENGTH, search


@member_required
def search_page(request: OrgRequest) -> HttpResponse:
    """The top bar's search. As you type, htmx asks for the short list alone; without JavaScript (or on
    pressing Enter) the same address answers a page of results."""
    found = search(request.person, request.GET.get("q"))
    context = {"found": found, "min_length": MIN_LENGTH}
    if request.htmx:
        if not found.q:  # the box was cleared: nothing to show under it
            return HttpResponse("")
        return render(request, "search/_results.html", context)
    return render(request, "search/search.html", context)
