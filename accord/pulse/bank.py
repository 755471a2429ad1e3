"""Accord's built-in pulse survey question bank.

Every item was written by the Accord team for remote and distributed teams. None is copied or
paraphrased from a licensed or published instrument (Gallup Q12, UWES, Edmondson's psychological
safety scale and the like); tests/pulse/test_bank.py keeps a small blocklist to guard against it.

Items are in plain first-person English, one idea each. On the "agree5" scale a `reverse` item is one
where disagreeing is the healthy answer; `score()` flips it so that higher always means better.
"""

from __future__ import annotations

from dataclasses import dataclass

AGREE5 = "agree5"  # 1 = Strongly disagree .. 5 = Strongly agree
NPS11 = "nps11"  # 0 = Not at all likely .. 10 = Extremely likely
SCALE_RANGES: dict[str, tuple[int, int]] = {AGREE5: (1, 5), NPS11: (0, 10)}

AGREE5_LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")

# On agree5, a scored answer of 4 ("Agree") or 5 ("Strongly agree") counts as favourable. The value is
# taken after reverse-coding, so "Disagree" on a reverse item (scored 4) is favourable too.
FAVOURABLE_MIN = 4


@dataclass(frozen=True)
class BankItem:
    key: str
    construct: str
    text: str
    scale: str  # AGREE5 or NPS11
    reverse: bool = False


CONSTRUCTS: dict[str, str] = {
    "engagement": "Engagement",
    "trust_interpersonal": "Interpersonal trust",
    "trust_organisational": "Organisational trust",
    "trust_task": "Task-based trust",
    "psych_safety": "Psychological safety",
    "connection": "Connection and belonging",
    "workload": "Workload and balance",
    "recognition": "Recognition",
    "clarity": "Clarity of goals and communication",
    "manager_support": "Manager support",
    "growth": "Growth",
    "enps": "eNPS",
}

CONSTRUCT_HELP: dict[str, str] = {
    "engagement": "How much people care about their work and put their energy into it.",
    "trust_interpersonal": "Whether teammates see each other as honest, fair and on each other's side.",
    "trust_organisational": "Whether people believe leadership is open, keeps its word and acts fairly.",
    "trust_task": (
        "Whether people can rely on each other to deliver what they said, on time and to the agreed standard."
    ),
    "psych_safety": "Whether people feel able to ask questions, admit problems and disagree without fear.",
    "connection": "Whether people feel they belong and know their colleagues, rather than feeling alone.",
    "workload": "Whether the amount of work fits into normal working hours and leaves room to rest.",
    "recognition": "Whether good work is noticed and thanked, fairly and in a way that suits each person.",
    "clarity": "Whether people know the goals and priorities, and can find the information they need.",
    "manager_support": "Whether managers make time for people, remove blockers and give useful feedback.",
    "growth": "Whether people are learning and can see a fair path to progress in their career.",
    "enps": "How many people would recommend the organisation as a place to work, from -100 to +100.",
}


def _a(key: str, construct: str, text: str, reverse: bool = False) -> BankItem:
    return BankItem(key=key, construct=construct, text=text, scale=AGREE5, reverse=reverse)


