from __future__ import annotations

import datetime as dt

import factory

from accord.accounts.models import User
from accord.orgs.models import Organisation, Person, Role, Team

PASSWORD = "correct horse battery staple"


class OrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    org = factory.SubFactory(OrgFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    org = factory.SubFactory(OrgFactory)
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    title = "Engineer"
    role = Role.MEMBER
    timezone = "Europe/London"
    work_start = dt.time(9, 0)
    work_end = dt.time(17, 0)
    work_days = "12345"
    start_date = dt.date(2024, 1, 15)
