"""Outgoing email. Pages never talk to SMTP: they enqueue a task and the worker sends it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@task()
def send_email(to: list[str], subject: str, body: str) -> int:
    """Send one plain-text message; the worker retries nothing, so a failure is logged in the task result."""
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to).send()
