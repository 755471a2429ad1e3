"""Reads for accounts: who a sign-in, a reset link or a token list is about."""

from __future__ import annotations

from django.db.models import QuerySet

from accord.connect.models import CoffeeMember
from accord.orgs.models import Person

from .models import ApiToken, User


def tokens_of(person: Person) -> QuerySet[ApiToken]:
    """A person's own API tokens, newest first: nobody else's, not even an admin's view."""
    return ApiToken.objects.filter(org_id=person.org_id, person=person).order_by("-created_at", "-id")


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def active_user(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def has_reports(person: Person) -> bool:
    return Person.objects.filter(org_id=person.org_id, manager=person, is_active=True).exists()


def in_coffee(person: Person) -> bool:
    return CoffeeMember.objects.filter(org_id=person.org_id, person=person, active=True).exists()
