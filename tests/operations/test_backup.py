"""`accord backup` and `accord restore`, run as an operator runs them (the real command, in a process of
its own) against the test database and a second, empty database of the same kind.

The backup is taken while a writer keeps adding rows; the restored database must hold every table's rows
exactly as the source held them when the backup began (the writer's table: a prefix of its rows, with no
gap), and nothing may be broken (SQLite's integrity and foreign-key checks). Then the secret key: a
restore under another key is refused and changes nothing, unless --accept-loss, which counts the loss.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections

from accord.demo import generate_demo
from accord.orgs.models import Organisation, Team
from accord.pulse.models import Comment, MixingPool, Response, RoundTally

ROOT = Path(__file__).resolve().parents[2]
RESTORED_PG = "accord_supervise_restore"


def database_url(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db.get("USER") or "") + (":" + quote(db["PASSWORD"]) if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def accord(*args: str, url: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=key or settings.SECRET_KEY)
    return subprocess.run(
        [sys.executable, "-m", "accord.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture
def empty_target(tmp_path):
    """The URL of an empty database of the same kind as the test database: a new install."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not on PATH (apt-get install postgresql-client)")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {RESTORED_PG}")
        cursor.execute(f"CREATE DATABASE {RESTORED_PG}")
    yield database_url({**connection.settings_dict, "NAME": RESTORED_PG})
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {RESTORED_PG} WITH (FORCE)")


def open_db(url: str):  # type: ignore[no-untyped-def]
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1))


def table_names(db) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(db, sqlite3.Connection):
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    return sorted(row[0] for row in db.execute(query).fetchall())


def rows(db, table: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    found = db.execute(f'SELECT * FROM "{table}"').fetchall()
    plain = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in found]
    return sorted(plain, key=repr)


class Writer(threading.Thread):
    """Another process's worth of writes: new teams, one committed row at a time, until told to stop."""

    def __init__(self, org: Organisation) -> None:
        super().__init__(daemon=True)
        self.org, self.stop, self.written = org, threading.Event(), 0

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                Team.objects.create(org=self.org, name=f"Written during the backup {self.written}")
                self.written += 1
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_writing_restores_every_row_of_every_table(tmp_path, empty_target):
    source_url = database_url(connection.settings_dict)
    org = generate_demo()
    writer = Writer(org)
    writer.start()
    try:
        while writer.written < 20:  # the writer is under way before the backup starts
            threading.Event().wait(0.01)
        made = accord("backup", str(tmp_path / "accord.tar"), url=source_url)
    finally:
        writer.stop.set()
        writer.join()
    assert made.returncode == 0, made.stderr
    assert "NOT in it" in made.stdout
    data = "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"
    with tarfile.open(tmp_path / "accord.tar") as tar:
        assert sorted(tar.getnames()) == [data, "manifest.json"]

    done = accord("restore", str(tmp_path / "accord.tar"), url=empty_target)
    assert done.returncode == 0, done.stderr

    source, restored = open_db(source_url), open_db(empty_target)
    try:
        assert table_names(restored) == table_names(source)
        team = Team._meta.db_table
        differing = [t for t in table_names(source) if t != team and rows(restored, t) != rows(source, t)]
        assert differing == []
        # The writer's table: exactly the rows committed before the snapshot, a prefix with no gap.
        got = rows(restored, team)
        last = max(r[0] for r in got)
        assert got == [r for r in rows(source, team) if r[0] <= last]
        assert len(got) >= Team.objects.exclude(name__startswith="Written").count() + 20
        if isinstance(restored, sqlite3.Connection):
            assert restored.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert restored.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        source.close()
        restored.close()


@pytest.fixture
def backup_file(tmp_path, db):
    generate_demo()
    made = accord("backup", str(tmp_path / "accord.tar"), url=database_url(connection.settings_dict))
    assert made.returncode == 0, made.stderr
    return tmp_path / "accord.tar"


@pytest.mark.django_db(transaction=True)
def test_a_restore_under_another_key_is_refused_and_changes_nothing(backup_file, empty_target):
    refused = accord("restore", str(backup_file), url=empty_target, key="not-the-same-key")
    assert refused.returncode == 2
    assert "secret key is not the one the backup was made with" in refused.stderr
    assert "--accept-loss" in refused.stderr
    target = open_db(empty_target)
    try:
        assert table_names(target) == []
    finally:
        target.close()


@pytest.mark.django_db(transaction=True)
def test_accept_loss_restores_and_counts_exactly_what_the_key_took(backup_file, empty_target):
    from django.contrib.sessions.models import Session

    expected = {
        "signed-in sessions": Session.objects.count(),
        "pulse comments": Comment.objects.count(),
        "anonymous answer sets": Response.objects.count(),
        "answer sets still waiting": MixingPool.objects.count(),
        "pulse round tallies": RoundTally.objects.count(),
    }
    assert expected["pulse comments"] > 0 and expected["pulse round tallies"] > 0  # the demo has pulse data
    done = accord("restore", "--accept-loss", str(backup_file), url=empty_target, key="not-the-same-key")
    assert done.returncode == 0, done.stderr
    counted = {}
    for line in done.stdout.splitlines():
        number, _, what = line.strip().partition("  ")
        for label in expected:
            if what.strip().startswith(label):
                counted[label] = int(number)
    assert counted == expected


@pytest.mark.django_db(transaction=True)
def test_a_restore_never_overwrites_a_database_in_use(backup_file):
    refused = accord("restore", str(backup_file), url=database_url(connection.settings_dict))
    assert (refused.returncode, "is not empty" in refused.stderr) == (2, True)


@pytest.mark.django_db(transaction=True)
def test_bad_files_get_a_clear_error(tmp_path, backup_file, empty_target):
    again = accord("backup", str(backup_file), url=database_url(connection.settings_dict))
    assert (again.returncode, "exists already" in again.stderr) == (2, True)
    (tmp_path / "empty.tar").write_bytes(b"")
    with tarfile.open(tmp_path / "not-accord.tar", "w") as tar:
        tar.add(ROOT / "README.md", arcname="README.md")
    for name, message in [
        ("not-accord.tar", "not an Accord backup"),
        ("empty.tar", "not an Accord backup"),
        ("missing.tar", "No such file"),
    ]:
        answer = accord("restore", str(tmp_path / name), url=empty_target)
        assert (answer.returncode, message in answer.stderr) == (2, True), answer.stderr
