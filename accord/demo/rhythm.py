"""Time zones for the demo company: a charter for every team and a weekly all-hands that rotates fairly.

Each charter is written for its team (Support hands work around the globe, Sales lives by customer
hours, Engineering argues in design docs). Most members have acknowledged their charter; some have
not, and Level 1 and People Ops changed their charters materially a fortnight ago, so their members
(Tomás and Grace among them) are asked to read them again. The all-hands and the engineering
managers' sync have about four months of burden log, written by the same action the scheduler runs.
Everything is dated from `cast.today`.
"""

from __future__ import annotations

import datetime as dt

from accord.orgs.models import Person, Team
from accord.rhythm.actions import (
    ChannelRow,
    CharterText,
    MeetingSpec,
    acknowledge_charter,
    catch_up_log,
    create_meeting,
    save_charter,
)

from . import people as P
from .people import Cast

HISTORY_WEEKS = 17
MISSING_SHARE = 0.15

# path -> (sync, async, escalation, meeting norms, [(purpose, channel, response)])
CHARTERS: dict[tuple[str, ...], tuple[str, str, str, str, list[tuple[str, str, str]]]] = {
    P.LEADERSHIP: (
        "Company strategy, yearly budget, senior hires and anything that changes someone's job: "
        "discussed live in the monthly leadership session, after a written proposal.",
        "Quarterly goals, policy updates and spending inside an approved budget: a one-page proposal in "
        "the leadership folder, open for comments for three working days, then the owner decides.",
        "If something threatens customers, money or people outside your hours, call the CEO's assistant "
        "line; they find whoever is awake. Otherwise write it up and tag the owner.",
        "Every meeting has a written pre-read sent 24 hours ahead. We start with decisions, not updates. "
        "The monthly session rotates between a New York morning and a London afternoon.",
        [
            ("Decisions that need a record", "Leadership folder (shared doc)", "3 working days"),
            ("Quick questions", "#leadership", "Same working day"),
            ("Something is on fire", "Phone", "Within 1 hour, any time"),
        ],
    ),
    P.PEOPLE_OPS: (
        "Anything about one person's pay, health or a conflict: always live, on a call, never in a thread.",
        "Process changes, templates, hiring plans: a draft in the People Ops space with a comment deadline.",
        "A wellbeing concern about someone outside your hours: message the Head of People directly; "
        "for an emergency call local services first, then us.",
        "Cameras optional. Every interview debrief happens within one working day of the interview.",
        [
            ("Questions from anyone in the company", "#ask-people-ops", "1 working day"),
            ("Confidential matters", "people@ (email)", "1 working day"),
            ("Team coordination", "#people-ops-team", "Same working day"),
        ],
    ),
    P.SALES: (
        "Discounts above 20%, new pricing and territory changes: in the weekly pipeline review.",
        "Deal notes, forecasts and handovers between regions: in the CRM, never only in chat.",
        "A customer ready to sign outside your hours: hand it to whoever covers the next region and note "
        "it in the CRM; call the VP only if a contract deadline is at risk.",
        "Pipeline review is 30 minutes, numbers are in the CRM before the call, and it ends on time.",
        [
            ("Deal updates", "CRM notes", "Before the next pipeline review"),
            ("Help on a live deal", "#sales-deals", "2 working hours"),
            ("Pricing exceptions", "#deal-desk", "1 working day"),
        ],
    ),
    P.AMERICAS: (
        "Account plans for our ten largest customers: reviewed together once a month.",
        "Everything else about accounts goes in the CRM with a next step and a date.",
        "Bogotá covers late-afternoon New York calls; Los Angeles takes anything after 17:00 Eastern.",
        "Customer calls are recorded only with the customer's consent. Internal calls stay under 30 minutes.",
        [
            ("Account questions", "#sales-americas", "2 working hours"),
            ("Customer escalations", "Support Level 2 queue", "4 working hours"),
        ],
    ),
    P.EMEA_APAC: (
        "Which markets to open next and big partner deals: together, quarterly.",
        "Proposals and pricing for single deals: written, reviewed by one other account executive.",
        "Sydney hands open deals to Europe at the end of its day with a short note; Lagos and Warsaw "
        "cover each other. Oskar is the last stop for anything that cannot wait.",
        "We meet in the one hour that Sydney, Lagos and London share, and never more than once a week.",
        [
            ("Deal handovers between regions", "#emea-apac-handover", "Start of the receiver's day"),
            ("Quick help", "#sales-emea-apac", "2 working hours"),
            ("Urgent contract problem", "Phone: Oskar", "1 hour during European hours"),
        ],
    ),
    P.SUPPORT: (
        "Changes to on-call rotas and service-level targets: agreed live with both team leads.",
        "Macros, knowledge-base articles and process tweaks: proposed in writing, approved by one lead.",
        "During an outage the region that is awake owns it until it is handed over explicitly, with a "
        "written note. Page Platform's on-call for anything that looks like our bug.",
        "The weekly support sync alternates between a Manila-friendly and a Bogotá-friendly time.",
        [
            ("Outages and incidents", "#incident (and page on-call)", "15 minutes, any time"),
            ("Shift handover notes", "Handoff board", "Start of the next shift"),
            ("Process ideas", "#support-ops", "3 working days"),
        ],
    ),
    P.LEVEL_1: (
        "Only what affects everyone's shift: rota swaps for holidays, new ticket categories, tone of voice.",
        "Almost everything else: ticket notes, how-to questions and macro changes, written in the queue or "
        "the team channel so the next region can read them when they wake up.",
        "A ticket you cannot solve goes to Level 2 with steps tried and a customer impact line. If the "
        "customer is losing money and Level 2 is asleep in your region, page the Level 2 on-call.",
        "Daily 10-minute check-in per region, no cross-region daily meeting. The weekly sync rotates; "
        "notes go to the channel within an hour for whoever could not join.",
        [
            ("Ticket questions", "#support-l1", "30 minutes in shift"),
            ("Escalation to Level 2", "L2 queue, priority tag", "2 hours in shift"),
            ("Rota swaps", "#support-l1-rota", "1 working day"),
            ("Customer is losing money", "Page L2 on-call", "15 minutes"),
        ],
    ),
    P.LEVEL_2: (
        "Whether a bug is ours or the platform's when it is unclear: a 15-minute call with Platform.",
        "Root-cause notes, workarounds and runbook updates: written in the ticket, linked from the runbook.",
        "The on-call engineer carries the pager for their region; at hand-over they brief the next region "
        "in writing. After two failed hand-overs, Ramon decides.",
        "Incident reviews are blameless and written first; the call is only for questions.",
        [
            ("Hard cases from Level 1", "L2 queue", "2 hours in shift"),
            ("Suspected platform bug", "#platform-support", "4 working hours"),
            ("Incident", "#incident (and page on-call)", "15 minutes, any time"),
        ],
    ),
    P.ENGINEERING: (
        "Architecture that spans teams, the roadmap each quarter and hiring plans: live, with a doc first.",
        "Design docs, code review and release notes: written, with at least 48 hours for other time zones "
        "to comment before a decision.",
        "Production incidents follow the on-call rota. Anything else that is blocked overnight waits for "
        "the owner's morning, unless it blocks a customer.",
        "No internal meetings on Fridays. Every recurring meeting has an owner who cancels it when it has "
        "nothing to decide.",
        [
            ("Design discussions", "Design doc comments", "2 working days"),
            ("Release coordination", "#releases", "Same working day"),
            ("Incidents", "#incident (and page on-call)", "15 minutes, any time"),
        ],
    ),
    P.PLATFORM: (
        "Changes to production access, backups or the deploy pipeline: agreed in the weekly platform review.",
        "Everything else through pull requests with one reviewer from another time zone when possible.",
        "The on-call engineer decides during an incident. If you cannot reach them in 15 minutes, page the "
        "secondary; Dariusz is the third step.",
        "Reviews have an agenda in the doc by the day before; no agenda, no meeting.",
        [
            ("Pull requests", "Code review", "1 working day"),
            ("Questions from other teams", "#platform-help", "4 working hours"),
            ("Production incident", "Pager", "5 minutes, any time"),
        ],
    ),
    P.PRODUCT: (
        "What goes into the next cycle and anything a customer will notice: the cycle planning session.",
        "Specs, UI reviews and small scope changes: in the spec doc, decided by the product manager after "
        "comments.",
        "A release problem found after New York has signed off goes to the engineer on release duty, "
        "who can roll back without asking.",
        "Demos are recorded, so no one has to join at night to see them.",
        [
            ("Spec questions", "Spec doc comments", "1 working day"),
            ("Design feedback", "#product-design", "1 working day"),
            ("Release problems", "#releases", "1 hour in working hours"),
        ],
    ),
    P.MOBILE: (
        "App store submissions and dropping support for old phone versions: decided together.",
        "Feature work, crash triage and test plans: written in the tracker.",
        "A crash spike after a release: whoever is awake halts the staged rollout, then writes it up for "
        "Anjali.",
        "Stand-up is written, in the channel, by 11:00 local time; we meet live twice a week.",
        [
            ("Crash reports", "#mobile-crashes", "2 working hours"),
            ("Stand-up", "#mobile-standup", "By 11:00 local"),
            ("Store review problems", "#mobile", "Same working day"),
        ],
    ),
}


