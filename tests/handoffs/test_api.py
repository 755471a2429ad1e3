"""The handoff API: chains, handoffs, acknowledging and items, tenant-scoped, 4xx with a message."""

from __future__ import annotations

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.handoffs.models import Handoff, Item
from tests.api_client import Api
from tests.factories import PersonFactory

from .conftest import utc

pytestmark = pytest.mark.django_db
AT = utc(2026, 1, 14, 13, 50)


def test_chains_and_a_handoff_round_trip(chain, shifts, crew):
    writer, receiver = Api(crew["Kraków"][0]), Api(crew["Bogotá"][1])
    [listed] = writer.get("/api/handoffs/chains").json()
    assert [s["name"] for s in listed["shifts"]] == ["Manila", "Kraków", "Bogotá"]
    assert writer.get(f"/api/handoffs/chains/{chain.pk}").json()["shifts"][1]["timezone"] == "Europe/Warsaw"
    body = {
        "from_shift_id": shifts["Kraków"].pk,
        "urgent": "Payments slow",
        "items": [{"title": "Refund", "owner_id": crew["Bogotá"][0].pk, "links": ["https://t.example/1"]}],
    }
    with time_machine.travel(AT, tick=False):
        created = writer.post(f"/api/handoffs/chains/{chain.pk}/handoffs", body)
        assert created.status_code == 201, created.content
        again = writer.post(f"/api/handoffs/chains/{chain.pk}/handoffs", body)
    assert again.status_code == 409 and "already written" in again.json()["detail"]
    data = created.json()
    assert (data["to_shift_id"], data["ack_due_at"]) == (shifts["Bogotá"].pk, "2026-01-14T14:20:00Z")
    assert [(i["title"], i["carried"]) for i in data["items"]] == [("Refund", 0)]
    assert len(receiver.get(f"/api/handoffs/chains/{chain.pk}/handoffs").json()) == 1
    with time_machine.travel(utc(2026, 1, 14, 14, 1), tick=False):
        acked = receiver.post(f"/api/handoffs/{data['id']}/acknowledge", {})
    assert acked.status_code == 200 and acked.json()["acknowledged_by_id"] == crew["Bogotá"][1].pk
    item = Item.objects.get()
    moved = receiver.patch(
        f"/api/handoffs/items/{item.pk}", {"owner_id": crew["Manila"][0].pk, "status": "waiting"}
    )
    assert (moved.status_code, moved.json()["owner_id"], moved.json()["status"]) == (
        200,
        crew["Manila"][0].pk,
        "waiting",
    )


def test_bad_input_is_a_4xx_with_a_message(chain, shifts, crew):
    writer = Api(crew["Kraków"][0])
    url = f"/api/handoffs/chains/{chain.pk}/handoffs"
    with time_machine.travel(AT, tick=False):
        no_owner = writer.post(url, {"from_shift_id": shifts["Kraków"].pk, "items": [{"title": "X"}]})
        assert no_owner.status_code == 400
        assert no_owner.json()["errors"]["items.0.owner"] == [
            "Every item needs exactly one owner: choose who has it now."
        ]
        assert writer.post(url, {"from_shift_id": shifts["Bogotá"].pk}).status_code == 403
        assert writer.post(url, {"from_shift_id": 999999}).status_code == 400
        assert writer.post(url, {"from_shift_id": True}).status_code == 422
        assert writer.post(url, "not json").status_code == 400
    assert Handoff.objects.count() == 0
    with time_machine.travel(AT, tick=False):
        created = writer.post(
            url,
            {
                "from_shift_id": shifts["Kraków"].pk,
                "items": [{"title": "X", "owner_id": crew["Bogotá"][0].pk}],
            },
        )
    item = Item.objects.get()
    nulled = writer.patch(f"/api/handoffs/items/{item.pk}", {"owner_id": None})
    assert nulled.status_code == 400 and nulled.json()["detail"] == "Every item needs exactly one owner."
    assert (
        Api(crew["Manila"][0]).post(f"/api/handoffs/{created.json()['id']}/acknowledge", {}).status_code
        == 403
    )
    stranger = Api(PersonFactory(org=chain.org))
    assert stranger.patch(f"/api/handoffs/items/{item.pk}", {"status": "closed"}).status_code == 403


def test_another_organisations_objects_are_404(chain, shifts, crew, outsider):
    with time_machine.travel(AT, tick=False):
        handoff = (
            Api(crew["Kraków"][0])
            .post(
                f"/api/handoffs/chains/{chain.pk}/handoffs",
                {
                    "from_shift_id": shifts["Kraków"].pk,
                    "items": [{"title": "X", "owner_id": crew["Bogotá"][0].pk}],
                },
            )
            .json()
        )
    them = Api(outsider)
    assert them.get("/api/handoffs/chains").json() == []
    for response in [
        them.get(f"/api/handoffs/chains/{chain.pk}"),
        them.get(f"/api/handoffs/chains/{chain.pk}/handoffs"),
        them.post(f"/api/handoffs/chains/{chain.pk}/handoffs", {"from_shift_id": shifts["Kraków"].pk}),
        them.get(f"/api/handoffs/{handoff['id']}"),
        them.post(f"/api/handoffs/{handoff['id']}/acknowledge", {}),
        them.patch(f"/api/handoffs/items/{Item.objects.get().pk}", {"status": "closed"}),
    ]:
        assert response.status_code == 404 and response.json() == {"detail": "Not found"}


def test_the_endpoints_are_in_the_schema(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/handoffs/chains",
        "/api/handoffs/chains/{chain_id}",
        "/api/handoffs/chains/{chain_id}/handoffs",
        "/api/handoffs/{handoff_id}",
        "/api/handoffs/{handoff_id}/acknowledge",
        "/api/handoffs/items/{item_id}",
    } <= set(paths)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=5,
)
plausible = st.sampled_from(
    ["", " ", "open", "closed", "https://x.example", "javascript:x", 0, 1, -1, 2**63, 1e308]
)
item_bodies = st.dictionaries(
    st.sampled_from(["item_id", "title", "owner_id", "status", "next_step", "links"]),
    json_values | plausible,
    max_size=5,
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "from_shift_id": json_values | plausible,
        "urgent": json_values | plausible,
        "items": st.lists(item_bodies, max_size=3) | json_values,
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, patch=item_bodies)
def test_random_bodies_never_500(chain, shifts, crew, body, patch):
    writer = Api(crew["Kraków"][0])
    if "from_shift_id" in body and body["from_shift_id"] == 1:
        body["from_shift_id"] = shifts["Kraków"].pk
    item = Item.objects.filter(chain=chain, closed_at__isnull=True).first() or Item.objects.create(
        org=chain.org, chain=chain, title="Base", owner=crew["Bogotá"][0]
    )
    with time_machine.travel(AT, tick=False):
        responses = [
            writer.post(f"/api/handoffs/chains/{chain.pk}/handoffs", body),
            writer.patch(f"/api/handoffs/items/{item.pk}", patch),
        ]
    Handoff.objects.all().delete()
    for response in responses:
        assert response.status_code < 500, (body, patch, response.content)
        if response.status_code >= 400:
            assert response.json()["detail"]
