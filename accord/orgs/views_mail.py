"""The failed-mail page (admins and owners): messages for this organisation that could not be delivered
after their retries, with the reason, and a button to send one again. The rules live in accord.lib.mail."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.lib.mail import failed_mail, retry_failed_mail

from .access import OrgRequest, admin_required


@admin_required
def failed_mail_list(request: OrgRequest) -> HttpResponse:
    found = failed_mail(request.org.pk)
    return render(request, "orgs/failed_mail.html", {"failed": found})


@admin_required
@require_POST
def failed_mail_retry(request: OrgRequest, mail_id: uuid.UUID) -> HttpResponse:
    if not retry_failed_mail(request.org.pk, mail_id):
        raise Http404("No such failed message in this organisation.")
    messages.success(request, "The message is queued to be sent again.")
    return redirect("failed_mail")
