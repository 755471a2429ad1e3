"""Thin background tasks for plans: a notice id in, re-fetch, write the email, hand it to send_email."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from accord.lib.mail import absolute, send_email


@task()
def send_plan_notice(notice_id: int) -> None:
    from .models import PlanNotice

    notice = (
        PlanNotice.objects.select_related(
            "plan", "plan__person", "plan__manager", "plan__hr_contact", "recipient"
        )
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        return
    plan, person = notice.plan, notice.recipient
    open_ones = [m for m in plan.milestones.all() if m.outcome == "open"]
    why = {
        1: "You are told as the plan's manager or HR contact.",
        7: "It is a week past its end, so it comes to you as HR lead.",
        14: "It is two weeks past its end and still open, so it comes to you again as HR lead.",
    }.get(notice.stage, "")
    lines = [
        f"Hello {person.name},",
        "",
        f"The improvement plan “{plan.title}” for {plan.person.name} (manager: {plan.manager.name}) ended on "
        f"{notice.end_date:%A %-d %B %Y} and is still open. {why}",
        "",
        f"Milestones without an outcome ({len(open_ones)}):",
        *[f"  * {m.criterion} (due {m.due_date:%-d %b})" for m in open_ones],
        "",
        "A plan ends with an outcome for every milestone, or with an extension the person has acknowledged:",
        absolute(reverse("plan", args=[plan.pk])),
        "",
    ]
    subject = (
        f"Plan past its end date ({notice.stage} day{'s' if notice.stage != 1 else ''}): {plan.person.name}"
    )
    send_email.enqueue(to=[person.email], org_id=person.org_id, subject=subject, body="\n".join(lines))
