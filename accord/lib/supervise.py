"""`accord run`'s supervisor: keeps the web server, the worker and the scheduler running, and never
leaves one behind.

- A child that dies is started again after a pause that doubles from one second up to a minute (and
  starts over once a child has stayed up for a minute), so a crash loop does not spin, and one part
  failing never takes the others down: the web server keeps serving while the worker restarts.
- Each child runs in a process group of its own. When a child dies, whatever it started (granian's
  worker processes) is ended with its group before the restart, so nothing stale holds the port.
- SIGTERM or SIGINT (Ctrl+C) stop every group: SIGTERM first, SIGKILL after a grace period.
- If the supervisor itself is killed (SIGKILL, the OOM killer), each child learns it from the kernel:
  on Linux they are started with PR_SET_PDEATHSIG, so the kernel sends them SIGTERM when the
  supervisor dies, and a child that finds its parent already gone before that was set exits at once.
  Elsewhere this guarantee is missing; run the parts under a service manager there.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

log = logging.getLogger("accord.run")

PR_SET_PDEATHSIG = 1
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
# A child that stayed up this long is healthy again: its next restart starts from the first pause.
STEADY = 60.0
GRACE = 10.0


def _parent_death_signal() -> Callable[[], None] | None:
    """A preexec function that makes the kernel send the child SIGTERM when this process dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    parent = os.getpid()

    def arm() -> None:
        # Runs in the child between fork and exec: no allocation-heavy work, no logging.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(1)  # the parent died before the line above took effect

    return arm


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    pause: float = FIRST_PAUSE
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    commands: Mapping[str, Sequence[str]]
    env: Mapping[str, str]
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def __post_init__(self) -> None:
        self.children = [Child(name, list(argv)) for name, argv in self.commands.items()]
        self._arm = _parent_death_signal()

    def start(self, child: Child) -> None:
        child.process = subprocess.Popen(
            child.argv, env=dict(self.env), process_group=0, preexec_fn=self._arm
        )
        child.started = time.monotonic()
        child.restart_at = None
        log.info("started %s (pid %s)", child.name, child.process.pid)

    def _end_group(self, child: Child, sig: signal.Signals) -> None:
        if child.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, sig)

    def check(self) -> None:
        """Notice dead children and start them again once their pause is over."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at and not self.stopping:
                    child.restarts += 1
                    self.start(child)
                continue
            if child.process is None or child.process.poll() is None:
                continue
            # Whatever the dead child started goes with it, so the next one finds the port free.
            self._end_group(child, signal.SIGKILL)
            if now - child.started >= STEADY:
                child.pause = FIRST_PAUSE
            log.warning(
                "%s (pid %s) exited with status %s; starting it again in %.0f s",
                child.name,
                child.process.pid,
                child.process.returncode,
                child.pause,
            )
            child.restart_at = now + child.pause
            child.pause = min(child.pause * 2, LONGEST_PAUSE)

    def stop(self) -> None:
        self.stopping = True
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in self.children:
            self._end_group(child, signal.SIGTERM)
        deadline = time.monotonic() + GRACE
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s; killing it", child.name, GRACE)
        for child in self.children:
            self._end_group(child, signal.SIGKILL)
            if child.process is not None:
                child.process.wait()

    def run(self, poll: float = 0.5) -> int:
        """Start everything and supervise until SIGTERM or SIGINT; 0 after an orderly stop."""

        def on_signal(signum: int, _frame: object) -> None:
            if not self.stopping:
                log.info("stopping on %s", signal.Signals(signum).name)
            self.stopping = True

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for child in self.children:
                self.start(child)
            while not self.stopping:
                self.check()
                time.sleep(poll)
        finally:
            self.stop()
            for s, handler in previous.items():
                signal.signal(s, handler)
        return 0
