"""Give every organisation that already exists its check-in planner row (new ones get it on creation)."""

from django.db import migrations
from django.utils import timezone


def create_schedules(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    CheckinSchedule = apps.get_model("checkins", "CheckinSchedule")
    have = set(CheckinSchedule.objects.values_list("org_id", flat=True))
    now = timezone.now()
    CheckinSchedule.objects.bulk_create(
        [
            CheckinSchedule(org_id=pk, next_plan_at=now)
            for pk in Organisation.objects.values_list("id", flat=True)
            if pk not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("checkins", "0001_initial")]

    operations = [migrations.RunPython(create_schedules, migrations.RunPython.noop)]
