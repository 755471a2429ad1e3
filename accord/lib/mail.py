"""Outgoing email. Pages never talk to SMTP: they enqueue a task and the worker sends it.

Each message is its own `send_email` task, so a delivery that fails is retried on its own, without
running again the task that wrote it. A failure that may pass (no server listening, a 4xx answer) is
tried again later, with growing gaps; one that will not (a 5xx refusal, a header that cannot be
sent) or the last attempt ends the task FAILED. django-tasks-db keeps that row with the error, and
the organisation's admins see it on the failed-mail page (`failed_mail`), where they can send it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .text import one_line

logger = logging.getLogger(__name__)

# The gap before each further attempt; one more attempt than gaps, so a message is tried 5 times over
# about 3 hours before it is shown as failed.
RETRY_GAPS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_GAPS) + 1
TASK_PATH = "accord.lib.mail.send_email"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def will_pass(exc: BaseException) -> bool:
    """Whether trying the same message again later can succeed: connection trouble and 4xx answers
    can; a 5xx answer (recipient or sender refused, message rejected) or a malformed message cannot."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500
    return isinstance(exc, OSError)  # refused or dropped connections, timeouts, SMTPServerDisconnected


@task()
def send_email(
    to: list[str],
    subject: str,
    body: str,
    org_id: int | None = None,
    attachments: list[list[str]] | None = None,
    attempt: int = 1,
) -> int:
    """Send one plain-text message, with optional (filename, text, mimetype) attachments. `org_id` says
    whose admins see it if it fails; `attempt` counts deliveries tried so far, this one included."""
    # Headers must be one line; names stored before text was checked may still hold a CR/LF.
    message = EmailMessage(
        subject=one_line(subject), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    try:
        return message.send()
    except Exception as exc:
        if attempt >= MAX_ATTEMPTS or not will_pass(exc) or not send_email.get_backend().supports_defer:
            raise
        retry_at = timezone.now() + RETRY_GAPS[attempt - 1]
        send_email.using(run_after=retry_at).enqueue(
            to=to, subject=subject, body=body, org_id=org_id, attachments=attachments, attempt=attempt + 1
        )
        logger.warning("Mail to %s failed (%r); attempt %d at %s", to, exc, attempt + 1, retry_at)
        return 0


# --- failed messages, for an organisation's admins ------------------------------------------------


@dataclass(frozen=True)
class FailedMail:
    id: uuid.UUID
    to: list[str]
    subject: str
    reason: str
    attempts: int
    failed_at: dt.datetime | None


def _failed_rows(org_id: int) -> Any:
    from django_tasks_db.models import DBTaskResult

    # The org id lives in the task's kwargs; a JSON lookup works on SQLite and PostgreSQL alike.
    return DBTaskResult.objects.failed().filter(task_path=TASK_PATH, args_kwargs__kwargs__org_id=org_id)


def _reason(traceback: str, exception_class_path: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else exception_class_path


def failed_mail(org_id: int, *, limit: int = 200) -> list[FailedMail]:
    """The organisation's messages that could not be delivered, newest first."""
    rows = _failed_rows(org_id).order_by("-finished_at")[:limit]
    found = []
    for row in rows:
        kwargs = row.args_kwargs.get("kwargs", {})
        found.append(
            FailedMail(
                id=row.id,
                to=list(kwargs.get("to", [])),
                subject=one_line(str(kwargs.get("subject", ""))),
                reason=_reason(row.traceback, row.exception_class_path),
                attempts=int(kwargs.get("attempt", 1)),
                failed_at=row.finished_at,
            )
        )
    return found


def retry_failed_mail(org_id: int, mail_id: uuid.UUID) -> bool:
    """Send a failed message again, from a first attempt; False if the organisation has no such message.
    The failed row goes, so the message is listed once: in the queue, or failed again."""
    with transaction.atomic():
        row = _failed_rows(org_id).select_for_update().filter(pk=mail_id).first()
        if row is None:
            return False
        kwargs = {**row.args_kwargs.get("kwargs", {}), "attempt": 1}
        row.delete()
        send_email.enqueue(**kwargs)
    return True
