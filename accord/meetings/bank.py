"""Questions to bring to a 1:1, written by the Accord team for this bank (not taken from any published list).

They aim below the status update: what is hard, what is changing, what either person is not saying.
Each has a stable key (so a suggestion can be traced) and a category; the series page suggests a few,
rotating through the categories from one meeting to the next.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BankQuestion:
    key: str
    category: str
    text: str

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]


CATEGORIES: dict[str, str] = {
    "career": "Career and growth",
    "wellbeing": "Wellbeing",
    "feedback_up": "Feedback for the manager",
    "feedback_down": "Feedback for the report",
    "blockers": "Blockers",
    "connection": "Personal connection",
    "goals": "Goals and priorities",
}

_QUESTIONS: dict[str, list[tuple[str, str]]] = {
    "career": [
        (
            "career-stretch",
            "Which part of your work last month stretched you most, and would you want more of it?",
        ),
        (
            "career-two-years",
            "If this role went perfectly, what could you do in two years that you can't do today?",
        ),
        ("career-skill-gap", "What is one skill you keep working around instead of learning?"),
        ("career-invisible", "What have you done recently that you think nobody above me has noticed?"),
        (
            "career-drift",
            "Is your work drifting toward things you enjoy or away from them? What is pulling it?",
        ),
        (
            "career-next-level",
            "What do you believe separates you from the next level, and do I see it the same way?",
        ),
        (
            "career-borrow",
            "Whose job here would you like to shadow for a week, and what would you hope to learn?",
        ),
        (
            "career-stop",
            "What part of your job would you happily never do again, and could it go somewhere else?",
        ),
    ],
    "wellbeing": [
        (
            "wellbeing-energy",
            "On a scale you choose, how full is your tank this week, and what drained or filled it?",
        ),
        (
            "wellbeing-evenings",
            "How often did work follow you past the end of your day lately? What brought it home?",
        ),
        ("wellbeing-dread", "Is there a meeting or task you quietly dread each week? What makes it heavy?"),
        ("wellbeing-alone", "When did you last feel properly alone with a problem here?"),
        (
            "wellbeing-pace",
            "Could you keep up this pace for another six months? If not, what would have to give?",
        ),
        ("wellbeing-recharge", "When did you last take real time off, and did it actually rest you?"),
        (
            "wellbeing-outside",
            "Is anything outside work taking space right now that would help me to know about?",
        ),
    ],
    "feedback_up": [
        ("up-one-change", "What is one thing I do that makes your work harder, even if I mean well?"),
        ("up-too-close", "Where do I check in too often, and where do you wish I checked in more?"),
        ("up-decision", "Which decision of mine last month did you disagree with and not say so?"),
        ("up-clarity", "When I ask for something, how often do you have to guess what I really want?"),
        ("up-meetings", "Is this 1:1 worth your time as it is? What would you change about it?"),
        ("up-advocate", "When have you needed me to speak up for you and I didn't?"),
        (
            "up-hear-bad-news",
            "How comfortable are you bringing me bad news early? What would make it easier?",
        ),
    ],
    "feedback_down": [
        (
            "down-want-more",
            "Which part of your work would you like more specific feedback on than you get now?",
        ),
        (
            "down-strength-overused",
            "Is there a strength of yours you lean on so much that it has started to cost you?",
        ),
        (
            "down-how-land",
            "How do you prefer to hear criticism: written first, in the moment, or saved for here?",
        ),
        (
            "down-blind-spot",
            "What feedback have you heard more than once in your career that you still doubt?",
        ),
        (
            "down-recent-win",
            "Shall we take one recent piece of work apart, what went well and what you'd redo?",
        ),
        ("down-peer-view", "How do you think your teammates would describe working with you on a hard week?"),
    ],
    "blockers": [
        (
            "blockers-waiting",
            "What are you waiting on from someone else right now, and how long has it been?",
        ),
        ("blockers-one-thing", "If I could remove one obstacle for you this week, which would you pick?"),
        ("blockers-time-zones", "Where is the time-zone gap costing you a day or more of back-and-forth?"),
        ("blockers-unclear-owner", "Is there work on your plate where nobody is quite sure who decides?"),
        ("blockers-tooling", "What slows you down every single day that everyone has learned to tolerate?"),
        ("blockers-said-no", "What have you wanted to say no to but felt you couldn't?"),
        (
            "blockers-stuck-quietly",
            "What have you been stuck on long enough that it has become awkward to mention?",
        ),
    ],
    "connection": [
        (
            "connection-good-day",
            "What did a genuinely good workday look like for you recently, start to finish?",
        ),
        (
            "connection-team",
            "Who on the team do you feel you barely know, and would you like to change that?",
        ),
        (
            "connection-outside",
            "What has been taking your attention outside work lately that you're enjoying?",
        ),
        ("connection-belong", "What would make you feel more part of this team from where you sit?"),
        ("connection-remote-miss", "What do you miss that an office used to give you, if anything?"),
        ("connection-proud", "What are you quietly proud of this month, at work or not?"),
        ("connection-learned", "What have you learned about a colleague recently that surprised you?"),
    ],
    "goals": [
        ("goals-priority-clash", "Which two of your priorities are pulling against each other right now?"),
        (
            "goals-why",
            "Could you explain in a sentence why your main goal matters to the company? Is that easy?",
        ),
        ("goals-drop", "If we dropped one of your commitments today, which would hurt least?"),
        (
            "goals-at-risk",
            "Which commitment are you least confident about delivering on time, and what would help?",
        ),
        ("goals-measure", "How will we both know, without asking, that your current goal is going well?"),
        ("goals-done-means", "For the thing you're building now, what does done actually mean to you?"),
        ("goals-surprise", "What result this quarter would surprise people, and what would it take?"),
    ],
}

QUESTIONS: tuple[BankQuestion, ...] = tuple(
    BankQuestion(key, category, text) for category, items in _QUESTIONS.items() for key, text in items
)
BY_KEY: dict[str, BankQuestion] = {q.key: q for q in QUESTIONS}


def suggestions(seed: int, count: int = 3) -> list[BankQuestion]:
    """`count` questions from different categories, rotating with `seed` (a meeting's number in its
    series, plus any "show others" offset), so consecutive meetings see different categories and
    different questions within each."""
    names = list(CATEGORIES)
    picked = []
    for i in range(count):
        category = names[(seed * count + i) % len(names)]
        pool = _QUESTIONS[category]
        key, text = pool[(seed * count + i) // len(names) % len(pool)]
        picked.append(BankQuestion(key, category, text))
    return picked
