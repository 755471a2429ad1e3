"""The demo's words: sentences composed from parts, so that a hundred people's six months never read as
one sentence pasted five hundred times.

Every part was written for this demo. A kind of text (a check-in answer, a blocker, a kudos message, a
1:1 agenda item ...) is composed from a template and a few fillers drawn at random, through `Varied`,
which redraws any text already used `limit` times. `LIMITS` is how often one text of each kind may
appear in a whole demo (tests/demo/test_story.py holds the demo to it): once for what a person writes
about one moment (a blocker, a comment, a kudos, a note), a few times for the short, routine lines a
team really does repeat (a check-in's "next", a 1:1 agenda topic).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

LIMITS = {
    "checkin answer": 2,
    "blocker": 1,
    "pulse comment": 1,
    "comment reply": 1,
    "kudos": 1,
    "agenda item": 2,
    "action item": 1,
    "private note": 1,
    "handoff item": 2,
    "urgent note": 1,
}
TRIES = 80


class Varied:
    """Composes texts of one kind, none used more than `limit` times (while the parts allow it)."""

    def __init__(self, rng: random.Random, kind: str) -> None:
        self.rng = rng
        self.limit = LIMITS[kind]
        self.used: Counter[str] = Counter()

    def compose(self, templates: Sequence[str], **fills: Sequence[str]) -> str:
        text = ""
        for _ in range(TRIES):
            template = self.rng.choice(templates)
            chosen = {name: self.rng.choice(options) for name, options in fills.items()}
            text = template.format(**chosen)
            text = text[:1].upper() + text[1:]
            if self.used[text] < self.limit:
                break
        self.used[text] += 1
        return text


def numbers(low: int, high: int) -> tuple[str, ...]:
    return tuple(str(n) for n in range(low, high + 1))


# --- What each department works on ------------------------------------------------------------------
THINGS: dict[str, tuple[str, ...]] = {
    "Engineering": (
        "the image service",
        "the editor autosave",
        "the deploy pipeline",
        "the template API",
        "offline mode",
        "push notifications",
        "the billing webhooks",
        "search indexing",
        "the CDN rollout",
        "the Android image cache",
        "the iOS share sheet",
        "the staging cluster",
        "the login flow",
        "the sitemap generator",
        "the form builder",
        "the domain checker",
        "the export API",
        "the crash reporter",
    ),
    "Support": (
        "the billing queue",
        "the refund requests",
        "the DNS tickets",
        "the custom-domain article",
        "the password-reset macro",
        "the weekend backlog",
        "the outage tickets",
        "the SSL renewal cases",
        "the form spam reports",
        "the site migration requests",
        "the invoice questions",
        "the two-factor resets",
        "the Level 2 escalations",
        "the chat transcripts for review",
        "the onboarding calls",
        "the help-centre search terms",
        "the chargeback cases",
    ),
    "Sales": (
        "the Q3 forecast",
        "the webinar leads",
        "the partner programme",
        "the pricing one-pager",
        "the renewal list",
        "the APAC pipeline",
        "the discount requests",
        "the demo script",
        "the security questionnaire",
        "the agency case studies",
        "the CRM clean-up",
        "the trial sign-ups",
    ),
    "Leadership": (
        "the hiring plan",
        "the board pack",
        "the onboarding checklist",
        "the parental leave policy",
        "the engagement survey summary",
        "the budget review",
        "the all-hands agenda",
        "the offsite plan",
        "the career ladder draft",
        "the interview training",
        "the benefits renewal",
        "the office stipend",
    ),
}
CLIENTS = (
    "Pixel & Co",
    "Studio Norte",
    "BrightLeaf",
    "Harbour Digital",
    "Kite Agency",
    "Blue Fern",
    "Maple Works",
    "Oak & Ink",
    "Lumen Studio",
    "Nordlicht Web",
    "Casa Verde",
    "Tidewater Media",
    "Saffron Lane",
    "Redwood Collective",
    "Atelier Vif",
    "Kōwhai Design",
)


def things(department: str) -> tuple[str, ...]:
    return THINGS.get(department, THINGS["Leadership"])


# --- Check-ins ----------------------------------------------------------------------------------------
DONE = (
    "finished the review of {thing}{outcome}.",
    "paired with a teammate on {thing}{outcome}.",
    "wrote tests for {thing}{outcome}.",
    "fixed a stubborn bug in {thing}{outcome}.",
    "cleaned up {thing}{outcome}.",
    "documented {thing}{outcome}.",
    "shipped a small change to {thing}{outcome}.",
    "chased a timeout in {thing}{outcome}.",
    "reworked part of {thing}{outcome}.",
    "added better logging to {thing}{outcome}.",
    "measured where {thing} loses time{outcome}.",
    "demoed the progress on {thing}{outcome}.",
    "worked through {thing}{outcome}.",
    "picked up {thing} from a colleague{outcome}.",
    "sorted out {thing}{outcome}.",
    "updated the notes on {thing}{outcome}.",
    "spent the morning on {thing}{outcome}.",
)
OUTCOMES = (
    "",
    " and it's in review now",
    ", done before lunch",
    "; it took longer than planned",
    " and found two more edge cases",
    ", with a short write-up in the channel",
    " together with {name}",
    "; the numbers are in the dashboard",
    " and closed the ticket",
    ", half done, the rest tomorrow",
    " after a long detour",
    "; the change is behind a flag for now",
    " and updated the runbook",
    ", about {n} items in all",
    " and wrote down what I learned",
    ", ahead of Thursday",
    " (thanks to {name} for the pointers)",
    "; one loose end left",
)
NEXT = (
    "carry on with {thing}{when}.",
    "review {thing} with {name}{when}.",
    "write up {thing}{when}.",
    "test {thing} end to end{when}.",
    "hand {thing} over{when}.",
    "get {thing} ready for review{when}.",
    "pair with {name} on {thing}{when}.",
    "look at the open questions on {thing}{when}.",
    "finish {thing}{when}.",
    "plan the next step for {thing}{when}.",
    "tidy up {thing}{when}.",
    "ask for feedback on {thing}{when}.",
)
WHEN = (
    "",
    " this morning",
    " before the handoff",
    " first thing",
    " after the team check-in",
    " today",
    ", then code review",
    ", then the inbox",
    " if the review comes back",
    ", then lunch and the queue",
    " while it's quiet",
    " in the afternoon",
    ", with a break for the all-hands",
    " before my 1:1",
)
SALES_DONE = (
    "call with {client} went well; {follow}.",
    "sent the proposal to {client}; {follow}.",
    "demo for {client} today; {follow}.",
    "renewal talk with {client}; {follow}.",
    "worked on {thing}; {follow}.",
    "qualified {n} leads from {thing}; {follow}.",
    "followed up with {client} about pricing; {follow}.",
    "closed a first deal with {client}; {follow}.",
)
FOLLOW = (
    "next call on Thursday",
    "they want a second demo for their team",
    "the quote goes out tomorrow",
    "waiting for their legal team",
    "a good fit for the partner plan",
    "they asked about the API",
    "decision expected next week",
    "I'll loop in a solutions consultant",
    "notes are in the CRM",
    "they compared us with two other builders",
    "the champion is moving on, so I need a new contact",
    "budget is approved on their side",
)
SALES_NEXT = (
    "follow up with {client}{when}.",
    "prepare the pricing for {client}{when}.",
    "update {thing}{when}.",
    "book a demo with {client}{when}.",
    "pipeline review with the team{when}.",
    "work on {thing}{when}.",
)


def checkin_done(v: Varied, department: str, mates: Sequence[str]) -> str:
    if department == "Sales":
        return v.compose(
            SALES_DONE, client=CLIENTS, follow=FOLLOW, thing=things(department), n=numbers(3, 14)
        )
    return v.compose(DONE, thing=things(department), outcome=OUTCOMES, name=mates, n=numbers(6, 48))


def checkin_next(v: Varied, department: str, mates: Sequence[str]) -> str:
    if department == "Sales":
        return v.compose(SALES_NEXT, client=CLIENTS, thing=things(department), when=WHEN)
    return v.compose(NEXT, thing=things(department), when=WHEN, name=mates)


BLOCKED = (
    "waiting on a review before I can finish {thing}{since}.",
    "no access yet to what I need for {thing}{since}.",
    "need a decision on the scope of {thing}{since}.",
    "can't reproduce the problem with {thing}{since}.",
    "the staging copy of {thing} is broken{since}.",
    "no answer from the owner of {thing}{since}.",
    "{thing} depends on a change another team hasn't shipped{since}.",
    "I'm missing the customer details for {thing}{since}.",
    "the docs for {thing} are out of date{since}.",
    "two people gave me opposite answers about {thing}{since}.",
)
SINCE = (
    "",
    " since yesterday",
    " since this morning",
    " for two days now",
    "; the customer is waiting",
    "; it holds up the release",
    ". Could you nudge them?",
    ". Who decides this?",
    ". I've asked twice in the channel",
    "; I'm working on something else meanwhile",
)


def blocker(v: Varied, department: str) -> str:
    return v.compose(BLOCKED, thing=things(department), since=SINCE)


# --- Pulse comments ---------------------------------------------------------------------------------
POINTS = {
    "Support": (
        "handoffs from the Manila shift often arrive without the customer's history",
        "tickets marked 'in progress' overnight sometimes turn out to be untouched",
        "nobody clearly owns an open ticket at the end of a shift",
        "the weekend rota is wearing people down",
        "calls at 6am my time make the week long",
        "the Bogotá to Manila handoff has no overlap at all",
        "the handoff note is often written in the last two minutes of a shift",
        "escalations to Level 2 sit for days without an answer",
        "I found out about a policy change from a customer",
        "we keep answering the same DNS question without a good article",
    ),
    "Engineering": (
        "the planning changes this quarter made a real difference",
        "async design reviews work well for those of us far from the others",
        "on-call is calmer since the platform cleanup",
        "there is still too little time for learning",
        "the written decision log helps the other time zones",
        "releases on Thursday evening my time are hard on my family",
        "we ship smaller changes now and I sleep better",
        "code review waits a day when the reviewer is asleep",
    ),
    "Sales": (
        "the end of the quarter was intense again",
        "the targets felt like they moved late",
        "the team helped a lot when deals got stuck",
        "we hear too little from engineering about what's coming",
        "the new pricing page makes calls easier",
        "the CRM takes more of my day than customers do",
    ),
    "Leadership": (
        "the monthly all-hands in two time slots has helped",
        "decisions are written down more often than last year",
        "we still approve too much in meetings",
        "hiring is slower than the plan assumed",
    ),
}
COMMENT_FORMS = (
    "Honestly, {point}. {add}",
    "{point}. {add}",
    "For me {point}. {add}",
    "Small thing, but {point}. {add}",
    "{add} Also, {point}.",
    "I'd say {point}. {add}",
)
ADDITIONS = (
    "Thanks for asking.",
    "It would help to talk about it as a team.",
    "Happy to say more in person.",
    "Otherwise a good fortnight.",
    "It has been like this for a while.",
    "It got better this month.",
    "I don't know who should fix it, but someone should.",
    "Not a crisis, just tiring.",
    "I like working here; that's why I mention it.",
    "Curious whether others feel the same.",
    "A written checklist would go a long way.",
    "Would love to hear what leadership thinks.",
)


def pulse_comment(v: Varied, department: str) -> str:
    points = POINTS.get(department, POINTS["Leadership"])
    return v.compose(COMMENT_FORMS, point=points, add=ADDITIONS)


MANAGER_REPLIES = (
    "Thank you for saying this. From next week every shift ends with a written handoff and a named "
    "owner per open ticket. Tell me if it helps.",
    "Thanks for raising it. I've put it on the agenda of our weekly sync, and I'd like your view there "
    "(or here, if you prefer to stay anonymous).",
    "You're right, and you're not the only one who said so. We're trying a checklist for the last "
    "fifteen minutes of every shift; does that cover what you had in mind?",
    "Thank you. Could you tell me (here is fine) which handoff goes wrong most often? I'd like to start "
    "with that one.",
    "Heard. Ramon and I are meeting about the Level 2 queue this week; I'll report back in the channel.",
    "Thanks for being direct. I'd rather hear this now than in six months. More soon.",
)

# --- Kudos --------------------------------------------------------------------------------------------
THANK = (
    "thank you for",
    "thanks for",
    "big thanks for",
    "really grateful for",
    "a shout-out for",
    "thanks a lot for",
)
DEEDS = {
    "Support": (
        "taking the angry billing call off my hands",
        "the handoff note this morning",
        "staying calm through the outage queue",
        "the new password-reset macro",
        "covering my Sunday shift at short notice",
        "spotting the pattern in those DNS tickets",
        "pairing with me on my first escalation",
        "the write-up of the custom-domain issue",
        "clearing the refund backlog",
        "answering the Spanish tickets while I was out",
        "reviewing my replies so kindly",
        "the chargeback evidence you pulled together",
    ),
    "Engineering": (
        "the careful review on the editor refactor",
        "scripting the deploy rollback",
        "explaining the caching layer so patiently",
        "fixing the flaky checkout test",
        "the clear, blameless incident write-up",
        "taking the pager over the holiday weekend",
        "the fast new template previews",
        "mentoring me through my first on-call week",
        "untangling the billing webhooks",
        "the thorough design doc on offline mode",
        "pairing on the Android crash",
        "tidying the staging cluster",
    ),
    "Sales": (
        "jumping on the demo call at the last minute",
        "the pricing one-pager",
        "keeping the renewal alive",
        "sharing your discovery notes",
        "running the partner webinar",
        "covering my accounts while I was away",
        "the sharp answers on the security questionnaire",
        "introducing me to the agency in Lyon",
    ),
    "Leadership": (
        "the rebuilt onboarding checklist",
        "organising the offsite across five time zones",
        "the guide to working across time zones",
        "the honest all-hands",
        "answering every question in the AMA thread",
        "the clear write-up of the budget decisions",
        "running the interview training",
    ),
}
ACROSS_DEEDS = (
    "dropping everything to help with the enterprise customer's export",
    "the fix for the invoice emails",
    "joining our team call to explain the new release",
    "turning a vague complaint into a clear bug report",
    "the quick turnaround on the security questionnaire",
    "teaching us the admin tools",
    "the heads-up before the pricing change",
    "answering our questions about the API so quickly",
    "the customer story you shared with us",
    "testing the new editor with real customer sites",
)
MANAGER_DEEDS = (
    "stepping up as the team's go-to on escalations",
    "the thoughtful feedback in our 1:1",
    "flagging the launch risk early",
    "making the newest people feel welcome",
    "owning the quarter's hardest project",
    "the calm way you handled last week's incident",
    "writing things down so the other time zones can follow",
    "coaching the new joiners",
    "saying no to the extra scope, kindly and clearly",
)
EFFECTS = (
    ".",
    ". It saved me a whole afternoon.",
    ". The customer noticed.",
    ". I learned a lot.",
    "!",
    ". That's exactly how we want to work.",
    ". It made my week.",
    ". The team is better for it.",
    ". I owe you a coffee.",
    ". It made a hard day easy.",
    ". Everyone on my shift noticed.",
    ". This is the kind of thing that keeps us going.",
)
KUDOS_FORMS = ("{thank} {deed}{effect}", "{name}, {thank} {deed}{effect}")


def kudos(v: Varied, deeds: Sequence[str], name: str) -> str:
    return v.compose(KUDOS_FORMS, thank=THANK, deed=deeds, effect=EFFECTS, name=(name,))


# --- 1:1s ---------------------------------------------------------------------------------------------
AGENDA = (
    "status of {thing}{angle}",
    "{thing}{angle}",
    "feedback on {thing}{angle}",
    "what's next for {thing}{angle}",
    "my goals for the quarter{angle}",
    "training budget{angle}",
    "the on-call rota{angle}",
    "time off next month{angle}",
    "career path: what would the next level look like{angle}",
    "meeting load{angle}",
    "tooling that slows me down{angle}",
    "working hours around the clock change{angle}",
    "hiring: joining interview panels{angle}",
    "ideas for the team offsite{angle}",
    "a customer conversation that went badly{angle}",
    "handoff notes between shifts{angle}",
)
ANGLES = (
    "",
    " (quick update)",
    ": where I'm stuck",
    ": what changed since last time",
    " (carried from last week)",
    ": what I'd like from you",
    ": options to discuss",
    ": good news first",
    ": is this still a priority?",
    " — can we decide today?",
    ": how others handle it",
    ": a worry",
    " (5 minutes)",
    ": next steps",
)
ACTION_FORMS = (
    "write up the plan for {thing}{by}",
    "ask for a second opinion on {thing}{by}",
    "share the numbers on {thing}{by}",
    "book a pairing session on {thing}{by}",
    "draft a proposal for {thing}{by}",
    "check the budget for {thing}{by}",
    "send a summary of {thing} to the team{by}",
    "find out who owns {thing}{by}",
    "update the goal notes on {thing}{by}",
    "read the old decision on {thing} and report back{by}",
    "set up a call with the people behind {thing}{by}",
    "list the open questions on {thing}{by}",
    "block two focus mornings for {thing}{by}",
    "introduce each other's contacts on {thing}{by}",
)
BY = (
    "",
    " by Friday",
    " before the next 1:1",
    " this week",
    " after the release",
    " by the end of the month",
)
NOTE_SEEN = (
    "seemed tired today",
    "good energy",
    "quieter than usual",
    "proud of the last release, rightly",
    "frustrated about the handoffs",
    "keen to take on more",
    "worried about workload",
    "unsure about priorities",
    "lit up when we talked about mentoring",
    "a bit defensive about the deadline",
    "relaxed after the holiday",
    "had lots of ideas about tooling",
    "mentioned a family matter, kept it short",
    "asked good questions about pay bands",
)
NOTE_NEXT = (
    "ask about workload again next time",
    "follow up on the career question",
    "mention the customer's kudos",
    "be clearer about what I expect",
    "check in mid-week, not just at the 1:1",
    "find a stretch project",
    "talk about the on-call load with the team",
    "send the course link",
    "don't let the next 1:1 slip",
    "ask what support looks like for them",
    "share the promotion criteria in writing",
    "say thanks more specifically",
    "look at the meeting load together",
    "offer a pairing partner",
)


def agenda_item(v: Varied, department: str) -> str:
    return v.compose(AGENDA, thing=things(department), angle=ANGLES)


def action_item(v: Varied, department: str) -> str:
    return v.compose(ACTION_FORMS, thing=things(department), by=BY)


def private_note(v: Varied) -> str:
    return v.compose(
        ("{seen}; {next}.", "{seen}. Next time: {next}.", "{seen} — {next}."), seen=NOTE_SEEN, next=NOTE_NEXT
    )


# --- Handoffs -----------------------------------------------------------------------------------------
PROBLEMS = (
    "Refund stuck on the annual plan",
    "Custom domain shows the old site after a DNS change",
    "Checkout page times out",
    "Can't invite a second editor",
    "Invoice address wrong on three months of invoices",
    "Image uploads fail over 8 MB",
    "Template import lost the footer links",
    "Two-factor reset: identity check pending",
    "SSL certificate not renewing",
    "Bulk price change only applied to half the products",
    "Site editor freezes on Safari",
    "Contact form emails land in spam",
    "Data export for a customer who is leaving",
    "Migrating a big blog from another builder",
    "Chargeback needs our evidence by Friday",
    "Newsletter block sends twice",
    "Mobile menu overlaps the logo",
    "Search on the shop returns nothing",
)
CUSTOMERS = (
    "a bakery in Lyon",
    "an agency in Austin",
    "a shop in Santiago",
    "a studio in Leeds",
    "a school in Pune",
    "a florist in Cebu",
    "a gym in Kraków",
    "a law firm in Lagos",
    "a café in Melbourne",
    "a photographer in Denver",
    "a charity in Bristol",
    "a bookshop in Medellín",
    "a hotel in Kathmandu",
    "an architect in Hamburg",
    "a dentist in Toronto",
    "a brewery in Portland",
    "a yoga studio in Manila",
    "a museum in Gdańsk",
)
INCIDENTS = (
    "Payments provider reports delays",
    "A large agency's sites are slow",
    "Login emails are delayed",
    "Image uploads are failing for some accounts",
    "The status page shows degraded search",
    "DNS changes are slow to apply",
)
INSTRUCTIONS = (
    "check new billing tickets first.",
    "Level 2 is on it; keep customers posted hourly.",
    "use the status page macro.",
    "tag affected tickets 'incident' so we can follow up.",
    "don't promise a time, link the status page.",
    "escalate anything with money involved straight to Level 2.",
)


def handoff_item(v: Varied) -> str:
    return v.compose(
        ("{problem} ({customer})", "{problem} for {customer}"), problem=PROBLEMS, customer=CUSTOMERS
    )


def urgent_note(v: Varied) -> str:
    return v.compose(("{incident}: {instruction}",), incident=INCIDENTS, instruction=INSTRUCTIONS)
