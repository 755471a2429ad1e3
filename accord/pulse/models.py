"""Pulse surveys: questions, programs, rounds, and answers stored so that no one can tell whose they are.

Threat model: a reader of the database
--------------------------------------
What they have: a copy of the database files at any moment they like (on SQLite the file and its WAL;
on PostgreSQL the tables read with their own connection after any commit, or a backup), as often as
they like (for example after every answer of a round), the org chart (it is in the same database:
who is in which team, start dates, time zones) and this source code. Not SECRET_KEY: it lives outside
the data folder (the user's config folder or ACCORD_SECRET_KEY_FILE), and every key pulse uses is
derived from it with a salt of its own (sealing.py); no pulse key is ever written to a file.

What they must not learn: which stored answer, comment, aggregate or pool entry belongs to which
person; nor find any stored row, or any group of rows written together, that describes fewer than k
respondents of a round (k = the round's min_group_size).

How storage keeps that:
- `Participation` says who was asked and who took part (`took_part`): that is not secret, and it never
  holds an answer.
- An answer set waits in `MixingPool`, sealed (AES-GCM, one fixed length whatever was answered). The
  pool row is committed with `took_part`, so the reader knows whose sealed row it is, and nothing more.
- The mixer moves pooled sets, shuffled, into `Response`/`Answer`/`Comment` in batches of at least k;
  while the round is open it waits for 2k and leaves k (chosen at random) in the pool, so the batch
  mixed at closing is at least k too. A round that fewer than k people answered writes no clear row at
  all: its sets go into the sealed tally only. So the rows that appear together always stand for at
  least k people, whose identities the reader can see but not tell apart.
- `Response` and `Comment` rows have random UUIDs, no person, no time, and their cell (team, tenure
  band, region) only sealed: many cells hold one person, and a clear cell joined to `Participation`
  would name them.
- The aggregates (sums per question and cell, respondents, commenters and driver sums per cell) are one
  sealed `RoundTally` per round, rewritten at each batch and padded to a power-of-two size, instead of
  clear rows of which many had n = 1.
- A comment's author finds replies by a keyed hash of (person, round) computed on demand
  (`sealing.thread_key`); without SECRET_KEY nobody can recompute it.
- What the gate publishes (`PublishedRow`, `Round.protection`) is what any viewer may see: the gate's
  rules (k, differencing, categories, precision, across rounds) already make it safe to show.

Out of scope: a reader who also has SECRET_KEY (they can unseal everything and test every person's
thread key: the price of results computed by the server, and of authors reading replies without a
secret of their own); someone who watches the live process, its memory, its logs or its network;
the words of a comment itself (a comment that names its author names its author); timing outside the
database (mail logs, web server access logs of the answer page); and what took part, by itself, says
(who answered a round at all is recorded by design, for reminders and participation rates).

The gate (accord/pulse/gate/) keeps anonymity in reports; this module and sealing.py keep it in storage.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as djtz

from accord.lib.text import multi_line, single_line

from .data import Cell
from .sealing import POOL, open_cell, unseal

ABSOLUTE_MIN_GROUP = 3
DEFAULT_MIN_GROUP = 5
DRIVERS_MIN_RESPONDENTS = 30


class PulseSettings(models.Model):
    org = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE, related_name="pulse_settings")
    # k: the smallest group whose numbers are ever shown. Never below 3, whatever an admin chooses.
    min_group_size = models.PositiveSmallIntegerField(
        default=DEFAULT_MIN_GROUP, validators=[MinValueValidator(ABSOLUTE_MIN_GROUP), MaxValueValidator(50)]
    )

    def __str__(self) -> str:
        return f"Pulse settings of {self.org_id}"


class Scale(models.TextChoices):
    AGREE5 = "agree5", "Agreement, 1–5"
    NPS11 = "nps11", "Likelihood, 0–10"


class Question(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    key = models.SlugField(max_length=60)
    text = models.CharField(max_length=200, validators=[single_line])
    construct = models.CharField(max_length=40, validators=[single_line])
    scale = models.CharField(max_length=10, choices=Scale.choices, default=Scale.AGREE5)
    reverse = models.BooleanField(default=False, help_text="Disagreeing is the healthy answer.")
    builtin = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="question_key_per_org")]
        indexes = [models.Index(fields=["org", "construct"])]
        ordering = ["construct", "key"]

    def __str__(self) -> str:
        return self.text


class Cadence(models.IntegerChoices):
    WEEKLY = 7, "Every week"
    FORTNIGHTLY = 14, "Every 2 weeks"
    FOUR_WEEKLY = 28, "Every 4 weeks"


class Program(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    name = models.CharField(max_length=120, validators=[single_line])
    whole_org = models.BooleanField(default=True)
    teams = models.ManyToManyField("orgs.Team", blank=True, related_name="+")
    questions = models.ManyToManyField(Question, through="ProgramQuestion", related_name="programs")
    cadence_days = models.PositiveSmallIntegerField(choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    questions_per_round = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    enps_every_days = models.PositiveSmallIntegerField(
        default=84, validators=[MinValueValidator(7)], help_text="Ask eNPS no more often than this."
    )
    window_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(27)], help_text="Days to answer."
    )
    active = models.BooleanField(default=True)
    # Where the next round starts in the program's question cycle: every item comes before any repeats.
    rotation = models.PositiveIntegerField(default=0)
    last_enps_on = models.DateField(null=True, blank=True)
    next_round_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["org", "active"])]

    def __str__(self) -> str:
        return self.name


class ProgramQuestion(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    program = models.ForeignKey(Program, on_delete=models.CASCADE)
    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "question"], name="program_question_once")]
        indexes = [models.Index(fields=["org", "program"])]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.program_id}:{self.question_id}"


class Round(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    opens_on = models.DateField()
    closes_at = models.DateTimeField()
    questions = models.ManyToManyField(Question, through="RoundQuestion", related_name="rounds")
    # The team tree as it was when the round opened ({team id: parent id}), so later reorganisations
    # cannot change which group an answer counts in.
    team_tree = models.JSONField(default=dict)
    team_names = models.JSONField(default=dict)
    min_group_size = models.PositiveSmallIntegerField(default=DEFAULT_MIN_GROUP)
    closed = models.BooleanField(default=False)
    # The gate's decisions for the closed round (gate.protection_state), computed once at closing:
    # a closed round never changes, so pages never have to protect it again.
    protection = models.JSONField(null=True, blank=True)
    next_close_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "number"], name="round_number_per_program")]
        indexes = [models.Index(fields=["org", "program", "number"])]
        ordering = ["program", "number"]

    def __str__(self) -> str:
        return f"{self.program} #{self.number}"


class RoundQuestion(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(Round, on_delete=models.CASCADE)
    question = models.ForeignKey(Question, on_delete=models.CASCADE)  # questions are retired, never deleted
    position = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "question"], name="round_question_once")]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.question_id}"


class Participation(models.Model):
    """Who was asked, when to prompt them, and whether they took part. Never what they answered."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="pulse_participations")
    # Snapshot for participation rates per group, taken when the round opened.
    team_id_at_open = models.BigIntegerField(null=True, blank=True)
    tenure_band = models.CharField(max_length=12)
    region = models.CharField(max_length=12)
    prompt_at = models.DateTimeField()
    reminder_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the scheduler: the prompt, then the reminder; None once nothing more is due.
    next_send_at = models.DateTimeField(null=True, blank=True)
    prompts_sent = models.PositiveSmallIntegerField(default=0)
    took_part = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="participation_once")]
        indexes = [
            models.Index(fields=["next_send_at"]),
            models.Index(fields=["org", "person"]),
            models.Index(fields=["org", "round"]),
        ]

    def __str__(self) -> str:
        return f"Participation {self.pk}"


