from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task


@task()
def housekeep_org(org_id: int) -> dict[str, int]:
    """Forget what is no longer needed: long-expired invitations and old sign-in failures."""
    from accord.accounts.models import Invitation, LoginFailure

    now = timezone.now()
    invitations, _ = Invitation.objects.filter(
        org_id=org_id, expires_at__lt=now - dt.timedelta(days=30)
    ).delete()
    # Sign-in failures are not tenant data (they come before sign-in); any org's run may sweep them.
    failures, _ = LoginFailure.objects.filter(
        at__lt=now - dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    ).delete()
    return {"invitations": invitations, "login_failures": failures}
