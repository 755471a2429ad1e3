"""Writes and the rules they keep: giving kudos, reacting, company values, celebration preferences.

Every rule is checked here, so the pages and the API refuse the same things with the same words.
A refusal is a ValidationError keyed by the field it is about (`recipients`, `message`, `value`, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.lib.tz import to_utc
from accord.orgs.models import Organisation, Person

from .models import (
    DIGEST_TIME,
    MESSAGE_MAX,
    VALUE_DESCRIPTION_MAX,
    VALUE_NAME_MAX,
    CelebrationSchedule,
    CompanyValue,
    Kudos,
    KudosPreferences,
    KudosRecipient,
    Reaction,
    ReactionKind,
)
from .queries import visible_kudos

PLAN_EVERY = dt.timedelta(hours=1)
HORIZON_DAYS = 15

NO_RECIPIENT = "Choose at least one person to thank."
NOT_YOURSELF = "Kudos are for other people: take yourself off the list."
OTHER_ORG = "You can only thank people in your own organisation."
EMPTY_MESSAGE = "Write a few words about what they did."
LONG_MESSAGE = f"Keep it under {MESSAGE_MAX} characters."
BAD_VALUE = "Choose one of your organisation's current values, or none."


def give_kudos(
    giver: Person,
    *,
    recipients: Iterable[Person],
    message: str,
    value: CompanyValue | None = None,
    public: bool = True,
    share_with_manager: bool = False,
    now: dt.datetime | None = None,
) -> Kudos:
    people = list({p.pk: p for p in recipients}.values())
    text = (message or "").strip()
    errors: dict[str, list[str]] = {}
    if not people:
        errors["recipients"] = [NO_RECIPIENT]
    elif any(p.org_id != giver.org_id or not p.is_active for p in people):
        errors["recipients"] = [OTHER_ORG]
    elif any(p.pk == giver.pk for p in people):
        errors["recipients"] = [NOT_YOURSELF]
    if not text:
        errors["message"] = [EMPTY_MESSAGE]
    elif len(text) > MESSAGE_MAX:
        errors["message"] = [LONG_MESSAGE]
    if value is not None and (value.org_id != giver.org_id or not value.active):
        errors["value"] = [BAD_VALUE]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    shared = not public and share_with_manager
    with transaction.atomic():
        kudos = Kudos.objects.create(
            org_id=giver.org_id,
            giver=giver,
            message=text,
            value=value,
            public=public,
            share_with_manager=shared,
            created_at=now,
        )
        KudosRecipient.objects.bulk_create(
            KudosRecipient(
                org_id=giver.org_id,
                kudos=kudos,
                person=p,
                team_id=p.team_id,
                manager_id=p.manager_id if shared else None,
                created_at=now,
            )
            for p in sorted(people, key=lambda p: p.name)
        )
    return kudos


def toggle_reaction(kudos: Kudos, person: Person, kind: str) -> bool:
    """Add the person's reaction of this kind, or take it back if they had it. True means it is on now.
    Whoever may read the kudos may react to it."""
    if not visible_kudos(person).filter(pk=kudos.pk).exists():
        raise PermissionDenied("You can react only to kudos you can read.")
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(ReactionKind.values)}."]})
    removed, _ = Reaction.objects.filter(kudos=kudos, person=person, kind=kind).delete()
    if removed:
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(org_id=kudos.org_id, kudos=kudos, person=person, kind=kind)
    except IntegrityError:
        pass  # a double click raced us to it: it is on either way
    return True


# --- company values ----------------------------------------------------------------------------


def save_value(value: CompanyValue, *, name: str, description: str = "", active: bool = True) -> CompanyValue:
    name, description = (name or "").strip(), (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the value a name."]
    elif len(name) > VALUE_NAME_MAX:
        errors["name"] = [f"Keep the name under {VALUE_NAME_MAX} characters."]
    elif CompanyValue.objects.filter(org_id=value.org_id, name__iexact=name).exclude(pk=value.pk).exists():
        errors["name"] = [f"There is already a value called “{name}”."]
    if len(description) > VALUE_DESCRIPTION_MAX:
        errors["description"] = [f"Keep the description under {VALUE_DESCRIPTION_MAX} characters."]
    if errors:
        raise ValidationError(errors)
    value.name, value.description, value.active = name, description, active
    value.save()
    return value


# --- celebrations: preferences and the digest's clock -------------------------------------------


def preferences_for(person: Person) -> KudosPreferences:
    found, _ = KudosPreferences.objects.get_or_create(person=person, defaults={"org_id": person.org_id})
    return found


def ensure_schedule(org: Organisation, now: dt.datetime | None = None) -> CelebrationSchedule:
    """The organisation's planner row; the scheduler plans digests only for organisations that have one."""
    found, _ = CelebrationSchedule.objects.get_or_create(
        org=org, defaults={"next_plan_at": now or timezone.now()}
    )
    return found


def schedule_new_organisation(sender: object, organisation: Organisation, **kwargs: object) -> None:
    """Receiver of `organisation_created`: the planner row, so the scheduler serves it from day one."""
    ensure_schedule(organisation)


def next_digest_time(person: Person, now: dt.datetime) -> dt.datetime | None:
    """09:00 on the person's next working day, in their own zone (DST resolved by lib/tz)."""
    today = now.astimezone(person.zone).date()
    for offset in range(HORIZON_DAYS):
        day = today + dt.timedelta(days=offset)
        if str(day.isoweekday()) in person.work_days:
            at = to_utc(day, DIGEST_TIME, person.zone)
            if at > now:
                return at
    return None


def set_preferences(
    person: Person,
    *,
    celebrate_anniversary: bool,
    celebrate_birthday: bool,
    digest: bool,
    now: dt.datetime | None = None,
) -> KudosPreferences:
    now = now or timezone.now()
    found = preferences_for(person)
    found.celebrate_anniversary = celebrate_anniversary
    found.celebrate_birthday = celebrate_birthday
    if digest and found.next_digest_at is None:
        found.next_digest_at = next_digest_time(person, now)
        found.last_digest_at = found.last_digest_at or now
    found.digest = digest
    if not digest:
        found.next_digest_at = None
    found.save()
    return found


def plan_celebrations(org_id: int, now: dt.datetime) -> int:
    """Give every active person preferences, and a digest time to those who want one and have none.
    A few statements for the whole organisation; returns how many digest times were set."""
    people = {p.pk: p for p in Person.objects.filter(org_id=org_id, is_active=True)}
    have = set(KudosPreferences.objects.filter(org_id=org_id).values_list("person_id", flat=True))
    KudosPreferences.objects.bulk_create(
        [KudosPreferences(org_id=org_id, person_id=pk) for pk in people if pk not in have],
        ignore_conflicts=True,
    )
    waiting = list(
        KudosPreferences.objects.filter(
            org_id=org_id, digest=True, next_digest_at__isnull=True, person_id__in=list(people)
        )
    )
    for found in waiting:
        found.next_digest_at = next_digest_time(people[found.person_id], now)
        # The first digest looks back one day, not over the whole past.
        found.last_digest_at = found.last_digest_at or now - dt.timedelta(days=1)
    KudosPreferences.objects.bulk_update(waiting, ["next_digest_at", "last_digest_at"])
    return len(waiting)
