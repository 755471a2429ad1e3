"""Recognition (kudos, company values, reactions) and celebrations (work anniversaries, opt-in birthdays).

Visibility of a kudos is decided when it is given and never widened later:
- public: everyone in the organisation (the organisation feed and each recipient's team feed);
- private: the giver and the recipients, and a recipient's manager only when the giver chose so. That
  manager is written on the recipient row at the moment of giving (`KudosRecipient.manager`), so a
  later change of manager does not hand private words to someone the giver never chose.

The scheduler (lib/jobs.py) claims two kinds of due rows (see jobs.py):
- CelebrationSchedule.next_plan_at, one row per organisation: makes sure everyone has preferences
  and a digest time;
- KudosPreferences.next_digest_at: a person's celebrations digest, at their own local morning.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone as djtz

from accord.lib.text import multi_line, single_line

MESSAGE_MAX = 1000
VALUE_NAME_MAX = 60
VALUE_DESCRIPTION_MAX = 200
DIGEST_TIME = dt.time(9, 0)


class ReactionKind(models.TextChoices):
    HEART = "heart", "Love this"
    STAR = "star", "Stellar work"
    SUN = "sun", "Made my day"
    SMILE = "smile", "Made me smile"
    AGREE = "agree", "Seconded"


# Symbols every system font has (not colour emoji, which minimal installs lack and show as empty boxes);
# U+FE0E asks for the plain text form so they look alike everywhere. The page colours them.
SYMBOLS = {
    "heart": "\u2665\ufe0e",
    "star": "\u2605\ufe0e",
    "sun": "\u2600\ufe0e",
    "smile": "\u263a\ufe0e",
    "agree": "\u2714\ufe0e",
}


class CompanyValue(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=VALUE_NAME_MAX, validators=[single_line])
    description = models.CharField(max_length=VALUE_DESCRIPTION_MAX, blank=True, validators=[single_line])
    # Retired values stay on the kudos that carry them; they just cannot be chosen any more.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="value_unique_name_per_org")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Kudos(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, db_index=False)
    giver = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="kudos_given")
    message = models.TextField(max_length=MESSAGE_MAX, validators=[multi_line])
    value = models.ForeignKey(
        CompanyValue, on_delete=models.SET_NULL, null=True, blank=True, related_name="kudos"
    )
    public = models.BooleanField(default=True)
    # Private kudos only: whether each recipient's manager (at the time) may read it too.
    share_with_manager = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["org", "-created_at"], name="kudos_feed")]
        verbose_name_plural = "kudos"

    def __str__(self) -> str:
        return self.message[:60]


class KudosRecipient(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, db_index=False)
    kudos = models.ForeignKey(Kudos, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="kudos_received")
    # The recipient's team and manager when the kudos was given: the team feed it shows on, and (for a
    # private kudos shared with the manager) who else may read it.
    team = models.ForeignKey(
        "orgs.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    manager = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kudos", "person"], name="kudos_recipient_once")]
        indexes = [
            models.Index(fields=["org", "person", "created_at"], name="kudos_received_by"),
            models.Index(fields=["org", "team", "created_at"], name="kudos_team_feed"),
            models.Index(fields=["org", "manager"], name="kudos_shared_with_manager"),
        ]

    def __str__(self) -> str:
        return f"Kudos {self.kudos_id} to person {self.person_id}"


class Reaction(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, db_index=False)
    kudos = models.ForeignKey(Kudos, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kudos", "person", "kind"], name="reaction_one_of_each_kind")
        ]
        indexes = [models.Index(fields=["org", "kudos"], name="reaction_by_kudos")]

    def __str__(self) -> str:
        return f"{self.kind} on kudos {self.kudos_id}"


class CelebrationSchedule(models.Model):
    """The organisation's planner row: gives new people their preferences and digest time."""

    org = models.OneToOneField(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="celebration_schedule"
    )
    next_plan_at = models.DateTimeField(default=djtz.now)

    class Meta:
        # The scheduler looks across organisations, so this index does not start with org.
        indexes = [models.Index(fields=["next_plan_at"], name="celebration_plan_due")]

    def __str__(self) -> str:
        return f"Celebration schedule of org {self.org_id}"


class KudosPreferences(models.Model):
    """One person's own choices about celebrations, and when their next digest is due."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, db_index=False)
    person = models.OneToOneField("orgs.Person", on_delete=models.CASCADE, related_name="kudos_preferences")
    celebrate_anniversary = models.BooleanField(default=True)
    # The birthday itself is opt-in on the profile (Person.birthday_month/day); this hides it anyway.
    celebrate_birthday = models.BooleanField(default=True)
    digest = models.BooleanField(default=True)
    next_digest_at = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_digest_at"],
                name="celebration_digest_due",
                condition=Q(next_digest_at__isnull=False),
            ),
        ]
        verbose_name_plural = "kudos preferences"

    def __str__(self) -> str:
        return f"Kudos preferences of person {self.person_id}"
