"""Writes for organisations, teams and people, and the rules they must keep."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from accord.accounts.actions import expire_invitations
from accord.accounts.models import User

from .models import Organisation, Person, Role, Team
from .signals import organisation_created


def manager_cycle(person: Person, manager: Person | None) -> list[Person] | None:
    """The chain that would close into a loop if `person` reported to `manager`, else None."""
    chain = [person]
    seen = {person.pk} if person.pk else set()
    current = manager
    while current is not None:
        chain.append(current)
        if current.pk in seen or (person.pk is None and current is person):
            return chain
        seen.add(current.pk)
        current = current.manager
    return None


def check_person(person: Person) -> None:
    """Every rule a person must keep, as field errors, so forms, API and import report alike."""
    errors: dict[str, list[str]] = {}
    try:
        person.full_clean(exclude=["org", "user"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if person.manager is not None and person.manager.org_id != person.org_id:
        errors.setdefault("manager", []).append("The manager must belong to the same organisation.")
    elif person.manager is not None:
        cycle = manager_cycle(person, person.manager)
        if cycle:
            names = " → ".join(p.name for p in cycle)
            errors.setdefault("manager", []).append(f"That would make a reporting loop: {names}.")
    if person.team is not None and person.team.org_id != person.org_id:
        errors.setdefault("team", []).append("The team must belong to the same organisation.")
    if person.work_start and person.work_end:
        if person.work_end == person.work_start:
            errors.setdefault("work_end", []).append(
                "Working hours must end at a different time than they start."
            )
        elif person.work_end < person.work_start and not person.work_overnight:
            errors.setdefault("work_end", []).append(
                "Working hours end before they start — tick “Overnight” if this is a night shift."
            )
        elif person.work_end > person.work_start and person.work_overnight:
            errors.setdefault("work_overnight", []).append(
                "Overnight hours end the next day, so they must end before they start (e.g. 22:00–06:00)."
            )
    if (person.birthday_month is None) != (person.birthday_day is None):
        errors.setdefault("birthday_day", []).append("Give both month and day, or neither.")
    elif person.birthday_month:
        import datetime as dt

        try:
            dt.date(2000, person.birthday_month, person.birthday_day or 0)
        except ValueError:
            errors.setdefault("birthday_day", []).append("That day does not exist in that month.")
    email_taken = Person.objects.filter(org_id=person.org_id, email__iexact=person.email).exclude(
        pk=person.pk
    )
    if person.email and email_taken.exists():
        errors.setdefault("email", []).append("Someone in this organisation already has that email.")
    if person.user_id is not None and _stored_email(person) not in (None, person.email.strip().lower()):
        errors.setdefault("email", []).append(LINKED_EMAIL)
    if errors:
        raise ValidationError(errors)


# The address of someone who signs in belongs to their account, shared by every organisation they are in:
# an admin of one organisation changing it would redirect that account's invitations and resets.
LINKED_EMAIL = (
    "This person signs in with this address, so only they can change it (in their own settings, "
    "under Sign-in address)."
)


def _stored_email(person: Person) -> str | None:
    if person.pk is None:
        return None
    stored = Person.objects.filter(pk=person.pk).values_list("email", flat=True).first()
    return stored.lower() if stored is not None else None


def check_role_change(actor: Person | None, person: Person, new_role: str) -> None:
    """Owners are made and unmade only by owners, and an organisation always keeps one.

    `actor` is None for the command line, which runs with the machine owner's authority.
    """
    stored = Person.objects.filter(pk=person.pk).values_list("role", flat=True).first() if person.pk else None
    touches_owner = new_role == Role.OWNER or stored == Role.OWNER
    if stored == new_role or not touches_owner:
        return
    if actor is not None and actor.role != Role.OWNER:
        raise ValidationError(
            {"role": ["Only an owner can make someone an owner or change an owner's role."]}
        )
    if stored == Role.OWNER:
        others = Person.objects.filter(org_id=person.org_id, role=Role.OWNER, is_active=True).exclude(
            pk=person.pk
        )
        if not others.exists():
            raise ValidationError(
                {"role": ["The organisation needs at least one owner; make someone else owner first."]}
            )


def save_person(person: Person) -> Person:
    """The one write path for a person, whichever page, API call or command changes them."""
    person.email = person.email.strip().lower()
    check_person(person)
    previous = _stored_email(person)
    with transaction.atomic():
        person.save()
        if previous is not None and previous != person.email:
            # Invitations are bound to the address they were mailed to; the old address's links must die.
            expire_invitations([person.pk])
    return person


def create_organisation(name: str, *, owner: User, owner_name: str, timezone: str = "UTC") -> Organisation:
    base = slugify(name)[:50] or "org"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    with transaction.atomic():
        org = Organisation.objects.create(name=name, slug=slug)
        Person.objects.create(
            org=org, user=owner, email=owner.email, name=owner_name, role=Role.OWNER, timezone=timezone
        )
        # Other apps make what a new organisation needs (their schedulers' rows) through this hook.
        organisation_created.send(sender=Organisation, organisation=org)
    return org


def team_cycle(team: Team, parent: Team | None) -> bool:
    current = parent
    while current is not None:
        if team.pk is not None and current.pk == team.pk:
            return True
        current = current.parent
    return False


def check_team(team: Team) -> None:
    errors: dict[str, list[str]] = {}
    if not team.name.strip():
        errors["name"] = ["Give the team a name."]
    if "/" in team.name:
        errors.setdefault("name", []).append(
            "A team name cannot contain “/”: it separates levels in team paths."
        )
    if team.parent is not None and team.parent.org_id != team.org_id:
        errors.setdefault("parent", []).append("The parent team must belong to the same organisation.")
    elif team.parent is not None and team_cycle(team, team.parent):
        errors.setdefault("parent", []).append("A team cannot sit inside itself or one of its sub-teams.")
    clash = Team.objects.filter(org_id=team.org_id, parent_id=team.parent_id, name__iexact=team.name.strip())
    if team.name.strip() and clash.exclude(pk=team.pk).exists():
        errors.setdefault("name", []).append("There is already a team with that name at that level.")
    if errors:
        raise ValidationError(errors)


def save_team(team: Team) -> Team:
    team.name = team.name.strip()
    check_team(team)
    team.save()
    return team


def team_path(team: Team | None, by_id: dict[int, Team] | None = None) -> str:
    """'Support/Level 1': the team's names from the top, the form the CSV import uses."""
    names: list[str] = []
    while team is not None:
        names.append(team.name)
        parent_id = team.parent_id
        team = (by_id.get(parent_id) if by_id is not None else team.parent) if parent_id else None
    return "/".join(reversed(names))


def update_fields(obj: Any, data: dict[str, Any]) -> bool:
    """Set attributes that differ; True if anything changed (imports use this to stay idempotent)."""
    changed = False
    for key, value in data.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed
