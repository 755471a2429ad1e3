"""A message the mail server does not take is retried with growing gaps, then kept as FAILED and shown to
its organisation's admins (and no one else), who can send it again. Real SMTP (aiosmtpd) and the real
database queue and worker."""

import datetime as dt
import socket

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accord.lib.mail import MAX_ATTEMPTS, send_email
from tests.conftest import login
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


def statuses():
    rows = DBTaskResult.objects.order_by("enqueued_at")
    return [(r.status, r.args_kwargs["kwargs"].get("attempt", 1)) for r in rows]


def shown(client, person):
    login(client, person)
    response = client.get("/people/mail/failed/")
    assert response.status_code == 200
    return [(m.to, m.subject, m.attempts, m.reason) for m in response.context["failed"]]


def test_a_refused_recipient_fails_at_once_and_is_shown_to_its_own_admins_only(
    queue, smtp, client, org, admin, outsider
):
    smtp.refuse.add("gone@acme.test")
    send_email.enqueue(to=["gone@acme.test"], subject="Welcome", body="Hi\n", org_id=org.pk)
    work()

    # A 550 will not change by waiting: no second attempt.
    assert statuses() == [("FAILED", 1)]
    reason = "smtplib.SMTPRecipientsRefused: {'gone@acme.test': (550, b'5.1.1 No such user here')}"
    assert shown(client, admin) == [(["gone@acme.test"], "Welcome", 1, reason)]

    # Another organisation's admin sees nothing and cannot send it again.
    outsider_admin = PersonFactory(org=outsider.org, role="admin")
    assert shown(client, outsider_admin) == []
    [row] = DBTaskResult.objects.all()
    assert client.post(f"/people/mail/failed/{row.pk}/retry/").status_code == 404
    assert statuses() == [("FAILED", 1)]

    # The address is fixed on the server's side; "retry now" sends it.
    smtp.refuse.clear()
    login(client, admin)
    assert client.post(f"/people/mail/failed/{row.pk}/retry/").status_code == 302
    work()
    assert statuses() == [("SUCCESSFUL", 1)]
    assert [(m["To"], m["Subject"]) for m in smtp.messages] == [("gone@acme.test", "Welcome")]
    assert shown(client, admin) == []


def test_members_and_managers_cannot_see_failed_mail(queue, smtp, client, org, member, manager):
    for person in (member, manager):
        login(client, person)
        assert client.get("/people/mail/failed/").status_code == 404


def test_with_no_server_listening_it_is_retried_then_shown_as_failed(queue, settings, client, org, admin):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"

    send_email.enqueue(to=["kim@acme.test"], subject="Your check-in", body="Hi\n", org_id=org.pk)
    work()
    assert statuses() == [("SUCCESSFUL", 1), ("READY", 2)]
    work()  # the second attempt waits for its time
    assert statuses() == [("SUCCESSFUL", 1), ("READY", 2)]
    assert shown(client, admin) == []

    start = timezone.now()
    for day in range(1, MAX_ATTEMPTS):
        with time_machine.travel(start + dt.timedelta(days=day), tick=False):
            work()
    assert statuses() == [*(("SUCCESSFUL", n) for n in range(1, MAX_ATTEMPTS)), ("FAILED", MAX_ATTEMPTS)]
    reason = "ConnectionRefusedError: [Errno 111] Connection refused"
    assert shown(client, admin) == [(["kim@acme.test"], "Your check-in", MAX_ATTEMPTS, reason)]


def test_a_subject_with_a_stored_line_break_is_sent_on_one_line(queue, smtp, org):
    send_email.enqueue(to=["kim@acme.test"], subject="1:1 with Ann\r\nBcc: all@acme.test", body="Hi\n")
    work()
    assert [(m["To"], m["Subject"], m["Bcc"]) for m in smtp.messages] == [
        ("kim@acme.test", "1:1 with Ann Bcc: all@acme.test", None)
    ]
