"""The `accord` command: demo, run, web, worker, scheduler, people import/export, manage."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence


def _django(demo: bool = False) -> None:
    if demo:
        os.environ["ACCORD_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_demo(ns: argparse.Namespace) -> int:
    _django(demo=True)
    from django.conf import settings

    from accord.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, generate_demo

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--no-input", "-v", "0")
    org = generate_demo()
    url = f"http://{ns.host}:{ns.port}/"
    print(f"\nAccord demo: {org.name} with {org.people.count()} people.")
    print(f"Open {url} and use one of the one-click buttons on the sign-in page,")
    print(f"or sign in with one of these emails and the password “{DEMO_PASSWORD}”:")
    for role, email in DEMO_ACCOUNTS.items():
        print(f"  {role:8} {email}")
    print("Email is printed here instead of being sent. Stop with Ctrl+C.\n", flush=True)
    return _serve(ns, demo=True)


def cmd_run(ns: argparse.Namespace) -> int:
    _django()
    _manage("migrate", "--no-input", "-v", "0")
    return _serve(ns, demo=False)


def _serve(ns: argparse.Namespace, *, demo: bool) -> int:
    """Web server, one worker and the scheduler, as three child processes that stop together."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="accord.settings",
        SITE_URL=os.environ.get("SITE_URL", f"http://{ns.host}:{ns.port}"),
    )
    if demo:
        env["ACCORD_DEMO"] = "1"
    me = [sys.executable, "-m", "accord.cli"]
    children = [
        subprocess.Popen([*me, "web", "--host", ns.host, "--port", str(ns.port)], env=env),
        subprocess.Popen([*me, "worker"], env=env),
        subprocess.Popen([*me, "scheduler"], env=env),
    ]

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    failed = 0
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        # One child ended on its own: report it and take the others down with it.
        failed = next((c.returncode for c in children if c.returncode is not None), 0) or 0
    except KeyboardInterrupt:
        pass
    stop()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    return abs(failed)


def cmd_web(ns: argparse.Namespace) -> int:
    args = [
        "granian",
        "--interface",
        "wsgi",
        "--host",
        ns.host,
        "--port",
        str(ns.port),
        "--workers",
        str(ns.workers),
        "--no-ws",
        # Each WSGI request holds a thread; a modest cap keeps a small machine responsive under load.
        "--backpressure",
        os.environ.get("WEB_BACKPRESSURE", "8"),
        "accord.wsgi:application",
    ]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    bindir = os.path.dirname(sys.executable)
    os.execv(os.path.join(bindir, "granian"), args)


def cmd_worker(ns: argparse.Namespace) -> int:
    _django()
    from accord.delivery.worker import run

    run(interval=ns.interval)  # django-tasks-db's queue, with a lease and database-error handling
    return 0


def cmd_scheduler(ns: argparse.Namespace) -> int:
    _django()
    from accord.lib.jobs import loop

    loop(interval=ns.interval, once=ns.once)
    return 0


def cmd_import_people(ns: argparse.Namespace) -> int:
    _django()
    from accord.orgs.people_csv import import_people_cli

    return import_people_cli(ns.org, ns.file, apply=ns.apply, create_teams=ns.create_teams)


def cmd_export_people(ns: argparse.Namespace) -> int:
    _django()
    from accord.orgs.people_csv import export_people_cli

    sys.stdout.write(export_people_cli(ns.org))
    return 0


def cmd_create_org(ns: argparse.Namespace) -> int:
    _django()
    from accord.accounts.actions import invitation_token, invite_person
    from accord.accounts.models import User
    from accord.orgs.actions import create_organisation
    from accord.orgs.models import Person

    user = User.objects.filter(email__iexact=ns.owner_email).first() or User.objects.create_user(
        ns.owner_email
    )
    org = create_organisation(ns.name, owner=user, owner_name=ns.owner_name, timezone=ns.timezone)
    owner = Person.objects.get(org=org, user=user)
    from django.conf import settings
    from django.urls import reverse

    invitation = invite_person(owner, invited_by=None)
    how = (
        "sign in with their existing password here to open it"
        if user.has_usable_password()
        else "set a password here"
    )
    print(f"Created {org.name} ({org.slug}). The owner can {how}:")
    print(settings.SITE_URL + reverse("accept_invitation", args=[invitation_token(invitation)]))
    return 0


def cmd_manage(ns: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accord manage", *ns.args])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="accord", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "127.0.0.1")

    for name, func, helptext in [
        ("demo", cmd_demo, "create the demo organisation (once) and run everything"),
        ("run", cmd_run, "migrate, then run web server, worker and scheduler together"),
        ("web", cmd_web, "run only the web server"),
    ]:
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--port", type=int, default=port, help="port (default 8000, or $PORT)")
        p.add_argument("--host", default=host, help="address to bind (default 127.0.0.1, or $HOST)")
        p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        p.set_defaults(func=func)

    p = sub.add_parser("worker", help="run a background task worker")
    p.add_argument("--interval", type=float, default=1.0)
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("scheduler", help="run the scheduler loop that claims due rows")
    p.add_argument("--interval", type=float, default=15.0)
    p.add_argument("--once", action="store_true", help="one tick, then exit")
    p.set_defaults(func=cmd_scheduler)

    p = sub.add_parser("import-people", help="check (default) or apply a people CSV")
    p.add_argument("org", help="organisation slug")
    p.add_argument("file")
    p.add_argument("--apply", action="store_true", help="apply the file; without it, a dry run")
    p.add_argument(
        "--create-teams", action="store_true", help="create teams the file names but the org lacks"
    )
    p.set_defaults(func=cmd_import_people)
    p = sub.add_parser("export-people", help="write the org chart as CSV to stdout")
    p.add_argument("org", help="organisation slug")
    p.set_defaults(func=cmd_export_people)

    p = sub.add_parser("create-org", help="create an organisation and print its owner's invitation link")
    p.add_argument("name")
    p.add_argument("--owner-email", required=True)
    p.add_argument("--owner-name", required=True)
    p.add_argument("--timezone", default="UTC")
    p.set_defaults(func=cmd_create_org)

    p = sub.add_parser("manage", help="any Django management command, e.g. `accord manage migrate`")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    ns = parser.parse_args(argv)
    return int(ns.func(ns) or 0)


if __name__ == "__main__":
    sys.exit(main())
