"""The people of the demo organisation: teams, reporting lines, time zones, hours and dates.

Everything here is drawn from `random.Random` instances seeded with fixed strings, and dates are
offsets from the `today` the caller passes, so the same `today` always yields the same company.
The cast this module returns (`Cast`) is the input of every later demo domain (goals, check-ins,
pulses ...), which should draw their own randomness from `Cast.rng("<domain>")`: a domain that
changes how much it draws then leaves the people, and every other domain, exactly as they were.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from accord.accounts.models import User
from accord.orgs.models import Organisation, Person, Role, Team
from accord.pulse.attributes import region

SEED = "accord-demo"
EMAIL_DOMAIN = "wonderful.example"

# --- Places -------------------------------------------------------------------------------------
# Each zone with cities that really use it, so a profile's location never contradicts its clock.
# Together they span UTC-8 (Los Angeles in winter) to UTC+11 (Sydney in its summer), and include
# the half- and quarter-hour offsets of Kolkata and Kathmandu that calendar maths likes to get wrong.
ZONE_CITIES: dict[str, tuple[str, ...]] = {
    "America/Los_Angeles": ("San Francisco, USA", "Los Angeles, USA", "Seattle, USA", "Portland, USA"),
    "America/Chicago": ("Chicago, USA", "Austin, USA", "Minneapolis, USA"),
    "America/New_York": ("New York, USA", "Boston, USA", "Atlanta, USA", "Miami, USA"),
    "America/Bogota": ("Bogotá, Colombia", "Medellín, Colombia", "Cali, Colombia"),
    "Europe/London": ("London, UK", "Manchester, UK", "Edinburgh, UK", "Bristol, UK"),
    "Europe/Berlin": ("Berlin, Germany", "Munich, Germany", "Hamburg, Germany", "Cologne, Germany"),
    "Europe/Warsaw": ("Warsaw, Poland", "Kraków, Poland", "Wrocław, Poland", "Gdańsk, Poland"),
    "Africa/Lagos": ("Lagos, Nigeria", "Abuja, Nigeria", "Ibadan, Nigeria"),
    "Asia/Kolkata": ("Bengaluru, India", "Pune, India", "Hyderabad, India", "Chennai, India"),
    "Asia/Kathmandu": ("Kathmandu, Nepal", "Lalitpur, Nepal", "Pokhara, Nepal"),
    "Asia/Manila": ("Manila, Philippines", "Quezon City, Philippines", "Cebu City, Philippines"),
    "Australia/Sydney": ("Sydney, Australia", "Newcastle, Australia", "Canberra, Australia"),
}

# --- Names --------------------------------------------------------------------------------------
# Written for this demo. People mostly carry names common where they live, with a share drawn from
# anywhere, as in any distributed company. Polish surnames ending in -ski or -cki change with
# gender, so that list keeps to ones that do not.
_NAME_LISTS: dict[str, tuple[str, str]] = {
    "us": (
        "Emily, Jacob, Olivia, Marcus, Hannah, Tyler, Brianna, Kevin, Jasmine, Ryan, Madison, Andre, "
        "Chloe, Derek, Kayla, Nathan, Alicia, Jordan",
        "Johnson, Miller, Davis, Carter, Brooks, Foster, Ramirez, Kim, Coleman, Bennett, Hayes, Sullivan, "
        "Washington, Park, Rivera",
    ),
    "co": (
        "Valentina, Santiago, Camila, Andrés, Daniela, Sebastián, Juliana, Felipe, Mariana, Alejandro, "
        "Catalina, Julián, Natalia, Mateo",
        "Restrepo, Gómez, Rodríguez, Vargas, Morales, Ospina, Castaño, Jaramillo, Herrera, Cárdenas, "
        "Londoño, Salazar",
    ),
    "uk": (
        "Oliver, Amelia, Harry, Isla, George, Freya, Callum, Imogen, Rhys, Poppy, Alfie, Eleanor, Jamie, "
        "Niamh",
        "Thompson, Walker, Wright, Robinson, Clarke, Evans, Ahmed, Campbell, Murphy, Shaw, Fletcher, Kaur, "
        "Begum, Doyle",
    ),
    "de": (
        "Lukas, Anna, Felix, Marie, Jonas, Lea, Maximilian, Sophie, Paul, Johanna, Niklas, Katharina, "
        "Tobias, Julia",
        "Müller, Schmidt, Wagner, Becker, Hoffmann, Schulz, Koch, Richter, Wolf, Neumann, Braun, Krüger, "
        "Yılmaz, Demir",
    ),
    "pl": (
        "Jakub, Zofia, Kacper, Maja, Mateusz, Aleksandra, Piotr, Karolina, Michał, Agnieszka, Wojciech, "
        "Magdalena, Bartosz, Łucja",
        "Nowak, Wójcik, Kowalczyk, Woźniak, Mazur, Krawczyk, Kaczmarek, Wróbel, Pawlak, Michalak, Sikora, "
        "Baran, Szewczyk",
    ),
    "ng": (
        "Chiamaka, Emeka, Ngozi, Tunde, Funmilayo, Olumide, Adaeze, Chinedu, Yetunde, Babajide, Zainab, "
        "Ifeanyi",
        "Adeyemi, Nwosu, Bello, Eze, Ogunleye, Balogun, Okonkwo, Abubakar, Adebayo, Obi, Afolabi",
    ),
    "in": (
        "Aarav, Priya, Rohan, Ananya, Vikram, Sneha, Arjun, Kavya, Siddharth, Rahul, Divya, Karthik, "
        "Ishita, Nikhil, Pooja",
        "Sharma, Iyer, Reddy, Nair, Gupta, Menon, Banerjee, Desai, Rao, Chatterjee, Kulkarni, Pillai, Joshi",
    ),
    "np": (
        "Aayush, Sabina, Bikash, Anisha, Sujan, Pratima, Roshan, Sarita, Niraj, Srijana, Prabin, Manisha",
        "Shrestha, Thapa, Gurung, Maharjan, Karki, Adhikari, Tamang, Rai, Bhattarai, Poudel, Magar",
    ),
    "ph": (
        "Maria, Jose, Angelica, Mark, Kristine, Paolo, Joanna, Carlo, Bea, Miguel, Patricia, Rafael, "
        "Camille, Jericho, Danica",
        "Santos, Reyes, Cruz, Bautista, Garcia, Mendoza, Villanueva, Aquino, Dela Cruz, Ramos, Castillo, "
        "Navarro, Domingo",
    ),
    "au": (
        "Charlotte, Jack, Mia, Liam, Ruby, Noah, Zoe, Lachlan, Matilda, Cooper, Grace, Hamish, Isabella",
        "Smith, Taylor, Anderson, Mitchell, O'Connor, Kelly, Harrison, Nguyen, Tran, Wilson, Chen, Murray, "
        "Wong",
    ),
}
# region -> (first names, last names)
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    region: (tuple(firsts.split(", ")), tuple(lasts.split(", ")))
    for region, (firsts, lasts) in _NAME_LISTS.items()
}
ZONE_REGION = {
    "America/Los_Angeles": "us",
    "America/Chicago": "us",
    "America/New_York": "us",
    "America/Bogota": "co",
    "Europe/London": "uk",
    "Europe/Berlin": "de",
    "Europe/Warsaw": "pl",
    "Africa/Lagos": "ng",
    "Asia/Kolkata": "in",
    "Asia/Kathmandu": "np",
    "Asia/Manila": "ph",
    "Australia/Sydney": "au",
}
LOCAL_NAME_SHARE = 0.8

# --- Teams --------------------------------------------------------------------------------------
# Paths from the top of the hierarchy, parents before children.
LEADERSHIP, PEOPLE_OPS = ("Leadership",), ("Leadership", "People Ops")
SALES, AMERICAS, EMEA_APAC = ("Sales",), ("Sales", "Americas"), ("Sales", "EMEA & APAC")
SUPPORT, LEVEL_1, LEVEL_2 = ("Support",), ("Support", "Level 1"), ("Support", "Level 2")
ENGINEERING = ("Engineering",)
PLATFORM, PRODUCT, MOBILE = ("Engineering", "Platform"), ("Engineering", "Product"), ("Engineering", "Mobile")

TEAMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (LEADERSHIP, "The executive team: company direction, finance and operations."),
    (PEOPLE_OPS, "Hiring, onboarding, growth and the tools that keep a remote company human."),
    (SALES, "Finds and wins the agencies and studios that build on Wonderful Websites."),
    (AMERICAS, "North and South American accounts."),
    (EMEA_APAC, "Accounts in Europe, Africa and Asia-Pacific."),
    (SUPPORT, "Customer support around the clock, handed off from region to region."),
    (LEVEL_1, "First response: questions, how-tos, billing and triage."),
    (LEVEL_2, "Hard cases: bugs, data problems and escalations from Level 1."),
    (ENGINEERING, "Builds and runs the Wonderful Websites platform."),
    (PLATFORM, "Hosting, deploys, reliability and security."),
    (PRODUCT, "The site builder customers see: editor, templates, billing pages."),
    (MOBILE, "The iOS and Android apps."),
)

# --- People -------------------------------------------------------------------------------------
NY, CHI, LA, BOG = "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Bogota"
LON, BER, WAW, LOS = "Europe/London", "Europe/Berlin", "Europe/Warsaw", "Africa/Lagos"
KOL, KTM, MNL, SYD = "Asia/Kolkata", "Asia/Kathmandu", "Asia/Manila", "Australia/Sydney"


@dataclass(frozen=True)
class KeyPerson:
    """Someone written by hand: the leaders, and the personas a visitor signs in as."""

    key: str
    name: str
    title: str
    team: tuple[str, ...]
    manager: str | None
    zone: str
    role: Role = Role.MEMBER


# fmt: off
KEY_PEOPLE: tuple[KeyPerson, ...] = (
    KeyPerson("ceo", "Naomi Adeyemi", "Chief Executive Officer", LEADERSHIP, None, NY, Role.OWNER),
    KeyPerson("cfo", "Henrik Lindqvist", "Chief Financial Officer", LEADERSHIP, "ceo", LON),
    KeyPerson("people_head", "Meera Kapoor", "Head of People", PEOPLE_OPS, "ceo", LON),
    KeyPerson("people_admin", "Grace Mensah", "People Operations Partner", PEOPLE_OPS, "people_head", LON,
              Role.ADMIN),
    KeyPerson("sales_head", "Marcus Bell", "VP of Sales", SALES, "ceo", CHI),
    KeyPerson("americas_lead", "Lucía Fernández", "Sales Manager, Americas", AMERICAS, "sales_head", BOG),
    KeyPerson("emea_lead", "Oskar Brandt", "Sales Manager, EMEA & APAC", EMEA_APAC, "sales_head", BER),
    KeyPerson("support_head", "Katarzyna Wiśniewska", "Head of Support", SUPPORT, "ceo", WAW),
    KeyPerson("l1_lead", "Lena Fischer", "Support Team Lead, Level 1", LEVEL_1, "support_head", BER),
    KeyPerson("l1_member", "Tomás Ortega", "Support Specialist", LEVEL_1, "l1_lead", BOG),
    KeyPerson("l2_lead", "Ramon Villareal", "Support Team Lead, Level 2", LEVEL_2, "support_head", MNL),
    KeyPerson("eng_head", "Yuki Tanaka", "VP of Engineering", ENGINEERING, "ceo", BER),
    KeyPerson("platform_lead", "Dariusz Nowicki", "Engineering Manager, Platform", PLATFORM, "eng_head", WAW),
    KeyPerson("product_lead", "Sarah Goldberg", "Engineering Manager, Product", PRODUCT, "eng_head", NY),
    KeyPerson("mobile_lead", "Anjali Verma", "Engineering Manager, Mobile", MOBILE, "eng_head", KOL),
)
# fmt: on

# The personas of one-click demo sign-in: a member with a manager, that manager (fourteen reports
# from Manila to Bogotá) and the people-ops admin.
PERSONAS = {"member": "l1_member", "manager": "l1_lead", "admin": "people_admin"}


@dataclass(frozen=True)
class Squad:
    """Generated people who share a team and a manager: how many of each title, and their zones.

    Zones are listed most common first; each appears at least once when the squad is big enough.
    `counts`, when given, is exactly how many people live in each zone instead: the pulse shows its
    Asia-Pacific slice only if every team's people there are none or at least k (see FOUNDING_WAVE).
    """

    team: tuple[str, ...]
    manager: str
    titles: tuple[tuple[str, int], ...]
    zones: tuple[str, ...]
    counts: tuple[int, ...] | None = None


# fmt: off
SQUADS: tuple[Squad, ...] = (
    Squad(LEADERSHIP, "ceo", (("Chief of Staff", 1), ("Executive Assistant", 1)), (NY, LON)),
    Squad(LEADERSHIP, "cfo", (("Finance Manager", 1),), (LON,)),
    Squad(PEOPLE_OPS, "people_head",
          (("Talent Acquisition Partner", 2), ("People Operations Coordinator", 1),
           ("Learning and Development Lead", 1)),
          (LON, NY)),
    Squad(SALES, "sales_head", (("Sales Operations Analyst", 1),), (CHI,)),
    Squad(AMERICAS, "americas_lead",
          (("Account Executive", 4), ("Senior Account Executive", 2), ("Sales Development Representative", 2),
           ("Solutions Consultant", 1)),
          (NY, LA, CHI, BOG)),
    Squad(EMEA_APAC, "emea_lead",
          (("Account Executive", 3), ("Senior Account Executive", 1), ("Sales Development Representative", 3),
           ("Solutions Consultant", 1)),
          (SYD, LON, WAW, LOS), (5, 1, 1, 1)),
    Squad(SUPPORT, "support_head", (("Support Operations Analyst", 1), ("Knowledge Base Writer", 1)),
          (BER, LON)),
    # Support spans Manila, Europe and Bogotá so that a follow-the-sun handoff always has a next region.
    Squad(LEVEL_1, "l1_lead",
          (("Support Specialist", 9), ("Senior Support Specialist", 3), ("Support Quality Analyst", 1)),
          (MNL, BER, WAW, LON, BOG), (5, 2, 1, 1, 4)),
    Squad(LEVEL_2, "l2_lead",
          (("Technical Support Engineer", 6), ("Senior Technical Support Engineer", 2),
           ("Escalation Engineer", 1)),
          (MNL, KOL, WAW, LON, BOG), (4, 1, 2, 1, 1)),
    Squad(ENGINEERING, "eng_head", (("Engineering Program Manager", 1),), (LA,)),
    Squad(PLATFORM, "platform_lead",
          (("Software Engineer", 4), ("Senior Software Engineer", 3), ("Site Reliability Engineer", 2),
           ("Staff Engineer", 1), ("Security Engineer", 1)),
          (BER, WAW, LON)),
    Squad(PRODUCT, "product_lead",
          (("Software Engineer", 4), ("Senior Software Engineer", 3), ("Product Designer", 2),
           ("Product Manager", 1), ("QA Engineer", 2)),
          (NY, LA, BOG, BER, LON)),
    Squad(MOBILE, "mobile_lead",
          (("iOS Engineer", 3), ("Android Engineer", 3), ("Senior Mobile Engineer", 1),
           ("Mobile QA Engineer", 1)),
          (KOL, KTM, MNL, SYD)),
)
# fmt: on

# --- Working patterns ---------------------------------------------------------------------------
HOURS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(9, 0), dt.time(17, 0)),
    (dt.time(8, 30), dt.time(16, 30)),
    (dt.time(10, 0), dt.time(18, 0)),
    (dt.time(7, 30), dt.time(15, 30)),
)
HOURS_WEIGHTS = (55, 20, 20, 5)
MIN_SHARED = dt.timedelta(minutes=60)  # manager and report share at least this much of their day
# Days some people agree with a manager far away, so that the two share an hour.
SHIFTED_HOURS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(7, 0), dt.time(15, 0)),
    (dt.time(11, 0), dt.time(19, 0)),
    (dt.time(6, 30), dt.time(14, 30)),
    (dt.time(12, 0), dt.time(20, 0)),
)
FOUR_DAY_WEEK_SHARE = 0.08
WEEKDAYS = "12345"
FOUR_DAYS = "1234"
SUN_TO_THU = "12347"
TUE_TO_SAT = "23456"
SUPPORT_WEEKS = (SUN_TO_THU, SUN_TO_THU, SUN_TO_THU, TUE_TO_SAT)

COMPANY_AGE_DAYS = 6 * 365
# Pulse results are sliced by tenure band (under a year, one to three, over three: pulse.attributes),
# and the anonymity gate shows a company-wide slice only if no team splits it into fewer than k people
# and nobody moves between bands from one round to the next (rules 2 and 7 in pulse.gate). So, as in
# many small companies, people joined in waves: the founding years, the Mobile team (formed between
# one and three years ago), and this quarter's hires; and no start date lies where the pulse
# history (PULSE_HISTORY_DAYS, longer than the demo's twelve fortnightly rounds) would see someone
# cross a band boundary.
PULSE_HISTORY_DAYS = 200
FOUNDING_WAVE = (3 * 365 + PULSE_HISTORY_DAYS, COMPANY_AGE_DAYS - 60)  # days before today
MOBILE_WAVE = (365 + PULSE_HISTORY_DAYS, 3 * 365 - 30)
RECENT_HIRES = 7  # started within the last 90 days: onboarding has someone to show
UPCOMING_ANNIVERSARIES = 2  # work anniversaries in the coming week: celebrations have something to show
UPCOMING_BIRTHDAYS = 2
BIRTHDAY_SHARE = 0.6


@dataclass
class Cast:
    """The demo company's people, for the domains that build their history on top of them."""

    org: Organisation
    today: dt.date  # the UTC date of `now`
    teams: dict[tuple[str, ...], Team]
    people: list[Person]  # in a stable order: hand-written people first, then squad by squad
    by_key: dict[str, Person] = field(default_factory=dict)
    now: dt.datetime | None = None  # when the demo is started; noon UTC of `today` when not given

    @property
    def moment(self) -> dt.datetime:
        return self.now or dt.datetime.combine(self.today, dt.time(12), tzinfo=dt.UTC)

    def rng(self, domain: str) -> random.Random:
        """A generator of its own for each domain, so one domain's draws never shift another's."""
        return random.Random(f"{SEED}/{domain}")

    def reports(self, manager: Person) -> list[Person]:
        return [p for p in self.people if p.manager_id == manager.pk]