BANK: tuple[BankItem, ...] = (
    # Engagement
    _a("engagement_worth_time", "engagement", "The work I do each week feels worth my time."),
    _a(
        "engagement_care_result",
        "engagement",
        "I care how our work turns out, not only about closing my own tasks.",
    ),
    _a(
        "engagement_offer_ideas",
        "engagement",
        "I often suggest ways to improve our work, even when nobody asks.",
    ),
    _a(
        "engagement_customer_impact",
        "engagement",
        "I can see how my work makes a difference for our customers.",
    ),
    _a(
        "engagement_pointless_tasks",
        "engagement",
        "A lot of my week goes on tasks that feel pointless to me.",
        reverse=True,
    ),
    # Interpersonal trust: among teammates
    _a(
        "trust_interpersonal_honest",
        "trust_interpersonal",
        "People on my team are honest with me, even with bad news.",
    ),
    _a(
        "trust_interpersonal_speak_fairly",
        "trust_interpersonal",
        "People on my team speak fairly about colleagues who are not in the call.",
    ),
    _a(
        "trust_interpersonal_offline",
        "trust_interpersonal",
        "When I am offline in another time zone, I trust my teammates to represent my view fairly.",
    ),
    _a(
        "trust_interpersonal_credit",
        "trust_interpersonal",
        "In written updates, people on my team give credit to the person who did the work.",
    ),
    _a(
        "trust_interpersonal_private_talk",
        "trust_interpersonal",
        "I worry that teammates talk about me behind my back in private messages.",
        reverse=True,
    ),
    # Organisational trust: in leadership
    _a(
        "trust_organisational_reasons",
        "trust_organisational",
        "Leadership tells us the real reasons behind big decisions.",
    ),
    _a(
        "trust_organisational_promises",
        "trust_organisational",
        "I believe leadership will keep the promises it makes in all-hands meetings.",
    ),
    _a(
        "trust_organisational_first_to_know",
        "trust_organisational",
        "I hear important company news from leadership before I hear it as a rumour.",
    ),
    _a(
        "trust_organisational_fair_regions",
        "trust_organisational",
        "I trust leadership to treat people fairly in every country where we work.",
    ),
    _a(
        "trust_organisational_hard_questions",
        "trust_organisational",
        "In open Q&A sessions, leadership answers the hard questions, not only the easy ones.",
    ),
    # Task-based trust: reliability of delivery
    _a(
        "trust_task_on_time",
        "trust_task",
        "When a teammate promises work by a certain date, it is ready by that date.",
    ),
    _a("trust_task_standard", "trust_task", "Work I receive from teammates meets the standard we agreed on."),
    _a(
        "trust_task_handoff",
        "trust_task",
        "Handoffs from other time zones have everything I need to continue without waiting.",
    ),
    _a(
        "trust_task_follow_through",
        "trust_task",
        "Action items from our calls get done without anyone having to chase them.",
    ),
    _a(
        "trust_task_early_warning",
        "trust_task",
        "If a teammate is going to miss a deadline, they tell me early, not on the day.",
    ),
    _a(
        "trust_task_double_check",
        "trust_task",
        "I often re-check my teammates' work because I cannot rely on it.",
        reverse=True,
    ),
    # Psychological safety
    _a(
        "psych_safety_not_understand",
        "psych_safety",
        "In a team video call, I can admit that I do not understand something.",
    ),
    _a(
        "psych_safety_disagree_senior",
        "psych_safety",
        "I can disagree with a more senior colleague in a written thread.",
    ),
    _a(
        "psych_safety_rough_ideas",
        "psych_safety",
        "When I share a rough idea in our team channel, people respond with interest.",
    ),
    _a(
        "psych_safety_process_not_blame",
        "psych_safety",
        "When something goes wrong, our team looks for the cause in the process, not a person.",
    ),
    _a(
        "psych_safety_behind_schedule",
        "psych_safety",
        "I can tell my team that my work is behind schedule without worrying about my reputation.",
    ),
    _a(
        "psych_safety_keep_quiet",
        "psych_safety",
        "I often keep my questions to myself in calls because asking feels risky.",
        reverse=True,
    ),
    # Connection and belonging (and loneliness, reverse-coded)
    _a("connection_know_people", "connection", "I know my teammates as people, not only as names in a chat."),
    _a(
        "connection_informal_chat",
        "connection",
        "I have regular conversations with colleagues about things other than work.",
    ),
    _a(
        "connection_belong",
        "connection",
        "I feel I belong on my team, even though we rarely meet in person.",
    ),
    _a(
        "connection_other_teams",
        "connection",
        "I know people in other teams whom I could message for a friendly chat.",
    ),
    _a("connection_cut_off", "connection", "I often feel cut off from my colleagues.", reverse=True),
    _a("connection_lonely", "connection", "I feel lonely during my working day.", reverse=True),
    # Workload and balance
    _a(
        "workload_normal_hours",
        "workload",
        "Most weeks, I can finish my work within my normal working hours.",
    ),
    _a("workload_focus_time", "workload", "I have enough uninterrupted time to focus on my main tasks."),
    _a("workload_switch_off", "workload", "I can ignore work messages after my working day ends."),
    _a("workload_breaks", "workload", "I take real breaks during the day, away from my screen."),
    _a(
        "workload_work_late",
        "workload",
        "I often work late in the evening to keep up with my work.",
        reverse=True,
    ),
    _a(
        "workload_off_hours_calls",
        "workload",
        "I regularly join calls outside my working hours because of time zone differences.",
        reverse=True,
    ),
    # Recognition
    _a(
        "recognition_invisible_work",
        "recognition",
        "Quiet work, like fixing documents or helping a colleague, gets noticed on my team.",
    ),
    _a(
        "recognition_all_time_zones",
        "recognition",
        "People in every time zone get credit, not only those who attend the live calls.",
    ),
    _a(
        "recognition_specific", "recognition", "When someone thanks me for my work, they say what I did well."
    ),
    _a(
        "recognition_my_way",
        "recognition",
        "I am recognised in a way that suits me, in public or in private.",
    ),
    _a(
        "recognition_peer_thanks",
        "recognition",
        "People on my team thank each other for help, in messages or in meetings.",
    ),
    # Clarity of goals and communication
    _a("clarity_team_goals", "clarity", "I understand what my team is trying to achieve this quarter."),
    _a(
        "clarity_priorities",
        "clarity",
        "When two tasks compete for my time, I know which one matters more.",
    ),
    _a(
        "clarity_decisions_written",
        "clarity",
        "Important decisions are written down in a place where I can find them later.",
    ),
    _a(
        "clarity_channels",
        "clarity",
        "I know which channel to use for what, and how soon to expect a reply.",
    ),
    _a(
        "clarity_changes_in_time",
        "clarity",
        "I learn about changes that affect my work early enough to prepare for them.",
    ),
    # Manager support
    _a(
        "manager_support_one_to_ones",
        "manager_support",
        "My manager keeps our one-to-one meetings, even in busy weeks.",
    ),
    _a(
        "manager_support_unblock",
        "manager_support",
        "My manager helps me remove blockers quickly, even across time zones.",
    ),
    _a(
        "manager_support_flexibility",
        "manager_support",
        "My manager adapts to my situation, such as my hours or family duties.",
    ),
    _a(
        "manager_support_feedback",
        "manager_support",
        "My manager gives me feedback that I can act on.",
    ),
    _a(
        "manager_support_results",
        "manager_support",
        "My manager judges my work by its results, not by how often I am online.",
    ),
    # Growth
    _a("growth_next_level", "growth", "I can see what I need to do to reach the next level in my role."),
    _a("growth_stretch", "growth", "My current work stretches me in ways that build new skills."),
    _a(
        "growth_remote_promotion",
        "growth",
        "People who work remotely have the same chance of promotion as people near an office.",
    ),
    _a(
        "growth_time_to_learn", "growth", "I have time in my working week to study or practise something new."
    ),
    _a(
        "growth_written_goals",
        "growth",
        "My development goals are written down and my manager and I review them regularly.",
    ),
    # eNPS: the single 0-10 item; the app replaces {org} with the organisation's name.
    BankItem(
        key="enps",
        construct="enps",
        text="How likely are you to recommend {org} as a place to work?",
        scale=NPS11,
    ),
)


def score(item_scale: str, reverse: bool, value: int) -> int:
    """Return `value` as it should count: reverse agree5 items become 6 - value; nps11 is unchanged.

    Raises ValueError for an unknown scale or a value outside it (agree5 1..5, nps11 0..10).
    """
    if item_scale not in SCALE_RANGES:
        raise ValueError(f"Unknown scale {item_scale!r}")
    low, high = SCALE_RANGES[item_scale]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{value!r} is out of range for {item_scale} ({low}..{high})")
    if item_scale == AGREE5 and reverse:
        return 6 - value
    return value
