"""Give every existing organisation its celebration planner row.

The home page used to create it on first view (a write on GET); new organisations now get it from the
`organisation_created` hook, and this makes the same true for those created before."""

from django.db import migrations
from django.utils import timezone


def schedule_all(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    CelebrationSchedule = apps.get_model("kudos", "CelebrationSchedule")
    now = timezone.now()
    missing = Organisation.objects.exclude(pk__in=CelebrationSchedule.objects.values("org_id"))
    CelebrationSchedule.objects.bulk_create(CelebrationSchedule(org=org, next_plan_at=now) for org in missing)


class Migration(migrations.Migration):
    dependencies = [("kudos", "0003_text_refuses_control_characters"), ("orgs", "0001_initial")]

    operations = [migrations.RunPython(schedule_all, migrations.RunPython.noop)]