# Letters of their own rather than accented ones, so Unicode decomposition leaves them alone.
_OWN_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ß": "ss", "ø": "o", "Ø": "O"})


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters of a name, for an email address: "Wiśniewska" -> "wisniewska"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_OWN_LETTERS))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def email_for(name: str) -> str:
    first, last = name.split(" ", 1)
    return f"{ascii_fold(first)}.{ascii_fold(last)}@{EMAIL_DOMAIN}"


def key_email(key: str) -> str:
    return next(email_for(k.name) for k in KEY_PEOPLE if k.key == key)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def spread_zones(rng: random.Random, zones: Sequence[str], n: int) -> list[str]:
    """`n` zones from `zones`, each one at least once when n allows, the rest weighted to the first."""
    picked = list(zones[:n])
    weights = [len(zones) - i for i in range(len(zones))]
    picked += rng.choices(zones, weights=weights, k=n - len(picked))
    rng.shuffle(picked)
    return picked


def build_people(
    org: Organisation, *, today: dt.date, password_hash: str, now: dt.datetime | None = None
) -> Cast:
    """Create the teams, users and people of the demo organisation.

    Eight queries however many people: one insert per level of teams and of managers, and one
    look-up and one insert for users.
    """
    rng = random.Random(f"{SEED}/people")
    teams = _create_teams(org)
    people: list[Person] = []
    by_key: dict[str, Person] = {}
    taken = {email_for(k.name) for k in KEY_PEOPLE}
    used = {part for k in KEY_PEOPLE for part in k.name.split(" ", 1)}
    founded = today - dt.timedelta(days=COMPANY_AGE_DAYS)

    for k in KEY_PEOPLE:
        person = _person(rng, org, name=k.name, title=k.title, team=teams[k.team], zone=k.zone, role=k.role)
        person.manager = by_key[k.manager] if k.manager else None
        # Leaders joined early; the CEO founded the company.
        if k.manager is None:
            person.start_date = founded
        elif k.manager == "ceo":
            person.start_date = founded + dt.timedelta(days=rng.randint(30, 2 * 365))
        else:
            person.start_date = today - dt.timedelta(days=rng.randint(*_wave(k.team)))
        by_key[k.key] = person
        people.append(person)

    generated: list[Person] = []
    support: list[Person] = []
    for squad in SQUADS:
        titles = [title for title, count in squad.titles for _ in range(count)]
        for title, zone in zip(titles, _squad_zones(rng, squad, len(titles)), strict=True):
            name = _unique_name(rng, zone, taken, used)
            person = _person(rng, org, name=name, title=title, team=teams[squad.team], zone=zone)
            person.manager = by_key[squad.manager]
            person.start_date = today - dt.timedelta(days=rng.randint(*_wave(squad.team)))
            generated.append(person)
            if squad.team[:1] == SUPPORT:
                support.append(person)
    people += generated
    _stagger_weeks(rng, support)
    _plant_dates(rng, generated, today, teams[MOBILE])
    _share_an_hour(people, today)

    _attach_users(people, password_hash)
    # A report's manager must have a primary key before the report is inserted, so insert level by
    # level down the hierarchy; Django copies each manager's new pk into `manager_id` as it goes.
    level = {id(p): _depth(p) for p in people}
    for depth in sorted(set(level.values())):
        Person.objects.bulk_create([p for p in people if level[id(p)] == depth])
    return Cast(org=org, today=today, teams=teams, people=people, by_key=by_key, now=now)


