from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def housekeep_org(org_id: int) -> dict[str, int]:
    """Forget what is no longer needed: long-expired invitations and spent sign-in/reset throttles."""
    from accord.accounts.models import Invitation
    from accord.accounts.throttle import forget_old

    now = timezone.now()
    invitations, _ = Invitation.objects.filter(
        org_id=org_id, expires_at__lt=now - dt.timedelta(days=30)
    ).delete()
    # Throttle rows are not tenant data (they come before sign-in); any org's run may sweep them.
    return {"invitations": invitations, "throttles": forget_old(now)}
