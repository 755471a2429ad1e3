"""Give every organisation that already exists its celebration planner row (later ones get it the first
time anyone opens the home page or a kudos page)."""

from django.db import migrations
from django.utils import timezone


def create_schedules(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    CelebrationSchedule = apps.get_model("kudos", "CelebrationSchedule")
    have = set(CelebrationSchedule.objects.values_list("org_id", flat=True))
    now = timezone.now()
    CelebrationSchedule.objects.bulk_create(
        [
            CelebrationSchedule(org_id=pk, next_plan_at=now)
            for pk in Organisation.objects.values_list("id", flat=True)
            if pk not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("kudos", "0001_initial"), ("orgs", "0001_initial")]

    operations = [migrations.RunPython(create_schedules, migrations.RunPython.noop)]
