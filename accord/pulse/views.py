"""Pulse pages people use: answering, My feedback, and the admin pages for programs, questions and k.

Results pages are elsewhere (/pulse/results/…). Nothing here reads answers: the answering page writes
through `submit_answers`, and My feedback reads the person's own threads through `my_threads`.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.lib.forms import show_refusal
from accord.orgs.access import OrgRequest, admin_required, get_for_org, member_required

from . import queries
from .answering import reply_as_author, submit_answers
from .bank import CONSTRUCTS, NPS11
from .forms import (
    NPS_HIGH,
    NPS_LOW,
    AnswerForm,
    ProgramForm,
    QuestionForm,
    SettingsForm,
    question_text,
)
from .models import Comment, Participation, Program, Question
from .programs import (
    AlreadyAnswered,
    PulseError,
    RoundClosed,
    add_question,
    ensure_bank,
    open_round,
    pulse_settings,
    save_program,
    set_min_group_size,
)


@member_required
def home(request: OrgRequest) -> HttpResponse:
    now = timezone.now()
    waiting = queries.open_participations(request.person).annotate(question_count=Count("round__questions"))
    open_now = [p for p in waiting if p.round.closes_at > now]
    # Said on this page too, so it agrees with the answer page instead of "Nothing to answer".
    answered = [p for p in queries.answered_open_participations(request.person) if p.round.closes_at > now]
    return render(
        request,
        "pulse/home.html",
        {"open_now": open_now, "answered": answered, "k": pulse_settings(request.org).min_group_size},
    )


def _round_questions(participation: Participation) -> list[Question]:
    return [rq.question for rq in queries.round_questions([participation.round_id])]


@member_required
def answer(request: OrgRequest, round_id: int) -> HttpResponse:
    # Only the person's own invitation opens the page: anyone not asked (or another org's round) is a 404.
    participation = get_for_org(request, Participation, round_id=round_id, person=request.person)
    rnd = participation.round
    now = timezone.now()
    form = AnswerForm(request.POST or None, questions=_round_questions(participation), org=request.org)
    refusal, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            submit_answers(
                participation, answers=form.answers(), comment=form.cleaned_data["comment"], now=now
            )
        except PulseError as exc:
            refusal = str(exc)
            if isinstance(exc, RoundClosed | AlreadyAnswered):
                status = 409  # the round closed or was already answered: nothing to fix in the form
        else:
            return redirect("pulse_thanks", round_id=rnd.pk)
    state = "open"
    if rnd.closed or now >= rnd.closes_at:
        state = "closed"
    elif participation.took_part:
        state = "answered"
    context = {
        "participation": participation,
        "round": rnd,
        "program": rnd.program,
        "form": form,
        "refusal": refusal,
        "state": state,
        "nps": NPS11,
        "nps_low": NPS_LOW,
        "nps_high": NPS_HIGH,
        "k": rnd.min_group_size,
    }
    return render(request, "pulse/answer.html", context, status=status)


@member_required
def thanks(request: OrgRequest, round_id: int) -> HttpResponse:
    participation = get_for_org(request, Participation, round_id=round_id, person=request.person)
    if not participation.took_part:
        return redirect("pulse_answer", round_id=round_id)
    return render(request, "pulse/thanks.html", {"round": participation.round})


@member_required
def feedback(request: OrgRequest) -> HttpResponse:
    return render(request, "pulse/feedback.html", {"threads": queries.my_threads(request.person)})


@member_required
@require_POST
def author_reply(request: OrgRequest, comment_id: uuid.UUID) -> HttpResponse:
    comment = get_for_org(request, Comment, pk=comment_id)
    try:
        reply_as_author(comment, request.person, request.POST.get("text", ""))
    except PulseError as exc:
        # Not their comment: answer exactly as if it did not exist.
        raise Http404("No such thread.") from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Reply sent. It shows as from the comment's author, never your name.")
    return redirect(reverse("pulse_feedback") + f"#thread-{comment.pk}")


# --- admin ------------------------------------------------------------------------------------


@admin_required
def programs(request: OrgRequest) -> HttpResponse:
    found = queries.programs_overview(request.org.pk)
    return render(request, "pulse/programs.html", {"programs": found})


@admin_required
def program_edit(request: OrgRequest, pk: int | None = None) -> HttpResponse:
    program = get_for_org(request, Program, pk=pk) if pk else Program(org=request.org)
    ensure_bank(request.org)
    form = ProgramForm(request.POST or None, instance=program, zone=request.person.zone)
    if request.method == "POST" and form.is_valid():
        start = form.cleaned_data["start"]
        if program.pk is not None:
            program.next_round_at = start  # save_program sets it itself only for a new program
        try:
            save_program(
                form.instance,
                questions=form.chosen_questions(),
                teams=list(form.cleaned_data["teams"]),
                start=start,
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Program “{program.name}” saved.")
            return redirect("pulse_programs")
    return render(request, "pulse/program_form.html", {"form": form, "program": program})


@admin_required
@require_POST
def program_open_now(request: OrgRequest, pk: int) -> HttpResponse:
    program = get_for_org(request, Program, pk=pk)
    if not program.active:
        messages.error(request, f"“{program.name}” is paused; make it active before opening a round.")
        return redirect("pulse_programs")
    try:
        rnd = open_round(program, timezone.now())
    except PulseError as exc:
        messages.error(request, str(exc))
    else:
        asked = rnd.participations.count()
        messages.success(
            request,
            f"Round {rnd.number} of “{program.name}” is open: {asked} "
            f"{'person' if asked == 1 else 'people'} asked, each during their own working hours.",
        )
    return redirect("pulse_programs")


@admin_required
def questions(request: OrgRequest) -> HttpResponse:
    bank = ensure_bank(request.org)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = add_question(
                request.org,
                text=form.cleaned_data["text"],
                construct=form.cleaned_data["construct"],
                reverse=form.cleaned_data["reverse"],
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Added “{added.text}”.")
            return redirect("pulse_questions")
    groups: dict[str, list[tuple[Question, str]]] = {}
    for q in sorted(bank, key=lambda q: (not q.builtin, q.key)):
        groups.setdefault(q.construct, []).append((q, question_text(q, request.org)))
    order = list(CONSTRUCTS)
    grouped = [
        (CONSTRUCTS.get(c, c), groups[c])
        for c in sorted(groups, key=lambda c: order.index(c) if c in order else len(order))
    ]
    return render(request, "pulse/questions.html", {"groups": grouped, "form": form})


@admin_required
def settings(request: OrgRequest) -> HttpResponse:
    current = pulse_settings(request.org)
    form = SettingsForm(request.POST or None, initial={"min_group_size": current.min_group_size})
    if request.method == "POST" and form.is_valid():
        try:
            set_min_group_size(request.org, form.cleaned_data["min_group_size"])
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Anonymity settings saved. They apply to rounds that open from now on.")
            return redirect("pulse_settings")
    return render(request, "pulse/settings.html", {"form": form, "current": current})
