"""The real queue: tasks land in the database and the db_worker command runs them."""

import pytest
from django.core.management import call_command

from accord.lib.mail import send_email


@pytest.mark.django_db(transaction=True)
def test_enqueued_email_waits_in_the_database_until_the_worker_sends_it(settings, smtp):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    send_email.enqueue(to=["kim@example.com"], subject="Hello", body="From the queue")
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert smtp.messages == []

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    assert [(m["To"], m["Subject"], m.get_content().strip()) for m in smtp.messages] == [
        ("kim@example.com", "Hello", "From the queue")
    ]
