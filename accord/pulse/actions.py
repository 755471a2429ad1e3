"""Writes for pulse surveys, kept in three modules by what they are about: `programs` (the anonymity
setting, the question bank, programs, opening rounds), `answering` (one person's answers, the mixing
pool, the tally, comment threads) and `publishing` (closing a round, publishing and republishing its
results). Named here as well, so that code and tests can say `actions.open_round` as before."""

from __future__ import annotations

from .answering import (
    COMMENT_MAX,
    apply_answer_sets,
    check_open,
    driver_vars,
    mix_pool,
    reply_as_author,
    reply_as_manager,
    seal_pool,
    submit_answers,
    thread_key,
)
from .programs import (
    PROMPT_DELAY,
    AlreadyAnswered,
    NotYourThread,
    PulseError,
    RoundClosed,
    add_question,
    audience,
    ensure_bank,
    next_questions,
    now,
    open_round,
    prompt_time,
    pulse_settings,
    reminder_time,
    save_program,
    set_min_group_size,
)
from .publishing import close_round, ensure_published, publish_round, republish, request_republish

__all__ = [
    "COMMENT_MAX",
    "PROMPT_DELAY",
    "AlreadyAnswered",
    "NotYourThread",
    "PulseError",
    "RoundClosed",
    "add_question",
    "apply_answer_sets",
    "audience",
    "check_open",
    "close_round",
    "driver_vars",
    "ensure_bank",
    "ensure_published",
    "mix_pool",
    "next_questions",
    "now",
    "open_round",
    "prompt_time",
    "publish_round",
    "pulse_settings",
    "reminder_time",
    "reply_as_author",
    "reply_as_manager",
    "republish",
    "request_republish",
    "save_program",
    "seal_pool",
    "set_min_group_size",
    "submit_answers",
    "thread_key",
]
