"""A test client that sends JSON with a personal API token, shared by every app's API tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from accord.accounts.actions import create_api_token


def encode(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body)


class Api:
    def __init__(self, person: Any) -> None:
        self.client = Client()
        _, raw = create_api_token(person, name="tests")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, url: str, **params: Any):
        return self.client.get(url, params, **self.headers)

    def post(self, url: str, body: Any = None):
        """POST `body` as JSON; without a body, an empty object."""
        body = {} if body is None else body
        return self.client.post(url, encode(body), content_type="application/json", **self.headers)

    def patch(self, url: str, body: Any):
        return self.client.patch(url, encode(body), content_type="application/json", **self.headers)

    def put(self, url: str, body: Any):
        return self.client.put(url, encode(body), content_type="application/json", **self.headers)
