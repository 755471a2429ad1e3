"""Real worker processes against the test database, for the tests that kill them or break their
database connection. The pytest process enqueues and counts; the worker is `accord worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "var" / "test-logs"


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="accord.settings",
        DATABASE_URL=database_url(),
        EMAIL_URL=f"smtp://{settings.EMAIL_HOST}:{settings.EMAIL_PORT}",
        SECRET_KEY=settings.SECRET_KEY,
        LOG_LEVEL="INFO",
        **extra,
    )


def start_worker(name: str, **extra: str) -> subprocess.Popen[bytes]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / f"{name}-{os.getpid()}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "worker", "--interval", "0.05"],
        env=worker_env(**extra),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(check, timeout: float, step: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    """Poll until check() is true; a deadline only stops a hung test, it is never asserted on."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()
