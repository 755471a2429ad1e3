"""Room in a heartbeat's name for "worker:" and a worker's id, now that workers beat here too."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("operations", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="heartbeat",
            name="name",
            field=models.CharField(max_length=80, primary_key=True, serialize=False),
        ),
    ]
