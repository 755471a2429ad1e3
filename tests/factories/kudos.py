"""Kudos and company values."""

from __future__ import annotations

import factory

from accord.kudos.actions import give_kudos
from accord.kudos.models import CompanyValue

from . import OrgFactory


def thank(giver, *people, message="Thanks for the careful review.", **kw):
    """Kudos from `giver` to `people`, given through the action the page uses."""
    return give_kudos(giver, recipients=list(people), message=message, **kw)


class CompanyValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyValue

    org = factory.SubFactory(OrgFactory)
    name = factory.Sequence(lambda n: f"Value {n}")
