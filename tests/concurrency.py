"""The same work in several threads at once, each on a database connection of its own (SQLite in WAL
mode and PostgreSQL alike), for tests that two schedulers or two requests never do a thing twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def at_once(work: Callable[[], Any], times: int) -> list[Any]:
    """Call `work` in `times` threads released together; return what the calls returned (in the order
    they finished). A thread's exception would otherwise vanish: any is raised here as a failure."""
    start = threading.Barrier(times)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results
