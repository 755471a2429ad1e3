"""What the benchmarks share: Django pointed at a throwaway database, and timing helpers.

A bench script is run as `.venv/bin/python bench/<name>.py` (or `accord bench <name>`), so this folder
is first on its import path and `import common` finds this module. bench/heatmap.py keeps its own
setup (other benches import its builder as it is).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_sqlite(path: str | Path) -> Path:
    """Delete a throwaway SQLite file and its WAL companions, so the run starts from nothing."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def setup_django(database_url: str, *, secret: str | None = None, task_queue: bool = False) -> None:
    """Point Accord at the bench's own database, never at whatever DATABASE_URL the shell has, and set
    Django up with the app's settings. `task_queue`: enqueued tasks stay in the database queue (no
    worker runs), as in production, instead of the settings' default backend."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    os.environ["DATABASE_URL"] = database_url
    if secret:
        os.environ.setdefault("SECRET_KEY", secret)
    if task_queue:
        os.environ["ACCORD_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{path}"


def timed(fn: Callable[[], object]) -> float:
    """Seconds that one call of `fn` takes."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_ms(samples: list[float]) -> float:
    """The median of samples in seconds, in milliseconds."""
    return statistics.median(samples) * 1000
