#!/usr/bin/env python3
"""Idle keep-alive connections against the web server: does a new visitor still get a page?

    .venv/bin/python bench/keepalive.py                    # 30 idle connections, then one more
    .venv/bin/python bench/keepalive.py --idle 60 --port 8765
    WEB_BACKPRESSURE=8 WEB_THREADS=4 .venv/bin/python bench/keepalive.py   # some other settings

It starts `accord web` (the real granian server with the settings `cmd_web` derives from the
environment) on a throwaway SQLite database, opens --idle browser-like connections with http.client
at once (one thread each), each fetching the sign-in page once and then left open and idle (as a
browser keeps its connections after a page load), and then times one more visitor's request on a fresh
connection. Each idle
connection is then asked for a second page to show it was still being served.

The last lines are `idle connections: <n> of <asked> got a first page`,
`new visitor s: <seconds, or 'timeout'>` and `idle connections still served: <n>`.
Nothing here is asserted; it only prints.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

from common import ROOT  # bench/common.py

PAGE = "/accounts/login/"


def wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the web server did not listen on {port}")


def get(conn: http.client.HTTPConnection) -> int:
    conn.request("GET", PAGE, headers={"Connection": "keep-alive"})
    response = conn.getresponse()
    response.read()
    return response.status


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--idle", type=int, default=30)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--timeout", type=float, default=60.0, help="how long the new visitor waits")
    ns = parser.parse_args()

    var = tempfile.mkdtemp(prefix="accord-keepalive-")
    env = dict(
        os.environ,
        ACCORD_VAR_DIR=var,
        DATABASE_URL=f"sqlite:///{var}/db.sqlite3",
        SECRET_KEY="keepalive-bench",
        ACCORD_SECURE_COOKIES="0",
    )
    accord = [sys.executable, "-m", "accord.cli"]
    subprocess.run([*accord, "manage", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    server = subprocess.Popen(
        [*accord, "web", "--port", str(ns.port)], env=env, cwd=ROOT, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(ns.port, time.monotonic() + 120)
        print(
            "settings:",
            {k: os.environ.get(k) for k in ("WEB_WORKERS", "WEB_BACKPRESSURE", "WEB_THREADS")},
        )
        # Browsers open their connections at once; each fetches a page and then idles, kept alive.
        idle = [http.client.HTTPConnection("127.0.0.1", ns.port, timeout=ns.timeout) for _ in range(ns.idle)]
        waits: list[float] = []

        def first_page(conn: http.client.HTTPConnection) -> None:
            began = time.monotonic()
            try:
                if get(conn) == 200:
                    waits.append(time.monotonic() - began)
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                print("an idle connection got no first page:", exc)

        threads = [threading.Thread(target=first_page, args=(conn,)) for conn in idle]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        opened = len(waits)
        print(f"slowest first page of the {ns.idle} s: {max(waits, default=0):.3f}")
        print(f"first pages slower than 1 s: {sum(w > 1 for w in waits)}")
        start = time.monotonic()
        visitor = http.client.HTTPConnection("127.0.0.1", ns.port, timeout=ns.timeout)
        try:
            status = get(visitor)
            took = f"{time.monotonic() - start:.3f}"
        except (TimeoutError, OSError):
            status, took = 0, "timeout"
        print("new visitor status:", status)
        still = 0
        for conn in idle:
            # A connection the server closed meanwhile raises: a browser would reconnect.
            with contextlib.suppress(TimeoutError, OSError, http.client.HTTPException):
                still += get(conn) == 200
        print(f"idle connections: {opened} of {ns.idle} got a first page")
        print(f"new visitor s: {took}")
        print(f"idle connections still served: {still}")
    finally:
        server.terminate()
        server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
