"""Where SECRET_KEY comes from when the environment does not give it.

The key signs sessions, invitation and reset links, and derives the keys of pulse reply threads, so
whoever holds both the key and a copy of the database learns more than the database alone tells. A
backup of the data folder must therefore not carry it: the key lives in the user's config folder
($XDG_CONFIG_HOME/accord/secret_key, else ~/.config/accord/secret_key), or wherever
ACCORD_SECRET_KEY_FILE points. Installs from before kept it in the data folder; it is moved once, so
sessions, links and reply threads keep working.

Imported by accord/settings.py before Django is set up: only the standard library here.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

logger = logging.getLogger("accord.settings")

FILE_NAME = "secret_key"


def default_key_file(environ: Mapping[str, str]) -> Path:
    if environ.get("ACCORD_SECRET_KEY_FILE"):
        return Path(environ["ACCORD_SECRET_KEY_FILE"]).expanduser()
    config = environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec says to ignore a relative path here.
    base = (
        Path(config)
        if config and Path(config).is_absolute()
        else Path(environ.get("HOME") or Path.home()) / ".config"
    )
    return base / "accord" / FILE_NAME


def _write_private(path: Path, key: str) -> None:
    """Create `path` readable by its owner only, from the first byte (no window with looser rights)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")


def load_secret_key(environ: Mapping[str, str], var_dir: Path) -> str:
    """SECRET_KEY from the environment, else from the key file (made on first start)."""
    if environ.get("SECRET_KEY"):
        return environ["SECRET_KEY"]
    path = default_key_file(environ)
    old = var_dir / FILE_NAME
    if old.exists() and old.resolve() != path.resolve():
        return _move_old_key(old, path)
    if not path.exists():
        try:
            _write_private(path, secrets.token_urlsafe(50))
        except OSError as exc:
            # No writable config folder (a service user without a home, say): keep working as before,
            # and say how to do better.
            logger.warning(
                "Cannot write the secret key to %s (%s); keeping it in the data folder at %s instead. "
                "Set SECRET_KEY or ACCORD_SECRET_KEY_FILE so that backups of the data do not carry it.",
                path,
                exc,
                old,
            )
            if not old.exists():
                var_dir.mkdir(parents=True, exist_ok=True)
                _write_private(old, secrets.token_urlsafe(50))
            return old.read_text().strip()
    return path.read_text().strip()


def _move_old_key(old: Path, path: Path) -> str:
    key = old.read_text().strip()
    if path.exists():
        if path.read_text().strip() == key:
            old.unlink()
            logger.warning(
                "Removed the copy of the secret key in the data folder (%s); it is kept in %s.", old, path
            )
            return key
        # Two different keys: switching would end sessions, void links and orphan pulse reply threads of
        # this install. Keep using the old one and say what to do.
        logger.warning(
            "The data folder holds a secret key (%s) that differs from %s; still using the data folder's. "
            "Move it out of the data folder and point ACCORD_SECRET_KEY_FILE at it.",
            old,
            path,
        )
        return key
    try:
        _write_private(path, key)
    except OSError as exc:
        logger.warning(
            "The secret key is still in the data folder (%s): cannot move it to %s (%s). Set SECRET_KEY "
            "or ACCORD_SECRET_KEY_FILE so that backups of the data do not carry it.",
            old,
            path,
            exc,
        )
        return key
    old.unlink()
    logger.warning("Moved the secret key out of the data folder, from %s to %s.", old, path)
    return key
