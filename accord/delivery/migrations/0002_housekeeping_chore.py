from django.db import migrations
from django.utils import timezone


def add_chore(apps, schema_editor):
    apps.get_model("delivery", "Chore").objects.get_or_create(
        name="housekeeping", defaults={"next_run_at": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [("delivery", "0001_initial")]

    operations = [migrations.RunPython(add_chore, migrations.RunPython.noop)]
