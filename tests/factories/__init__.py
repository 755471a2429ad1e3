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


def failed_mail_row(org, *, to="gone@example.com", subject="Hello", reason="Connection refused"):
    """A send_email task that gave up, as django-tasks-db records it after the last attempt."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    kwargs = {
        "to": [to],
        "subject": subject,
        "body": "Hi\n",
        "org_id": org.pk,
        "attachments": None,
        "attempt": 5,
    }
    return DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": kwargs},
        task_path="accord.lib.mail.send_email",
        backend_name="default",
        run_after=timezone.now(),
        finished_at=timezone.now(),
        exception_class_path="builtins.ConnectionRefusedError",
        traceback=f"Traceback (most recent call last):\n  ...\nConnectionRefusedError: {reason}\n",
    )
