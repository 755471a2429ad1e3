from __future__ import annotations

from accord.meetings.bank import BY_KEY, CATEGORIES, QUESTIONS, suggestions
from accord.meetings.models import TEXT_MAX


def test_the_bank_has_at_least_40_distinct_questions_in_every_category():
    assert len(QUESTIONS) >= 40
    assert len(BY_KEY) == len(QUESTIONS)
    assert len({q.text for q in QUESTIONS}) == len(QUESTIONS)
    per_category = {c: [q for q in QUESTIONS if q.category == c] for c in CATEGORIES}
    assert set(per_category) == {
        "career",
        "wellbeing",
        "feedback_up",
        "feedback_down",
        "blockers",
        "connection",
        "goals",
    }
    assert min(len(found) for found in per_category.values()) >= 5
    assert all(q.text.endswith("?") and len(q.text) <= min(TEXT_MAX, 200) for q in QUESTIONS)
    assert all(
        q.key.startswith(q.category.split("_")[-1] if "_" in q.category else q.category) for q in QUESTIONS
    )


def test_suggestions_come_from_different_categories_and_rotate_through_the_whole_bank():
    first = suggestions(0)
    assert len(first) == 3 and len({q.category for q in first}) == 3
    assert {q.key for q in suggestions(1)}.isdisjoint({q.key for q in first})
    seen = {q.key for seed in range(60) for q in suggestions(seed)}
    assert seen == set(BY_KEY)
    assert all(BY_KEY[q.key] == q for q in suggestions(7))
