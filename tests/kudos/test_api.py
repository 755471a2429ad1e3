"""Kudos and values over the API: the same rules as the pages, 4xx with a message, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.kudos.models import CompanyValue, Kudos, Reaction
from tests.api_client import Api
from tests.factories import PersonFactory
from tests.factories.kudos import thank

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(org, team):
    return PersonFactory(org=org, team=team, name="Cleo Colleague", email="cleo@acme.test")


@pytest.fixture
def value(org):
    return CompanyValue.objects.create(org=org, name="Own the outcome")


def test_give_and_list_kudos(member, colleague, manager, value):
    api = Api(member)
    response = api.post(
        "/api/kudos",
        {
            "recipient_ids": [manager.pk, colleague.pk],
            "message": " Thanks for the demo. ",
            "value_id": value.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("message", "public", "share_with_manager", "value_name", "visible_to")} == {
        "message": "Thanks for the demo.",
        "public": True,
        "share_with_manager": False,
        "value_name": "Own the outcome",
        "visible_to": "Everyone in the organisation",
    }
    assert [r["name"] for r in body["recipients"]] == ["Cleo Colleague", "Maya Manager"]
    assert [(r["kind"], r["count"], r["mine"]) for r in body["reactions"]][:2] == [
        ("heart", 0, False),
        ("star", 0, False),
    ]
    listed = Api(colleague).get("/api/kudos").json()
    assert (listed["count"], [k["id"] for k in listed["items"]]) == (1, [body["id"]])


NOBODY = "Choose at least one person to thank."
SELF = "Kudos are for other people: take yourself off the list."
ELSEWHERE = "You can only thank people in your own organisation."
BLANK = "Write a few words about what they did."
NOT_OURS = "Choose one of your organisation's current values, or none."


@pytest.mark.parametrize(
    ("payload", "field", "detail"),
    [
        ({"recipient_ids": [], "message": "Hi"}, "recipient_ids", NOBODY),
        ({"recipient_ids": ["me"], "message": "Hi"}, "recipient_ids", SELF),
        ({"recipient_ids": ["outsider"], "message": "Hi"}, "recipient_ids", ELSEWHERE),
        ({"recipient_ids": ["colleague", "outsider"], "message": "Hi"}, "recipient_ids", ELSEWHERE),
        ({"recipient_ids": ["colleague"], "message": "  \n "}, "message", BLANK),
        ({"recipient_ids": ["colleague"], "message": "Hi", "value_id": "foreign"}, "value_id", NOT_OURS),
        ({"recipient_ids": ["colleague"], "message": "Hi", "value_id": "retired"}, "value_id", NOT_OURS),
    ],
)
def test_bad_kudos_are_400_with_the_field_and_save_nothing(
    member, colleague, outsider, other_org, payload, field, detail
):
    ids = {"me": member.pk, "colleague": colleague.pk, "outsider": outsider.pk}
    values = {
        "foreign": CompanyValue.objects.create(org=other_org, name="Theirs").pk,
        "retired": CompanyValue.objects.create(org=member.org, name="Old", active=False).pk,
    }
    payload = dict(payload, recipient_ids=[ids[i] for i in payload["recipient_ids"]])
    if "value_id" in payload:
        payload["value_id"] = values[payload["value_id"]]
    response = Api(member).post("/api/kudos", payload)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "errors": {field: [detail]}}
    assert not Kudos.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"message": "Hi"},
        {"recipient_ids": "3", "message": "Hi"},
        {"recipient_ids": [True], "message": "Hi"},
        {"recipient_ids": [1], "message": "x" * 1001},
        {"recipient_ids": [1], "message": "Hi\x00"},
        {"recipient_ids": [1], "message": "Hi", "public": "no"},
        {"recipient_ids": [1], "message": "Hi", "colour": "red"},
        "not an object",
    ],
)
def test_malformed_bodies_are_4xx_not_500(member, payload):
    assert Api(member).post("/api/kudos", payload).status_code in {400, 422}
    assert not Kudos.objects.exists()


def test_private_kudos_are_404_to_everyone_the_giver_did_not_choose(
    org, team, member, manager, colleague, admin
):
    shared = thank(colleague, member, message="Shared with Maya", public=False, share_with_manager=True)
    secret = thank(colleague, member, message="Only us", public=False)
    public = thank(colleague, member, message="Everyone")
    teammate = PersonFactory(org=org, team=team)
    expected = {
        member: ["Everyone", "Only us", "Shared with Maya"],
        colleague: ["Everyone", "Only us", "Shared with Maya"],
        manager: ["Everyone", "Shared with Maya"],
        admin: ["Everyone"],
        teammate: ["Everyone"],
    }
    for person, messages in expected.items():
        api = Api(person)
        listed = api.get("/api/kudos").json()
        assert sorted(k["message"] for k in listed["items"]) == messages, person.name
        assert listed["count"] == len(messages)
        for kudos in (shared, secret):
            status = api.get(f"/api/kudos/{kudos.pk}").status_code
            assert status == (200 if kudos.message in messages else 404)
            reacted = api.post(f"/api/kudos/{kudos.pk}/reactions", {"kind": "star"}).status_code
            assert reacted == (200 if kudos.message in messages else 404)
        assert api.get(f"/api/kudos/{public.pk}").status_code == 200
    assert Reaction.objects.filter(kudos=secret).count() == 2


def test_reactions_toggle_over_the_api(member, colleague):
    kudos = thank(colleague, member)
    api = Api(member)
    on = api.post(f"/api/kudos/{kudos.pk}/reactions", {"kind": "sun"}).json()
    assert [(r["kind"], r["count"], r["mine"]) for r in on["reactions"] if r["count"]] == [("sun", 1, True)]
    off = api.post(f"/api/kudos/{kudos.pk}/reactions", {"kind": "sun"}).json()
    assert [r for r in off["reactions"] if r["count"]] == []
    assert api.post(f"/api/kudos/{kudos.pk}/reactions", {"kind": "boo"}).status_code == 422


def test_another_organisations_kudos_team_and_person_are_404(member, outsider):
    theirs = thank(outsider, PersonFactory(org=outsider.org, team=outsider.team))
    api = Api(member)
    assert api.get(f"/api/kudos/{theirs.pk}").status_code == 404
    assert api.post(f"/api/kudos/{theirs.pk}/reactions", {"kind": "star"}).status_code == 404
    assert api.get("/api/kudos", team=outsider.team_id).status_code == 404
    assert api.get("/api/kudos", person=outsider.pk).status_code == 404


def test_filter_by_team_and_person(member, colleague, manager):
    thank(member, colleague, message="to Cleo")
    thank(colleague, manager, message="to Maya")
    api = Api(member)
    assert [k["message"] for k in api.get("/api/kudos", person=manager.pk).json()["items"]] == ["to Maya"]
    assert api.get("/api/kudos", team=member.team_id).json()["count"] == 2


def test_values_admins_write_everyone_reads(member, admin, other_org):
    theirs = CompanyValue.objects.create(org=other_org, name="Theirs")
    api = Api(admin)
    created = api.post("/api/values", {"name": " Customers first ", "description": "Their success is ours."})
    assert (created.status_code, created.json()["name"]) == (201, "Customers first")
    pk = created.json()["id"]
    assert api.post("/api/values", {"name": "customers FIRST"}).json() == {
        "detail": "There is already a value called “customers FIRST”.",
        "errors": {"name": ["There is already a value called “customers FIRST”."]},
    }
    assert api.post("/api/values", {"name": "  "}).status_code == 400
    patched = api.patch(f"/api/values/{pk}", {"active": False})
    assert (patched.json()["name"], patched.json()["active"]) == ("Customers first", False)
    assert api.patch(f"/api/values/{theirs.pk}", {"active": False}).status_code == 404
    assert api.patch(f"/api/values/{pk}", {"name": None}).status_code == 422
    assert api.patch(f"/api/values/{pk}", {"name": ""}).status_code == 400
    reader = Api(member)
    assert reader.get("/api/values").json() == [
        {"id": pk, "name": "Customers first", "description": "Their success is ours.", "active": False}
    ]
    assert reader.post("/api/values", {"name": "Mine"}).status_code == 403
    assert reader.patch(f"/api/values/{pk}", {"active": True}).json() == {
        "detail": "Only admins and owners can do this."
    }
    assert CompanyValue.objects.filter(org=member.org).count() == 1


def test_the_openapi_schema_lists_the_kudos_paths(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/kudos",
        "/api/kudos/{kudos_id}",
        "/api/kudos/{kudos_id}/reactions",
        "/api/values",
        "/api/values/{value_id}",
    } <= set(paths)
    assert set(paths["/api/kudos"]) == {"get", "post"}


def test_signed_out_is_401(client, db):
    assert client.get("/api/kudos").status_code == 401


# Ids and numbers at the edges (0, negative, past 64 bits), odd text (blank, NUL, very long) and wrong types.
ids = (
    st.integers(-(2**70), 2**70) | st.sampled_from([0, 1, 2**63 - 1, 2**63]) | st.text(max_size=5) | st.none()
)
texts = st.text(max_size=20) | st.sampled_from(["", "  ", "a\x00b", "x" * 3000]) | st.integers() | st.none()
kudos_bodies = st.fixed_dictionaries(
    {},
    optional={
        "recipient_ids": st.lists(ids, max_size=4) | ids,
        "message": texts,
        "value_id": ids,
        "public": st.booleans() | texts,
        "share_with_manager": st.booleans() | texts,
    },
)
value_bodies = st.fixed_dictionaries(
    {}, optional={"name": texts, "description": texts, "active": st.booleans() | texts}
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=kudos_bodies, value=value_bodies, kind=texts)
def test_random_bodies_never_500_and_save_nothing_foreign(member, colleague, admin, body, value, kind):
    """Any body is a 4xx with a message or a kudos in the caller's organisation: never a 500."""
    if body.get("recipient_ids") == [1]:
        body["recipient_ids"] = [colleague.pk]  # now and then a valid one, so the rest gets checked too
    api, admin_api = Api(member), Api(admin)
    existing = thank(colleague, member)
    responses = [
        api.post("/api/kudos", body),
        api.post(f"/api/kudos/{existing.pk}/reactions", {"kind": kind}),
        admin_api.post("/api/values", value),
        admin_api.patch(
            f"/api/values/{CompanyValue.objects.get_or_create(org=member.org, name='Base')[0].pk}", value
        ),
    ]
    for response in responses:
        assert response.status_code < 500, (body, value, kind, response.content)
        if response.status_code >= 400:
            assert response.json()["detail"]
    assert not Kudos.objects.exclude(org=member.org).exists()
