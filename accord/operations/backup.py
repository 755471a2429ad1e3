"""`accord backup` and `accord restore`: a consistent copy of the database while Accord runs, and its
return into an empty install, with the secret key handled on purpose rather than by accident.

A backup is one tar file holding `manifest.json` and the database: on SQLite a copy made with SQLite's
online backup API (a consistent snapshot, taken while writers carry on; a plain file copy of a live
database can be corrupt), on PostgreSQL a `pg_dump` archive in custom format.

The secret key is never in it. The key seals stored pulse data and derives the keys that let comment
authors find their reply threads; a backup that carried it would let whoever holds the file read what
the database alone must not tell. The manifest holds only the key's fingerprint (an HMAC under the
key, which reveals nothing of it), so that a restore can tell whether the install it restores into
holds the same key, and refuse (or, with --accept-loss, say exactly what is lost) when it does not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATA = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def key_fingerprint(key: str) -> str:
    return hmac.new(key.encode(), b"accord backup: which secret key", hashlib.sha256).hexdigest()[:24]


def key_source() -> str:
    """Where this install's secret key comes from, for the operator who must keep it apart."""
    from accord.lib.secret import default_key_file

    if os.environ.get("SECRET_KEY"):
        return "the SECRET_KEY environment variable"
    return f"the key file {default_key_file(os.environ)}"


def _postgres_env() -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore: the same database Django uses."""
    db = connection.settings_dict
    env = dict(os.environ)
    for var, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not on PATH; install the PostgreSQL client tools (e.g. postgresql-client)."
        )
    return found


def _copy_sqlite(source: str, dest: Path) -> None:
    # One backup step copies every page inside one read transaction: a consistent snapshot, while
    # writers in WAL mode carry on.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    out = sqlite3.connect(dest)
    try:
        src.backup(out)
    finally:
        out.close()
        src.close()


def backup(path: Path) -> dict[str, Any]:
    """Write a backup of the database to `path` (a new file); returns its manifest."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new name so no earlier backup is overwritten.")
    vendor = connection.vendor
    if vendor not in DATA:
        raise BackupError(f"backing up a {vendor} database is not supported")
    manifest = {
        "format": FORMAT,
        "database": vendor,
        "created": timezone.now().isoformat(),
        "key_fingerprint": key_fingerprint(settings.SECRET_KEY),
    }
    with tempfile.TemporaryDirectory(dir=path.parent if path.parent.exists() else None) as tmp:
        data = Path(tmp) / DATA[vendor]
        if vendor == "sqlite":
            _copy_sqlite(str(connection.settings_dict["NAME"]), data)
        else:
            subprocess.run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={data}"],
                env=_postgres_env(),
                check=True,
            )
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, indent=2))
        partial = Path(tmp) / "backup.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(tmp) / MANIFEST, arcname=MANIFEST)
            tar.add(data, arcname=DATA[vendor])
        os.chmod(partial, 0o600)  # people's names and emails: readable by the owner only
        shutil.move(partial, path)
    return manifest


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("this file is not an Accord backup (it has no manifest.json)")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT or manifest.get("database") not in DATA:
        raise BackupError(f"this backup's format ({manifest.get('format')}) is not one this Accord reads")
    return manifest


@dataclass
class Loss:
    """What a restore under a different secret key cannot bring back, counted in the restored data."""

    counts: dict[str, int]

    def lines(self) -> list[str]:
        return [f"  {n:>7}  {what}" for what, n in self.counts.items()]


def key_loss() -> Loss:
    from django.contrib.sessions.models import Session

    from accord.accounts.models import Invitation
    from accord.pulse.models import Comment, MixingPool, Response, RoundTally

    now = timezone.now()
    return Loss(
        {
            "signed-in sessions end (everyone signs in again)": Session.objects.count(),
            "invitation links already sent stop working (send them again)": Invitation.objects.filter(
                used_at__isnull=True, expires_at__gt=now
            ).count(),
            "pulse comments whose authors can no longer find their reply threads": Comment.objects.count(),
            "anonymous answer sets whose group (team, tenure, region) can no longer be read": (
                Response.objects.count()
            ),
            "answer sets still waiting to be mixed, which can no longer be read": MixingPool.objects.count(),
            "pulse round tallies (results) that can no longer be read": RoundTally.objects.count(),
        }
    )


def _require_empty() -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"the database Accord is configured for is not empty ({len(tables)} tables); restore into an "
            "empty database (a new SQLite path in DATABASE_URL, or a new PostgreSQL database) so nothing "
            "is overwritten."
        )


def restore(path: Path, *, accept_loss: bool = False) -> Loss | None:
    """Restore the backup at `path` into this (empty) install. Returns what the key difference lost,
    None when the key matches. Raises BackupError, changing nothing, when it cannot proceed."""
    try:
        tar = tarfile.open(path, "r")  # noqa: SIM115 - closed by the `with tar` below
    except tarfile.ReadError as exc:
        raise BackupError(f"{path} is not an Accord backup (not a tar file)") from exc
    with tar:
        manifest = read_manifest(tar)
        vendor = manifest["database"]
        if vendor != connection.vendor:
            raise BackupError(
                f"this backup is of a {vendor} database but DATABASE_URL points at {connection.vendor}"
            )
        same_key = manifest["key_fingerprint"] == key_fingerprint(settings.SECRET_KEY)
        if not same_key and not accept_loss:
            raise BackupError(
                "this install's secret key is not the one the backup was made with (fingerprint "
                f"{key_fingerprint(settings.SECRET_KEY)}, backup {manifest['key_fingerprint']}). Put the "
                "original key in place (SECRET_KEY or the key file) and run the restore again. Restoring "
                "without it ends every session, voids invitation links, cuts pulse comment authors off "
                "from their reply threads and leaves sealed pulse answers and results unreadable; to do "
                "it anyway, add --accept-loss and the restore will count each of these."
            )
        _require_empty()
        with tempfile.TemporaryDirectory() as tmp:
            tar.extract(DATA[vendor], tmp, filter="data")
            data = Path(tmp) / DATA[vendor]
            connection.close()
            if vendor == "sqlite":
                _restore_sqlite(data, Path(str(connection.settings_dict["NAME"])))
            else:
                pg_restore = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
                subprocess.run(
                    [*pg_restore, "--dbname", str(connection.settings_dict["NAME"]), str(data)],
                    env=_postgres_env(),
                    check=True,
                )
    return None if same_key else key_loss()


def _restore_sqlite(data: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
    out = sqlite3.connect(target)
    try:
        src.backup(out)
        out.execute("PRAGMA journal_mode=WAL")
    finally:
        out.close()
        src.close()
