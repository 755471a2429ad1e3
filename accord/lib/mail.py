"""Outgoing email. Pages never talk to SMTP: they enqueue a task and the worker sends it.

Each message is its own `send_email` task, so a delivery that fails is retried on its own, without
running again the task that wrote it. A failure that may pass (no server listening, a 4xx answer) is
tried again later, with growing gaps; one that will not (a 5xx refusal, a header that cannot be
sent) or the last attempt ends the task FAILED. django-tasks-db keeps that row with the error, and
the organisation's admins see it on the failed-mail page (`failed_mail`), where they can send it again.

A task may run more than once (a worker that dies mid-task has its task reclaimed, see
accord/delivery/worker.py), so every message has an idempotency key: the first run's task id, carried
to its retries. Its `SentMessage` row is marked sent in the same transaction that talks to the server
(`_send_once`), and a run that finds it marked sends nothing. One gap no key can close: a worker killed
after the server answered "250 OK" but before that transaction's commit (well under a millisecond on a
local database) sends it again on the next run; the message keeps its Message-ID (made from the key),
so mail clients show it once.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskContext, task

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


def retry_gap(attempt: int) -> dt.timedelta:
    """The wait after a failed attempt; MAIL_RETRY_SECONDS (bench/chaos.py) may shorten the gaps."""
    seconds = settings.MAIL_RETRY_SECONDS
    return dt.timedelta(seconds=seconds[attempt - 1]) if seconds else RETRY_GAPS[attempt - 1]


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


def message_id(key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "accord.invalid"
    return f"<{key}@{domain}>"


# On SQLite the send happens inside a write transaction (below); a server that stalls must not keep every
# other writer waiting for EMAIL_TIMEOUT, so inside it each socket operation gets at most this long.
LOCKED_SEND_TIMEOUT = 5.0


def _begin(key: str) -> bool:
    """Count the start of a send of this message; False if it has already gone."""
    from accord.delivery.models import SentMessage

    SentMessage.objects.get_or_create(key=key, defaults={"created_at": timezone.now()})
    return SentMessage.objects.filter(key=key, sent_at__isnull=True).update(starts=F("starts") + 1) == 1


def _send_once(key: str, message: EmailMessage) -> int:
    """Send the message and mark its key sent in one transaction.

    The mark is written first and the server is spoken to while the transaction holds it (PostgreSQL:
    the key's row lock; SQLite: the write lock), so two runs of one message never send together, and
    the mark commits right after the server's "250 OK". A run that dies in between, or a server that
    refuses the message, rolls the mark back and the message goes again on the next run."""
    from django.db import DatabaseError, connection

    from accord.delivery.models import SentMessage

    smtp = get_connection()
    smtp.open()  # connecting, TLS and sign-in happen before the transaction: they may be slow
    sent: int | None = None
    try:
        with transaction.atomic():
            mine = SentMessage.objects.filter(key=key, sent_at__isnull=True).update(sent_at=timezone.now())
            if not mine:
                return 0  # another run sent it meanwhile
            sock = getattr(getattr(smtp, "connection", None), "sock", None)
            if connection.vendor == "sqlite" and sock is not None:
                sock.settimeout(min(LOCKED_SEND_TIMEOUT, sock.gettimeout() or LOCKED_SEND_TIMEOUT))
            sent = smtp.send_messages([message]) or 0
    except DatabaseError:
        if sent is None:
            raise
        _mark_sent(key)  # the server has it and only the commit failed: record it on a new connection
    finally:
        smtp.close()
    return sent


def _mark_sent(key: str) -> None:
    """Record that the server took the message. The send cannot be undone, so a dropped database
    connection here (a restarted server) is retried on a new connection for a while: giving up would put
    the task back in the queue to send the message again."""
    from django.db import DatabaseError, connection

    from accord.delivery.models import SentMessage

    wait = 0.2
    deadline = time.monotonic() + settings.TASK_LEASE_SECONDS / 2
    while True:
        try:
            SentMessage.objects.filter(key=key).update(sent_at=timezone.now())
            return
        except DatabaseError as exc:
            if connection.in_atomic_block or time.monotonic() > deadline:
                raise
            logger.warning("Recording message %s as sent failed (%s); trying again", key, exc)
            connection.close()
            time.sleep(wait)
            wait = min(wait * 2, 5.0)


@task(takes_context=True)
def send_email(
    context: TaskContext,
    to: list[str],
    subject: str,
    body: str,
    org_id: int | None = None,
    attachments: list[list[str]] | None = None,
    attempt: int = 1,
    key: str = "",
) -> int:
    """Send one plain-text message, with optional (filename, text, mimetype) attachments. `org_id` says
    whose admins see it if it fails; `attempt` counts deliveries tried so far, this one included; `key`
    is the message's idempotency key (the first attempt's task id when not given)."""
    key = key or str(context.task_result.id)
    # Headers must be one line; names stored before text was checked may still hold a CR/LF.
    message = EmailMessage(
        subject=one_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={"Message-ID": message_id(key)},
    )
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    again: dict[str, Any] = {
        "to": to,
        "subject": subject,
        "body": body,
        "org_id": org_id,
        "attachments": attachments,
        "key": key,
    }
    if not _begin(key):
        return 0  # an earlier run sent it
    try:
        return _send_once(key, message)
    except Exception as exc:
        if attempt >= MAX_ATTEMPTS or not will_pass(exc) or not send_email.get_backend().supports_defer:
            raise
        retry_at = timezone.now() + retry_gap(attempt)
        send_email.using(run_after=retry_at).enqueue(**again, attempt=attempt + 1)
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
