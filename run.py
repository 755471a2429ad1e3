#!/usr/bin/env python3
"""Accord from a fresh clone, with nothing but Python 3.11+:

    python3 run.py demo     start Accord with the demo organisation on http://127.0.0.1:8000
    python3 run.py test     run the test suite (extra arguments go to pytest)
    python3 run.py <args>   any `accord` command, e.g. `python3 run.py run --port 9000`

It installs uv into ./.tools if uv is not on PATH, then lets uv create ./.venv from uv.lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"


def find_uv() -> str:
    local = TOOLS / "bin" / "uv"
    if local.exists():
        return str(local)
    found = shutil.which("uv")
    if found:
        return found
    print("Installing uv into .tools/ (one time) ...", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--target",
        str(TOOLS),
        "uv",
    ]
    # Installing into a private folder as root is fine here; silence pip's warning about it.
    quiet = dict(os.environ, PIP_ROOT_USER_ACTION="ignore")
    if subprocess.call(cmd, env=quiet) != 0:
        # Some Pythons ship without pip in the base install; a throwaway venv always has it.
        venv = TOOLS / "venv"
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        subprocess.check_call(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--target", str(TOOLS), "uv"]
        )
    return str(local)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must run on any python3 to say so
        sys.exit("Accord needs Python 3.11 or newer.")
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    uv = find_uv()
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(ROOT / ".venv"), UV_PYTHON=sys.executable)
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    # Trust the machine's certificate store (as pip does), so a company proxy's CA works too.
    env.setdefault("UV_SYSTEM_CERTS", "1")
    subprocess.check_call([uv, "sync", "--frozen", "--quiet"], cwd=ROOT, env=env)
    if argv[0] == "test":
        cmd = [uv, "run", "--frozen", "--no-sync", "pytest", *argv[1:]]
    else:
        cmd = [uv, "run", "--frozen", "--no-sync", "accord", *argv]
    try:
        return subprocess.call(cmd, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