def _wave(team: tuple[str, ...]) -> tuple[int, int]:
    return MOBILE_WAVE if team == MOBILE else FOUNDING_WAVE


def _squad_zones(rng: random.Random, squad: Squad, n: int) -> list[str]:
    if squad.counts is None:
        return spread_zones(rng, squad.zones, n)
    picked = [zone for zone, count in zip(squad.zones, squad.counts, strict=True) for _ in range(count)]
    rng.shuffle(picked)
    return picked


def _create_teams(org: Organisation) -> dict[tuple[str, ...], Team]:
    teams: dict[tuple[str, ...], Team] = {}
    # One insert per hierarchy level: children need their parent's primary key.
    for depth in sorted({len(path) for path, _ in TEAMS}):
        level = [
            (path, Team(org=org, name=path[-1], parent=teams.get(path[:-1]), description=description))
            for path, description in TEAMS
            if len(path) == depth
        ]
        Team.objects.bulk_create([team for _, team in level])
        teams.update(level)
    return teams


def _person(
    rng: random.Random,
    org: Organisation,
    *,
    name: str,
    title: str,
    team: Team,
    zone: str,
    role: Role = Role.MEMBER,
) -> Person:
    work_start, work_end = rng.choices(HOURS, weights=HOURS_WEIGHTS)[0]
    person = Person(
        org=org,
        email=email_for(name),
        name=name,
        title=title,
        team=team,
        role=role,
        timezone=zone,
        location=rng.choice(ZONE_CITIES[zone]),
        work_start=work_start,
        work_end=work_end,
        work_days=FOUR_DAYS if rng.random() < FOUR_DAY_WEEK_SHARE else WEEKDAYS,
    )
    if rng.random() < BIRTHDAY_SHARE:
        month = rng.randint(1, 12)
        # 2000 is a leap year, so 29 February can come up, as it does for real people.
        person.birthday_month, person.birthday_day = (
            month,
            rng.randint(1, calendar.monthrange(2000, month)[1]),
        )
    return person


