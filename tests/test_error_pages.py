"""404, 403, 500 and the CSRF failure page: Accord's layout, a way back, and the reason unless the
reason would tell one organisation about another's data."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from accord.urls import urlpatterns as accord_urls
from tests.conftest import login


def boom(request):
    raise RuntimeError("a bug")


def refuse(request):
    raise PermissionDenied("Only the team's managers and admins change its check-ins.")


# The real URL conf plus two views that fail on purpose; the handlers are the real ones.
urlpatterns = [*accord_urls, path("test-boom/", boom), path("test-refuse/", refuse)]
handler404 = "accord.lib.errors.page_not_found"
handler403 = "accord.lib.errors.permission_denied"

pytestmark = pytest.mark.django_db


def laid_out(html: str) -> bool:
    return 'class="topbar"' in html and "accord/accord.css" in html and '<main id="main"' in html


def test_a_member_following_a_link_to_an_admin_page_gets_a_page_with_navigation(as_member):
    response = as_member.get("/teams/new/")
    html = response.content.decode()
    assert response.status_code == 404
    assert laid_out(html) and '<nav class="nav"' in html
    assert "Only admins can open this page." in html
    assert 'href="/"' in html and "Go to your home page" in html


def test_an_unknown_address_says_so_without_a_reason(as_member):
    response = as_member.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and laid_out(html)
    assert "This page is not here" in html and "Resolver404" not in html and "tried" not in html


def test_another_organisations_object_gives_the_same_page_as_a_missing_one(as_member, outsider):
    def page(url: str) -> str:  # the form's CSRF token is masked afresh on every page
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", as_member.get(url).content.decode())

    other, missing = page(f"/teams/{outsider.team.pk}/"), page("/teams/999999/")
    assert other == missing
    assert "matches the given query" not in other and outsider.team.name not in other


def test_signed_out_visitors_get_the_layout_and_a_sign_in_link(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and laid_out(html)
    assert 'href="/accounts/login/"' in html and '<nav class="nav"' not in html


@pytest.mark.urls("tests.test_error_pages")
def test_a_refusal_shows_its_reason_in_the_layout(as_member):
    response = as_member.get("/test-refuse/")
    html = response.content.decode()
    assert response.status_code == 403 and laid_out(html)
    assert "Only the team&#x27;s managers and admins change its check-ins." in html
    assert "Go to your home page" in html


@pytest.mark.urls("tests.test_error_pages")
def test_a_server_error_renders_the_layout_with_debug_off(settings, member):
    settings.DEBUG = False
    client = login(Client(raise_request_exception=False), member)
    response = client.get("/test-boom/")
    html = response.content.decode()
    assert response.status_code == 500 and laid_out(html)
    assert "Something went wrong on our side" in html and 'href="/"' in html
    assert "a bug" not in html and "Traceback" not in html


def test_a_form_sent_without_its_csrf_token_gets_a_page_the_policy_allows(member):
    client = login(Client(enforce_csrf_checks=True), member)
    response = client.post("/kudos/give/", {"message": "thanks"})
    html = response.content.decode()
    assert response.status_code == 403 and laid_out(html)
    assert "This form could not be sent" in html and "(CSRF cookie not set.)" in html
    assert "style=" not in html and "<style" not in html  # the CSP would refuse both
    assert "Nothing was saved" in html
