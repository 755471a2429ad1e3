"""The database reader of the threat model in accord/pulse/models.py, played for real.

A live round in an organisation where many (team, tenure band, region) cells hold one person. After
every answer, and after closing, the reader takes what a backup would hold: on SQLite a copy of the
database file and its WAL, opened on its own; on PostgreSQL the tables read through a connection of
its own after each commit. It has no SECRET_KEY. It then tries every join it can think of and reports
each person it links to stored answers and each stored row that describes fewer than k people.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from accord.lib.tz import UTC
from accord.pulse import actions
from accord.pulse.models import Participation, Program
from tests.factories import OrgFactory, PersonFactory, TeamFactory

MONDAY = dt.datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
Tables = dict[str, list[dict[str, Any]]]
CELL_COLUMNS = ("team_id_snapshot", "tenure_band", "region")
COUNT_COLUMNS = ("n", "respondents", "commenters", "driver_n")
TIME_WORDS = ("created", "_at", "time", "date", "submitted", "answered")
ANSWER_TABLES = ("pulse_response", "pulse_answer", "pulse_comment")


def read_database(copy_dir: Path) -> Tables:
    """Every pulse table as the reader sees it, without the application."""
    if connection.vendor == "sqlite":
        source = Path(connection.settings_dict["NAME"])
        target = copy_dir / source.name
        shutil.copyfile(source, target)
        if Path(f"{source}-wal").exists():
            shutil.copyfile(f"{source}-wal", f"{target}-wal")
        db = sqlite3.connect(target)
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        query = "SELECT rowid AS row_order, * FROM {}"
    else:
        import psycopg

        conf = connection.settings_dict
        db = psycopg.connect(
            dbname=conf["NAME"], user=conf["USER"], password=conf["PASSWORD"] or None, host=conf["HOST"],
            port=conf["PORT"] or None, autocommit=True,
        )  # fmt: skip
        names = [
            r[0]
            for r in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema='public'"
            )
        ]
        query = "SELECT ctid::text AS row_order, * FROM {}"
    tables: Tables = {}
    for name in names:
        if not name.startswith("pulse_"):
            continue
        cursor = db.execute(query.format(name))
        columns = [c[0] for c in cursor.description]
        tables[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    db.close()
    return tables


def decoded(value: Any) -> Any:
    """A column value as JSON if it is JSON, else None: what the reader can read without a key."""
    if isinstance(value, dict | list):
        return value
    try:
        return json.loads(bytes(value) if isinstance(value, memoryview) else value)
    except (TypeError, ValueError, UnicodeDecodeError):
        return None


def size(value: Any) -> int:
    return len(bytes(value)) if isinstance(value, bytes | memoryview) else len(json.dumps(value))


def ids(tables: Tables, table: str) -> set[Any]:
    return {row["id"] for row in tables.get(table, [])}


def took_part(tables: Tables) -> set[int]:
    return {row["person_id"] for row in tables["pulse_participation"] if row["took_part"]}


def attack(snapshots: list[Tables], k: int) -> tuple[dict[int, str], list[str]]:
    """(people linked to answers, with how; stored rows describing fewer than k people)."""
    named: dict[int, str] = {}
    small: list[str] = []
    final = snapshots[-1]
    by_cell: dict[tuple[Any, ...], set[int]] = {}
    for row in final["pulse_participation"]:
        if row["took_part"]:
            cell = (row["team_id_at_open"], row["tenure_band"], row["region"])
            by_cell.setdefault(cell, set()).add(row["person_id"])
    owners: dict[Any, set[int]] = {}  # pool row -> who took part in the same commit
    for before, after in zip(snapshots, snapshots[1:], strict=False):
        joined = took_part(after) - took_part(before)
        new_pool = ids(after, "pulse_mixingpool") - ids(before, "pulse_mixingpool")
        for row in after.get("pulse_mixingpool", []):
            if row["id"] in new_pool:
                owners[row["id"]] = joined
                payload = decoded(row["payload"])
                if isinstance(payload, dict) and "answers" in payload and len(joined) == 1:
                    named[next(iter(joined))] = "pool row committed with took_part is readable"
        # Batch membership: the people whose pooled sets left the pool when these rows appeared.
        landed = any(ids(after, t) - ids(before, t) for t in ANSWER_TABLES)
        if landed:
            gone = ids(before, "pulse_mixingpool") - ids(after, "pulse_mixingpool")
            batch = set().union(*(owners.get(g, set()) for g in gone))
            # Whoever took part meanwhile and has no row left in the pool went into this batch too.
            batch |= joined - set().union(*(owners.get(r, set()) for r in ids(after, "pulse_mixingpool")))
            if 0 < len(batch) < k:
                small.append(f"a batch of {len(batch)} answer sets landed together")
                if len(batch) == 1:
                    named[next(iter(batch))] = "batch of one"
    for snap in snapshots:
        for table, rows in snap.items():
            if table == "pulse_participation":
                continue
            for row in rows:
                cells = [tuple(row[c] for c in CELL_COLUMNS)] if all(c in row for c in CELL_COLUMNS) else []
                payload = decoded(row.get("payload"))
                if isinstance(payload, dict) and "cell" in payload:
                    cells.append(tuple(payload["cell"]))
                for cell in cells:
                    people = by_cell.get(cell, set())
                    if len(people) == 1 and table in (*ANSWER_TABLES, "pulse_mixingpool"):
                        named[next(iter(people))] = f"{table} joined on its cell"
                    elif 0 < len(people) < k and table != "pulse_publishedrow":
                        small.append(f"{table} row in a cell of {len(people)} people")
                for column in COUNT_COLUMNS:
                    if isinstance(row.get(column), int) and 0 < row[column] < k:
                        small.append(f"{table}.{column} = {row[column]}")
                if table in (*ANSWER_TABLES, "pulse_mixingpool"):
                    timed = [c for c in row if any(w in c for w in TIME_WORDS)]
                    if timed:
                        small.append(f"{table} has time columns {timed}")
    return named, sorted(set(small))


def organisation_of_small_cells():
    """16 people in 4 teams; five of them alone in their cell (a far zone, a newcomer, a veteran...)."""
    org = OrgFactory(name="Acme", slug="acme")
    a, b, c, d = (TeamFactory(org=org, name=n) for n in ("Apps", "Billing", "Compliance", "Design"))
    people = [PersonFactory(org=org, team=a) for _ in range(4)]
    people += [
        PersonFactory(org=org, team=a, timezone="America/New_York"),
        PersonFactory(org=org, team=a, start_date=dt.date(2026, 1, 5)),
        PersonFactory(org=org, team=b, timezone="Asia/Tokyo"),
        PersonFactory(org=org, team=b, start_date=dt.date(2015, 6, 1)),
        PersonFactory(org=org, team=c),
    ]
    people += [PersonFactory(org=org, team=b) for _ in range(3)]
    people += [PersonFactory(org=org, team=d) for _ in range(4)]
    bank = actions.ensure_bank(org)
    chosen = sorted((q for q in bank if q.scale == "agree5"), key=lambda q: q.key)[:3]
    chosen += [q for q in bank if q.scale == "nps11"]
    program = Program(org=org, name="Pulse", questions_per_round=3)
    actions.save_program(program, questions=chosen, teams=[], start=MONDAY)
    return org, people, actions.open_round(program, MONDAY)


def play_the_round(tmp_path: Path) -> tuple[list[Tables], int, Any]:
    org, people, rnd = organisation_of_small_cells()
    rng = random.Random(11)
    order = list(Participation.objects.filter(round=rnd))
    assert len(order) == len(people) == 16
    rng.shuffle(order)
    questions = list(rnd.questions.all())
    snapshots = [read_database(tmp_path)]
    for i, part in enumerate(order):
        answers = {q.id: rng.randint(0, 10) if q.scale == "nps11" else rng.randint(1, 5) for q in questions}
        comment = f"Comment number {i}" if i % 3 == 0 else ""
        actions.submit_answers(
            part, answers=answers, comment=comment, now=rnd.closes_at - dt.timedelta(hours=1)
        )
        snapshots.append(read_database(tmp_path))  # the reader copies the database after each answer
    actions.close_round(rnd)
    snapshots.append(read_database(tmp_path))
    return snapshots, rnd.min_group_size, rnd


@pytest.mark.django_db(transaction=True)
def test_a_reader_of_the_database_after_every_answer_links_nobody(tmp_path):
    snapshots, k, _ = play_the_round(tmp_path)
    final = snapshots[-1]
    # The round really happened: everyone's answers are stored, and results were published.
    assert (len(final["pulse_response"]), len(final["pulse_participation"])) == (16, 16)
    assert len(final["pulse_mixingpool"]) == 0 and len(final["pulse_publishedrow"]) > 0
    named, small = attack(snapshots, k)
    print(f"reader named {len(named)} of 16 people; {len(small)} kinds of rows under k")  # for the report
    assert named == {}
    assert small == []


@pytest.mark.django_db(transaction=True)
def test_sealed_rows_are_of_one_length_whatever_was_answered(tmp_path):
    """A sealed pool row's size is the same for one skipped question or a 2000-character comment, so its
    length cannot be matched to a comment's length after mixing."""
    snapshots, _, _ = play_the_round(tmp_path)
    pooled = {size(r["payload"]) for s in snapshots for r in s["pulse_mixingpool"]}
    cells = {
        size(r.get("sealed_cell")) for r in snapshots[-1]["pulse_response"] + snapshots[-1]["pulse_comment"]
    }
    assert (len(pooled), len(cells)) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_the_data_folder_recomputes_no_thread_key(tmp_path):
    """Everything in the folder that holds the database, tried as the key of the reply threads."""
    snapshots, _, rnd = play_the_round(tmp_path)
    stored = {row["thread_key"] for row in snapshots[-1]["pulse_comment"]}
    assert len(stored) == 6
    people = [row["person_id"] for row in snapshots[-1]["pulse_participation"]]
    folder = Path(settings.DATABASES["default"]["NAME"]).parent if connection.vendor == "sqlite" else None
    found = []
    for path in sorted(Path(folder or settings.VAR_DIR).iterdir()):
        if not path.is_file() or path.stat().st_size > 4096:
            continue
        secret = path.read_text(errors="ignore").strip()
        key = hashlib.sha256(("accord.pulse.thread:" + secret).encode()).digest()
        for person in people:
            guess = hmac.new(key, f"{person}:{rnd.pk}".encode(), hashlib.sha256).hexdigest()
            if guess in stored:
                found.append((path.name, person))
    assert found == []