def build_rhythm(cast: Cast) -> None:
    rng = cast.rng("rhythm")
    now = dt.datetime.combine(cast.today, dt.time(12), tzinfo=dt.UTC)
    members: dict[int, list[Person]] = {}
    for p in cast.people:
        if p.team_id:
            members.setdefault(p.team_id, []).append(p)

    charters: list[tuple[Team, CharterText, Person | None, int]] = []
    for path, (sync, written, escalation, norms, channels) in CHARTERS.items():
        team: Team = cast.teams[path]
        lead = cast.by_key.get(next((k.key for k in P.KEY_PEOPLE if k.team == path), ""), None)
        text = CharterText(sync, written, escalation, norms, [ChannelRow(*row) for row in channels])
        version = 2 if path in (P.LEVEL_1, P.PEOPLE_OPS) else 1
        charters.append((team, text, lead, version))
    # Written, read and changed through the same actions as the charter page (save_charter,
    # acknowledge_charter): about ninety reads, cheap enough to take the long way.
    personas = {cast.by_key["l1_member"].pk, cast.by_key["people_admin"].pk}
    for team, text, lead, version in charters:
        author = lead or cast.by_key["people_admin"]
        written_on = now - dt.timedelta(days=rng.randint(60, 200))
        charter = save_charter(team, text, actor=author, material=False, now=written_on)
        readers = [p for p in members.get(team.pk, []) if p.pk != author.pk]
        rolls = {p.pk: rng.random() for p in readers}
        if version > 1:
            # Level 1 tightened its escalation rules, and People Ops its confidentiality rules, a fortnight
            # ago: everyone in those teams is asked to read the charter again. Some read the old one only
            # (the member and admin personas among them, so the prompt shows on their home pages).
            for person in readers:
                if person.pk in personas or MISSING_SHARE <= rolls[person.pk] < 0.6:
                    read_at = written_on + dt.timedelta(hours=rng.randint(2, 240))
                    acknowledge_charter(charter, person, read_at)
            charter = save_charter(team, text, actor=author, material=True, now=now - dt.timedelta(days=14))
        for person in readers:
            roll = rolls[person.pk]
            if person.pk in personas or roll < MISSING_SHARE or (version > 1 and roll < 0.6):
                continue  # has not read this version yet
            acknowledge_charter(charter, person, charter.updated_at + dt.timedelta(hours=rng.randint(2, 240)))

    started = now - dt.timedelta(weeks=HISTORY_WEEKS)
    everyone = [p for p in cast.people if p.is_active]
    ceo = cast.by_key["ceo"]
    all_hands = create_meeting(
        cast.org,
        organiser=ceo,
        spec=MeetingSpec("Company all-hands", everyone, 3, 45, ceo.timezone),
        now=started,
    )
    leads = [cast.by_key[k] for k in ("eng_head", "platform_lead", "product_lead", "mobile_lead")]
    leads_sync = create_meeting(
        cast.org,
        organiser=cast.by_key["eng_head"],
        spec=MeetingSpec("Engineering managers' sync", leads, 2, 60, cast.by_key["eng_head"].timezone),
        now=started,
    )
    for meeting in (all_hands, leads_sync):
        catch_up_log(meeting, now)