def _unique_name(rng: random.Random, zone: str, taken: set[str], used: set[str]) -> str:
    """A name whose email is free, preferring first and last names nobody has yet: a company full of
    Miguels reads as generated."""
    regions = list(NAMES)
    while True:
        region = ZONE_REGION[zone] if rng.random() < LOCAL_NAME_SHARE else rng.choice(regions)
        firsts, lasts = NAMES[region]
        first = rng.choice([f for f in firsts if f not in used] or firsts)
        last = rng.choice([n for n in lasts if n not in used] or lasts)
        name = f"{first} {last}"
        if email_for(name) not in taken:
            taken.add(email_for(name))
            used.update((first, last))
            return name


def _stagger_weeks(rng: random.Random, support: list[Person]) -> None:
    """Support covers weekends by staggering a few people's weeks rather than by overtime."""
    staggered = rng.sample(support, len(SUPPORT_WEEKS))
    for person, days in zip(staggered, SUPPORT_WEEKS, strict=True):
        person.work_days = days


def _plant_dates(rng: random.Random, people: list[Person], today: dt.date, mobile: Team) -> None:
    """Make sure the demo has new joiners, and anniversaries and birthdays in the coming week.

    New joiners and anniversaries keep clear of the Mobile team and of Asia-Pacific, the tenure band
    and region whose company-wide pulse slices the demo shows (see FOUNDING_WAVE): one newcomer there
    would be a group of one that hides them."""
    apart = [p for p in people if p.team is not mobile and region(p.timezone) != "apac"]
    rng.shuffle(apart)
    # At most one newcomer per team, as hiring usually goes.
    recent = list({id(p.team): p for p in reversed(apart)}.values())[:RECENT_HIRES]
    anniversaries = rng.sample([p for p in apart if p not in recent], UPCOMING_ANNIVERSARIES)
    chosen = recent + anniversaries
    birthdays = rng.sample([p for p in people if p not in chosen], UPCOMING_BIRTHDAYS)
    for person in recent:
        person.start_date = today - dt.timedelta(days=rng.randint(3, 85))
    for person in anniversaries:
        # One year (still under a year at every closed round) or four or five (over three throughout).
        person.start_date = years_before(today + dt.timedelta(days=rng.randint(1, 6)), rng.choice((1, 4, 5)))
    for person in birthdays:
        day = today + dt.timedelta(days=rng.randint(0, 6))
        person.birthday_month, person.birthday_day = day.month, day.day


