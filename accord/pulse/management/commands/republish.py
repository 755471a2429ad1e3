"""`accord republish`: publish again the pulse rounds whose published results are missing or stale.

Requests never publish (they say "being prepared" and queue a republish task); this does the same
work at once, in this process, for an operator after an upgrade or a restore."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.orgs.models import Organisation
from accord.pulse.models import Round
from accord.pulse.publishing import republish
from accord.pulse.queries import stale_rounds


class Command(BaseCommand):
    help = "Publish again the closed pulse rounds whose published results are missing or stale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="SLUG", help="only this organisation's rounds")
        parser.add_argument("--round", type=int, metavar="ID", help="only this round")
        parser.add_argument(
            "--all-stale", action="store_true", help="every stale round (of --org, or of every organisation)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug, round_id, all_stale = options["org"], options["round"], options["all_stale"]
        if not (slug or round_id or all_stale):
            raise CommandError("Say which rounds: --round ID, --org SLUG or --all-stale.")
        org = None
        if slug:
            org = Organisation.objects.filter(slug=slug).first()
            if org is None:
                raise CommandError(f"No organisation with the slug {slug!r}.")
        if round_id is not None:
            found = Round.objects.filter(pk=round_id)
            if org is not None:
                found = found.filter(org=org)
            rnd = found.first()
            if rnd is None:
                raise CommandError(f"No round {round_id}" + (f" in {slug}." if slug else "."))
            if not rnd.closed:
                raise CommandError(f"Round {round_id} is still open: it is published when it closes.")
        todo = stale_rounds(org, round_id)
        if not todo:
            self.stdout.write("Nothing to republish: every published result is current.")
            return
        for rnd in todo:
            # One at a time, oldest first: publishing a round first brings its earlier rounds up to date.
            did = republish([rnd])
            what = "published" if did else "already current (published meanwhile)"
            self.stdout.write(f"{rnd.org.slug}: {rnd.program.name}, round {rnd.number} (id {rnd.pk}): {what}")
        self.stdout.write(f"Republished {len(todo)} round{'s' if len(todo) != 1 else ''}.")
