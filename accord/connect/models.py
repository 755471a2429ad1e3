"""Connection: coffee-chat rounds across teams, and "Working with me" profiles.

A round is planned for one coming week (Monday to Sunday, `week_start`) and pairs the people who opted
in (`CoffeeMember`) into groups of two, or one group of three when the count is odd. Each member row
of a group keeps a snapshot of the person's department and team at the time of the round, so the
admin's table of cross-department connections does not change when someone later moves team.

The scheduler (jobs.py) claims `CoffeeSettings.next_round_at` to run a round, and each
`CoffeeGroupMember.next_email_at` to send that person's introduction at a sensible local time.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as djtz

from accord.lib.text import multi_line

PROFILE_MAX = 2000


class CoffeeSettings(models.Model):
    org = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE, related_name="coffee_settings")
    every_weeks = models.PositiveSmallIntegerField(
        default=2, choices=[(1, "Every week"), (2, "Every 2 weeks")], verbose_name="A round"
    )
    cross_department_weight = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        verbose_name="Weight for meeting other departments",
        help_text="0 ignores departments; 10 strongly prefers people from another department.",
    )
    avoid_rounds = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(0), MaxValueValidator(52)],
        verbose_name="Rounds before two people can meet again",
        help_text="Two people who met in this many recent rounds are not paired again.",
    )
    # Claimed by the scheduler (lib/jobs.py); None stops the rounds.
    next_round_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "coffee settings"

    def __str__(self) -> str:
        return f"Coffee settings of {self.org_id}"


class CoffeeMember(models.Model):
    """One person's opt-in. Leaving keeps the row (with `active` off) so past rounds keep their history."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="coffee_memberships")
    active = models.BooleanField(default=True)
    paused_until = models.DateField(
        null=True, blank=True, help_text="Not paired in rounds whose week starts before this date."
    )
    joined_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "person"], name="one_coffee_member_per_person")]
        indexes = [models.Index(fields=["org", "active"])]

    def __str__(self) -> str:
        return f"Coffee member {self.person_id}"


class CoffeeRound(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    week_start = models.DateField(help_text="The Monday of the week the round plans for.")
    ran_at = models.DateTimeField(default=djtz.now)
    # [{"person_id", "name", "reason"}]: everyone opted in who got no group, and why.
    unmatched = models.JSONField(default=list, blank=True)
    avoid_rounds = models.PositiveSmallIntegerField(default=6)
    cross_department_weight = models.PositiveSmallIntegerField(default=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "number"], name="one_coffee_round_number")]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Coffee round {self.number}"


class CoffeeGroup(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(CoffeeRound, on_delete=models.CASCADE, related_name="groups")
    icebreaker = models.PositiveSmallIntegerField(
        help_text="Index into accord.connect.icebreakers.QUESTIONS."
    )
    # [[start ISO UTC, end ISO UTC], ...]: suggested 30-minute slots inside everyone's working hours.
    slots = models.JSONField(default=list)
    overlap_minutes = models.PositiveIntegerField(
        default=0, help_text="Longest shared stretch of working hours on one day of the week."
    )
    weight = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["org", "round"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Coffee group {self.pk}"

    @property
    def overlap_label(self) -> str:
        hours, minutes = divmod(self.overlap_minutes, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h" + (f" {minutes:02d}" if minutes else "")


class Met(models.TextChoices):
    YES = "yes", "Yes, we met"
    NO = "no", "No, we didn't"
    SKIPPED = "skipped", "We chose to skip this one"


class CoffeeGroupMember(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    group = models.ForeignKey(CoffeeGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="coffee_groups")
    # Snapshots at the time of the round (see the module docstring).
    department = models.CharField(max_length=120, blank=True)
    team_name = models.CharField(max_length=120, blank=True)
    met = models.CharField(max_length=8, choices=Met.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the scheduler: when this person's introduction email goes out (their local morning).
    next_email_at = models.DateTimeField(null=True, blank=True, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "group", "person"], name="one_seat_per_group")]
        indexes = [models.Index(fields=["org", "person"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id}"


class Profile(models.Model):
    """A person's "Working with me" page: they write it, everyone in the organisation reads it."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="profiles")
    how_i_work = models.TextField(blank=True, max_length=PROFILE_MAX, validators=[multi_line])
    reach_me = models.TextField(blank=True, max_length=PROFILE_MAX, validators=[multi_line])
    feedback = models.TextField(blank=True, max_length=PROFILE_MAX, validators=[multi_line])
    misunderstood = models.TextField(blank=True, max_length=PROFILE_MAX, validators=[multi_line])
    help_me = models.TextField(blank=True, max_length=PROFILE_MAX, validators=[multi_line])
    updated_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "person"], name="one_profile_per_person")]

    def __str__(self) -> str:
        return f"Working with {self.person_id}"

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, key).strip() for key, _, _ in SECTIONS)


# (field, heading, the prompt shown while writing it): written for Accord.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "how_i_work",
        "How I work best",
        "The conditions that bring out your best work: time of day, amount of focus, written or spoken, "
        "alone or together.",
    ),
    (
        "reach_me",
        "How and when to reach me",
        "Which channel for what, how quickly you usually answer, and what counts as urgent enough to "
        "interrupt you.",
    ),
    (
        "feedback",
        "How I like to receive feedback",
        "In writing or face to face, straight away or after some thought, in private or in the open.",
    ),
    (
        "misunderstood",
        "What people misunderstand about me",
        "A habit of yours that is easy to read the wrong way, and what it really means.",
    ),
    (
        "help_me",
        "How to help me",
        "What a colleague can do that makes your week easier.",
    ),
)
