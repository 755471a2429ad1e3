"""Pulse basics: a program with an open round, and comments sealed into a cell as the answer page does."""

from __future__ import annotations

from django.utils import timezone

from accord.pulse.actions import ensure_bank, open_round, save_program, thread_key
from accord.pulse.models import Comment, Program
from accord.pulse.sealing import seal_cell


def open_program(org, *, name="Pulse", questions=3):
    """A program over the first `questions` of the bank, its round open now and asking everyone in `org`."""
    chosen = sorted(ensure_bank(org), key=lambda q: q.key)[:questions]
    program = save_program(Program(org=org, name=name), questions=chosen, teams=[], start=timezone.now())
    return program, open_round(program, timezone.now())


def comment_by(person, rnd, *, text="A comment", cell=(None, "1-3y", "emea")):
    return Comment.objects.create(
        org=rnd.org,
        round=rnd,
        sealed_cell=seal_cell(rnd.pk, cell),
        text=text,
        thread_key=thread_key(person.pk, rnd.pk),
    )
