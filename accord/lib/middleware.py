"""Response rules that hold for every page, export and API answer (static files are served before these run).

- No copy of an answer to a signed-in person is kept by a browser, a shared proxy or a CDN: those answers
  carry people's names, pulse results and API tokens, and the back button after signing out, or the
  next user of a shared machine, must not bring them back.
- TRACE and OPTIONS are refused. Nothing here needs them (there is no cross-origin API, so no CORS
  preflight), and a page that answered them as if they were GET would be a second, untested way in.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import Resolver404, resolve
from ninja.operation import PathView

NO_STORE = "private, no-store"
REFUSED_METHODS = {"OPTIONS", "TRACE"}
# A function view with no method decorator reads GET and, for its form, POST.
PLAIN_VIEW_METHODS = ["GET", "HEAD", "POST"]


def _signed_in(request: HttpRequest) -> bool:
    # request.person is set by OrgMiddleware for a session and by the API's token check; a user with no
    # membership left still has a session, and a bearer token that failed still names someone's data.
    if getattr(request, "person", None) is not None or "Authorization" in request.headers:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in person, whatever the view set.

    Signed-out answers (sign-in, password reset, invitation forms: each carries a CSRF or one-time token)
    get it too unless their view chose its own, as the token-in-URL calendar feed does for calendar apps.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _signed_in(request) or not response.has_header("Cache-Control"):
            response["Cache-Control"] = NO_STORE
        return response


def _closure(fn: Callable[..., Any]) -> Mapping[str, Any]:
    return inspect.getclosurevars(fn).nonlocals if getattr(fn, "__closure__", None) else {}


def _with_head(methods: list[str]) -> list[str]:
    # Django answers HEAD wherever it answers GET.
    return methods + ["HEAD"] if "GET" in methods and "HEAD" not in methods else methods


def accepted_methods(view: Callable[..., Any]) -> list[str] | None:
    """The methods a view answers, for the Allow header; None for an API path, which answers for itself."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        names = [m.upper() for m in view_class.http_method_names if hasattr(view_class, m) and m != "options"]
        return _with_head(names)
    fn: Callable[..., Any] | None = view
    while fn is not None:
        nonlocals = _closure(fn)
        if isinstance(nonlocals.get("self"), PathView):
            return None
        # Django's require_http_methods (require_POST, require_GET, require_safe) keeps its list here.
        methods = nonlocals.get("request_method_list")
        if methods:
            return _with_head(list(methods))
        fn = getattr(fn, "__wrapped__", None)
    return PLAIN_VIEW_METHODS


class RefuseTraceOptionsMiddleware:
    """405, with the methods the page does answer, for TRACE and OPTIONS on any path that exists.

    API paths reach django-ninja, which answers the same 405 with each path's own methods.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in REFUSED_METHODS:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            allowed = accepted_methods(match.func)
            if allowed is not None:
                return HttpResponseNotAllowed(allowed, content=b"Method not allowed")
        return self.get_response(request)
