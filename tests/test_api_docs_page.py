"""The API reference page: usable on a phone and with a way back to the app (issue #13)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_docs_fit_a_phone_and_lead_back_to_the_app(as_member):
    response = as_member.get("/api/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<html lang="en">' in html
    assert '<a class="docs-back" href="/">Back to the app</a>' in html
    # Swagger UI still starts from the files django-ninja serves, with our settings.
    assert 'id="swagger-settings"' in html and "ninja/swagger-ui-init.js" in html and "validatorUrl" in html
