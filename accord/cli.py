"""The `accord` command: demo, run, web, worker, scheduler, people import/export, republish, bench, manage."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


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
    """Web server, one worker and the scheduler as supervised child processes (accord/lib/supervise.py):
    one that dies is started again, and none outlives `accord run`."""
    from accord.lib.supervise import Supervisor

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="accord.settings",
        SITE_URL=os.environ.get("SITE_URL", f"http://{ns.host}:{ns.port}"),
    )
    if demo:
        env["ACCORD_DEMO"] = "1"
    me = [sys.executable, "-m", "accord.cli"]
    web = [*me, "web", "--host", ns.host, "--port", str(ns.port), "--workers", str(ns.workers)]
    return Supervisor({"web": web, "worker": [*me, "worker"], "scheduler": [*me, "scheduler"]}, env).run()


def default_web_threads() -> int:
    """Twice the cores and one, at most 8: Django's requests mostly wait on the database, but past this
    granian warns that Python threads outnumber the cores it has."""
    return min(8, 2 * (os.cpu_count() or 1) + 1)


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
        # Requests in flight per process: each holds one of these threads (and, on PostgreSQL, one
        # database connection) while Django runs; more wait in granian's queue, not on a connection.
        "--blocking-threads",
        os.environ.get("WEB_THREADS", str(default_web_threads())),
        # Open connections per process, idle keep-alive ones included (granian counts a connection, not a
        # request, against this): it must sit far above the browsers a process serves, or idle tabs
        # lock new visitors out until their keep-alive ends (eight per process made them wait ~30 s).
        "--backpressure",
        os.environ.get("WEB_BACKPRESSURE", "512"),
        "accord.wsgi:application",
    ]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    bindir = os.path.dirname(sys.executable)
    os.execv(os.path.join(bindir, "granian"), args)


def cmd_worker(ns: argparse.Namespace) -> int:
    _django()
    from accord.delivery import worker
    from accord.pulse.publishing import request_republish
    from accord.pulse.queries import stale_rounds

    # Pulse rounds left stale (new gate rules after an upgrade, a restore) are queued at start, so they are
    # published again without waiting for someone to open their results.
    request_republish(stale_rounds())
    # django-tasks-db's queue, with a lease on running tasks and database-error handling.
    worker.run(interval=ns.interval, batch=ns.batch)
    return 0


def cmd_republish(ns: argparse.Namespace) -> int:
    _django()
    args = [*(["--org", ns.org] if ns.org else []), *(["--round", str(ns.round)] if ns.round else [])]
    from django.core.management import CommandError

    try:
        _manage("republish", *args, *(["--all-stale"] if ns.all_stale else []))
    except CommandError as exc:
        print(f"accord republish: {exc}", file=sys.stderr)
        return 2
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


def cmd_backup(ns: argparse.Namespace) -> int:
    _django()
    from accord.operations.backup import BackupError, backup, key_source

    try:
        manifest = backup(ns.path)
    except (BackupError, subprocess.CalledProcessError) as exc:
        print(f"accord backup: {exc}", file=sys.stderr)
        return 2
    print(f"Backed up the {manifest['database']} database to {ns.path}.")
    print(
        f"The secret key is NOT in it. Keep a copy of it apart from the backups: it comes from {key_source()}"
    )
    print(f"(fingerprint {manifest['key_fingerprint']}; a restore checks it).")
    return 0


def cmd_restore(ns: argparse.Namespace) -> int:
    _django()
    from accord.operations.backup import BackupError, restore

    try:
        loss = restore(ns.path, accept_loss=ns.accept_loss)
    except (BackupError, subprocess.CalledProcessError, OSError) as exc:
        print(f"accord restore: {exc}", file=sys.stderr)
        return 2
    print(f"Restored {ns.path}.")
    if loss is not None:
        print("The secret key differs from the backup's (--accept-loss). Lost with it:")
        print("\n".join(loss.lines()))
    print("Next: `accord run` (it applies any newer migrations first), or `accord manage migrate`.")
    return 0


BENCH = Path(__file__).resolve().parent.parent / "bench"


def cmd_bench(ns: argparse.Namespace) -> int:
    """Run bench/<name>.py with this Python (the project's), or list the benches without a name."""
    benches = sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "common")
    if not ns.name:
        print("Benchmarks (bench/README.md says what each measures):")
        print("\n".join(f"  {name}" for name in benches))
        return 0
    if ns.name not in benches:
        print(f"accord bench: no benchmark {ns.name!r}; one of: {', '.join(benches)}", file=sys.stderr)
        return 2
    return subprocess.call([sys.executable, str(BENCH / f"{ns.name}.py"), *ns.args], cwd=BENCH.parent)


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
    p.add_argument("--batch", action="store_true", help="run the queued tasks, then exit")
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

    p = sub.add_parser("republish", help="publish again pulse rounds whose results are missing or stale")
    p.add_argument("--org", metavar="SLUG", help="only this organisation's rounds")
    p.add_argument("--round", type=int, metavar="ID", help="only this round")
    p.add_argument("--all-stale", action="store_true", help="every stale round")
    p.set_defaults(func=cmd_republish)

    p = sub.add_parser("create-org", help="create an organisation and print its owner's invitation link")
    p.add_argument("name")
    p.add_argument("--owner-email", required=True)
    p.add_argument("--owner-name", required=True)
    p.add_argument("--timezone", default="UTC")
    p.set_defaults(func=cmd_create_org)

    p = sub.add_parser("backup", help="write a consistent backup of the database (not the secret key)")
    p.add_argument("path", type=Path, help="the backup file to create")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup into an empty install (same secret key)")
    p.add_argument("path", type=Path)
    p.add_argument(
        "--accept-loss",
        action="store_true",
        help="restore even though the secret key differs, and list what that loses",
    )
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("bench", help="run a benchmark of bench/ (without a name, list them)")
    p.add_argument("name", nargs="?", help="the benchmark, e.g. coffee")
    p.add_argument("args", nargs=argparse.REMAINDER, help="its own options, e.g. --people 2000")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("manage", help="any Django management command, e.g. `accord manage migrate`")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    ns = parser.parse_args(argv)
    return int(ns.func(ns) or 0)


if __name__ == "__main__":
    sys.exit(main())
