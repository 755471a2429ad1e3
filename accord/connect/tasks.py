"""Thin background tasks for coffee chats: plain ids in, re-fetch, write the email, hand it to send_email."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accord.lib.mail import absolute, send_email


@task()
def send_coffee_intro(seat_id: int) -> None:
    from .models import CoffeeGroup, CoffeeGroupMember
    from .queries import intro_text, with_people

    seat = CoffeeGroupMember.objects.select_related("person").filter(pk=seat_id).first()
    if seat is None or not seat.person.is_active:
        return
    group = with_people(CoffeeGroup.objects.filter(pk=seat.group_id)).first()
    if group is None:
        return
    link = absolute(reverse("coffee_intro", args=[group.pk]))
    subject, body = intro_text(group, seat.person, timezone.now(), link)
    send_email.enqueue(to=[seat.person.email], org_id=seat.person.org_id, subject=subject, body=body)