class MixingPool(models.Model):
    """An answer set waiting to be shuffled into Response rows with at least k-1 others, sealed
    (sealing.seal, fixed length) so that the row written with `took_part` says nothing about the answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(Round, on_delete=models.CASCADE)
    payload = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["org", "round"])]

    def __str__(self) -> str:
        return "pending answer set"

    def opened(self) -> dict[str, Any]:
        return dict(unseal(POOL, self.round_id, self.payload))


class Response(models.Model):
    """One anonymous answer set. No person, no time, and its cell only sealed (see module doc)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    sealed_cell = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["org", "round"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return "anonymous response"

    def cell(self) -> Cell:
        return open_cell(self.round_id, self.sealed_cell)


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(Round, on_delete=models.CASCADE)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE)  # questions are retired, never deleted
    value = models.SmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["org", "round", "question"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return "anonymous answer"


class Comment(models.Model):
    """A free-text comment, stored apart from the answer set it came with; its cell only sealed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    sealed_cell = models.BinaryField()
    text = models.TextField(validators=[multi_line])
    # HMAC(key derived from SECRET_KEY, person, round): lets the author's own page find this thread;
    # holds no person id.
    thread_key = models.CharField(max_length=64, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["org", "round"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return "anonymous comment"

    def cell(self) -> Cell:
        return open_cell(self.round_id, self.sealed_cell)


class Reply(models.Model):
    """A message in a comment's thread: from a manager (named) or from the comment's author (anonymous)."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="replies")
    from_author = models.BooleanField(default=False)
    manager = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(validators=[multi_line])
    created_on = models.DateField(default=djtz.localdate)

    class Meta:
        indexes = [models.Index(fields=["org", "comment"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"reply {self.pk}"


class RoundTally(models.Model):
    """A round's running totals per question and cell, and respondents, commenters and driver sums per
    cell (the shape of data.RoundData), sealed as one value and rewritten by each mixed batch. Sealed
    because many cells hold one person: a clear row with n = 1 is that person's answer."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="tally")
    sealed = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["org", "round"])]

    def __str__(self) -> str:
        return f"tally of round {self.round_id}"


class PublishedRound(models.Model):
    """What a round's PublishedRow rows were computed under (gate.results_stamp) and the gate's header for
    reading them back (gate.Published). No row, or another stamp: not published yet, or stale; pages say
    the results are being prepared until the republish task (publishing.republish_round) has run. Kept
    apart from Round so that reading it never walks past the round's large JSON columns."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="published")
    stamp = models.CharField(max_length=120, blank=True)
    header = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["org", "round"])]

    def __str__(self) -> str:
        return f"published round {self.round_id}"


class PublishedRow(models.Model):
    """One heatmap row of a closed round as the gate published it (gate.publish): the whole organisation
    (no team, position -1) or one team's subtree, with every construct's result or the reason it is hidden,
    and the same for its tenure and region slices. It is the gate's output, never an answer: a request reads
    the rows of the viewer's subtrees (a range of positions) and the gate turns them back into results."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="published_rows")
    team_id_snapshot = models.BigIntegerField(null=True, blank=True)
    pos = models.IntegerField()  # depth-first position in the round's team tree
    subtree_end = models.IntegerField()  # the team's subtree is the positions pos .. subtree_end - 1
    depth = models.PositiveSmallIntegerField()
    label = models.TextField()
    first_visible = models.CharField(max_length=40, blank=True)  # see gate.RowToStore
    heat = models.TextField()  # JSON, see gate.publish
    slices = models.TextField()  # JSON, read only for the one row whose slices a page shows

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "team_id_snapshot"], name="published_row_once"),
        ]
        indexes = [
            models.Index(fields=["org", "round", "pos"]),
            models.Index(fields=["org", "round", "team_id_snapshot"]),
        ]

    def __str__(self) -> str:
        return f"published row {self.pk}"


class PublishedGroup(models.Model):
    """One group's results in a closed round as the gate published them (gate.publish_groups): every
    question's and construct's result or why it is hidden, participation, key drivers, whether comments
    may be shown, and the exact totals of shown constructs for trends' significance tests. The gate's
    output, never an answer: the results and trends pages read the one group they show."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="published_groups")
    key = models.CharField(max_length=200)  # reports.group_key
    team_id_snapshot = models.BigIntegerField(null=True, blank=True)
    pos = models.IntegerField()  # the team's position in the round's tree (PublishedRow.pos); -1: none
    order = models.IntegerField()  # position in the round's family: the default group is the first visible
    visible = models.BooleanField()  # survives protection on respondents
    body = models.TextField()  # JSON, see gate.publish_groups

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="published_group_once"),
        ]
        indexes = [
            models.Index(fields=["org", "round", "key"]),
            models.Index(fields=["org", "round", "visible", "order"]),
            models.Index(fields=["org", "round", "pos"]),
        ]

    def __str__(self) -> str:
        return f"published group {self.key}"
