"""`accord run` as an operator meets it: real processes, real signals, a real port.

A child killed with SIGKILL comes back; the supervisor killed with SIGKILL leaves nothing serving; a
SIGTERM stops everything. The processes use a throwaway SQLite database of their own (what is under
test here is the process tree, not the database). Linux only: children are found through /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="reads the process tree in /proc (Linux)"
)

ROOT = Path(__file__).resolve().parents[2]
# Seconds: generous (a loaded machine migrates slowly); how long to keep looking, never a claim about speed.
PATIENCE = 180.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> dict[int, str]:
    """{pid: which part} for the direct children of `pid`, named from their command line."""
    found: dict[int, str] = {}
    try:
        pids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return found
    for child in map(int, pids):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        words = [a.decode() for a in argv]
        part = next((w for w in ("web", "worker", "scheduler") if w in words), None)
        if part is None and any(w.endswith("granian") for w in words):
            part = "web"  # the web child has exec'd into granian
        if part:
            found[child] = part
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def serves(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def until(condition, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting: {what}")


@pytest.fixture
def accord_run(tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        ACCORD_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        SECRET_KEY="supervise-test",
        ACCORD_SECURE_COOKIES="0",
        WEB_WORKERS="1",
    )
    parent = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "run", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "run.log").open("wb"),
    )
    everyone: set[int] = set()

    def parts() -> dict[str, int]:
        found = {part: pid for pid, part in children_of(parent.pid).items()}
        everyone.update(found.values())
        return found if len(found) == 3 else {}

    until(lambda: parts() and serves(port), "accord run to start its three parts and serve")
    yield parent, port, parts, everyone
    if parent.poll() is None:
        parent.kill()
        parent.wait()
    for pid in everyone:  # leave nothing behind, whatever the test did
        for group_or_pid in (-pid, pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(group_or_pid, signal.SIGKILL)


def test_a_killed_child_is_started_again_and_the_others_keep_running(accord_run):
    parent, port, parts, _ = accord_run
    before = parts()

    os.kill(before["scheduler"], signal.SIGKILL)
    after = until(lambda: (p := parts()) and p["scheduler"] != before["scheduler"] and p, "a new scheduler")
    # The web server and the worker were not touched, and nothing stopped serving.
    assert (after["web"], after["worker"]) == (before["web"], before["worker"])
    assert serves(port)

    os.kill(before["web"], signal.SIGKILL)  # granian's main process; its worker processes go with its group
    until(lambda: (p := parts()) and p["web"] != before["web"] and serves(port), "a new web server, serving")
    os.kill(parts()["worker"], signal.SIGKILL)
    until(lambda: (p := parts()) and p["worker"] != before["worker"], "a new worker")
    assert parent.poll() is None


def test_killing_the_supervisor_leaves_nothing_serving(accord_run):
    parent, port, parts, everyone = accord_run
    started = set(parts().values())
    parent.kill()
    parent.wait()
    until(lambda: not listening(port), "the port to be free")
    until(lambda: not any(alive(pid) for pid in started), "every child to end")
    # The port really is free: a new server can listen on it, as a restarted `accord run` would
    # (SO_REUSEADDR, as servers set it, only looks past this test's own closed connections).
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()


def test_sigterm_stops_every_part_and_exits_cleanly(accord_run):
    parent, port, parts, _ = accord_run
    started = set(parts().values())
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=PATIENCE) == 0
    assert [pid for pid in started if alive(pid)] == []
    assert not listening(port)