def seasons_of(today: dt.date) -> tuple[dt.date, ...]:
    """A day in each stretch of the year with its own set of UTC offsets: northern winter and summer,
    and the weeks in between when the United States, Europe and Australia have changed their clocks
    and the others have not yet."""
    return tuple(
        dt.date(today.year, month, day)
        for month, day in ((1, 15), (3, 20), (4, 15), (7, 15), (10, 15), (10, 30))
    )


def overlap(a: Person, b: Person, day: dt.date) -> dt.timedelta:
    """How long two people's working hours overlap on one (UTC) date, in their own zones."""
    spans = []
    for p in (a, b):
        zone = ZoneInfo(p.timezone)
        start = dt.datetime.combine(day, p.work_start, tzinfo=zone).astimezone(dt.UTC)
        spans.append((start, dt.datetime.combine(day, p.work_end, tzinfo=zone).astimezone(dt.UTC)))
    best = dt.timedelta(0)
    # Their days may be offset by a date (Sydney's Tuesday morning is New York's Monday evening).
    for shift in (-1, 0, 1):
        a_start, a_end = spans[0]
        b_start, b_end = (t + dt.timedelta(days=shift) for t in spans[1])
        best = max(best, min(a_end, b_end) - max(a_start, b_start))
    return best


def _share_an_hour(people: list[Person], today: dt.date) -> None:
    """A report whose hours do not meet their manager's for an hour all year (`seasons_of`) moves to the
    usual hours that meet them best, or else to a shifted day (starting early or late): a real manager
    and report agree on a shared hour for their 1:1s. Top down, so a lead who moves is met by their own
    reports. No draw of its own, so every other choice stays as it was. A few pairs are too far apart
    for any of these (New York and Kolkata): they keep their hours and meet ad hoc."""
    seasons = seasons_of(today)
    for person in people:
        manager = person.manager
        if manager is None or all(overlap(person, manager, d) >= MIN_SHARED for d in seasons):
            continue

        def shared(
            hours: tuple[dt.time, dt.time], person: Person = person, manager: Person = manager
        ) -> dt.timedelta:
            return min(overlap(_with_hours(person, hours), manager, d) for d in seasons)

        best = max(HOURS, key=shared)
        if shared(best) < MIN_SHARED:
            best = max(SHIFTED_HOURS, key=shared)
        if shared(best) > shared((person.work_start, person.work_end)):
            person.work_start, person.work_end = best


def _with_hours(person: Person, hours: tuple[dt.time, dt.time]) -> Person:
    return Person(timezone=person.timezone, work_start=hours[0], work_end=hours[1])


def _attach_users(people: list[Person], password_hash: str) -> None:
    """Give everyone a login. Users left behind by an earlier demo (User is global) are reused as they are."""
    emails = [p.email for p in people]
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    new = [User(email=email, password=password_hash) for email in emails if email not in existing]
    User.objects.bulk_create(new)
    users = existing | {u.email: u for u in new}
    for person in people:
        person.user = users[person.email]


def _depth(person: Person) -> int:
    depth = 0
    manager = person.manager
    while manager is not None:
        depth += 1
        manager = manager.manager
    return depth
