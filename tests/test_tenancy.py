"""The tenancy invariant that lets Accord's tables be sharded by organisation (docs/scaling.md).

Every table of ours belongs to one organisation through an `org` foreign key, except the few listed in
GLOBAL_MODELS; and each unique rule either includes `org` or is listed in UNIQUE_WITHOUT_ORG with the
reason it can stay as it is (or what would change under Citus). A new model or constraint fails here
until someone decides which it is: that decision is cheap now and expensive after a migration to
distributed tables.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from accord.orgs.models import Organisation

# Tables with no organisation: they are looked up before anyone knows which organisation a request is
# for, or they belong to the install. Under Citus they would be reference tables (copied to every node)
# or stay on the coordinator.
GLOBAL_MODELS = {
    "accounts.User": "one sign-in across organisations; Person links it to each",
    "accounts.Throttle": "sign-in throttle, keyed by address and email before any organisation is known",
    "orgs.Organisation": "the tenant itself: the distribution key's own table",
    "operations.Heartbeat": "the scheduler's and worker's liveness, per install",
    "delivery.SentMessage": "idempotency keys of sent mail, per install",
    "delivery.Chore": "housekeeping claim rows, per install",
}

# Unique rules without `org`, as "<app.Model>: <fields>". Each is unique inside an organisation already,
# because its first column points at a row of one organisation (a round, a program, a kudos...); a
# distributed table needs `org` added to the rule, which changes no answer. The global ones cannot
# take `org`: they are found before the organisation is known.
UNIQUE_WITHOUT_ORG = {
    # Found by their hash from a bearer token or a calendar link, before the organisation is known: under
    # Citus, a lookup table of hash -> org on the coordinator, or a reference table.
    "accounts.ApiToken: token_hash",
    "meetings.CalendarFeed: token_hash",
    # Found by the UID a calendar app sends back; a random UUID, unique in practice everywhere.
    "meetings.OneOnOneSeries: uid",
    # Scoped by a parent that belongs to one organisation: add `org` to the rule before distributing.
    "pulse.ProgramQuestion: program, question",
    "pulse.Round: program, number",
    "pulse.RoundQuestion: round, question",
    "pulse.Participation: round, person",
    "pulse.RoundTally: round",
    "pulse.PublishedRound: round",
    "pulse.PublishedRow: round, team_id_snapshot",
    "pulse.PublishedGroup: round, key",
    "checkins.CheckinTemplate: team",
    "checkins.CheckinSettings: person",
    "checkins.Blocker: checkin",
    "kudos.KudosRecipient: kudos, person",
    "kudos.Reaction: kudos, person, kind",
    "kudos.KudosPreferences: person",
    "rhythm.Charter: team",
    "handoffs.Shift: chain, position",
    "handoffs.ShiftMember: shift, person",
    "handoffs.Handoff: chain, from_shift, shift_day",
}


def our_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("accord.")]


def unique_rules(model: type[models.Model]) -> list[tuple[str, ...]]:
    rules: list[tuple[str, ...]] = [
        (f.name,) for f in model._meta.local_fields if f.unique and not f.primary_key
    ]
    rules += [tuple(fields) for fields in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert constraint.fields, (
                f"{model._meta.label}: {constraint.name} is on expressions; list its columns"
            )
            rules.append(tuple(constraint.fields))
    return rules


def test_every_table_but_the_global_ones_has_an_org_foreign_key() -> None:
    missing, labels = [], set()
    for model in our_models():
        labels.add(model._meta.label)
        if model._meta.label in GLOBAL_MODELS:
            continue
        try:
            org = model._meta.get_field("org")
        except Exception:  # noqa: BLE001 - FieldDoesNotExist, named below
            missing.append(model._meta.label)
            continue
        assert org.is_relation and org.related_model is Organisation, f"{model._meta.label}.org"
        assert not org.null, f"{model._meta.label}.org may be empty: a row of no organisation"
    assert missing == [], f"tables without `org` (add it, or list them in GLOBAL_MODELS with why): {missing}"
    assert set(GLOBAL_MODELS) <= labels, (
        f"GLOBAL_MODELS names tables that are gone: {set(GLOBAL_MODELS) - labels}"
    )


def test_unique_rules_without_org_are_the_decided_ones() -> None:
    found = {
        f"{model._meta.label}: {', '.join(rule)}"
        for model in our_models()
        if model._meta.label not in GLOBAL_MODELS  # not distributed: their rules stay as they are
        for rule in unique_rules(model)
        if "org" not in rule
    }
    assert found - UNIQUE_WITHOUT_ORG == set(), (
        "new unique rules without `org`: include it, or decide and list"
    )
    assert UNIQUE_WITHOUT_ORG - found == set(), "listed rules that now include `org` or are gone: unlist them"
