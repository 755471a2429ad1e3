"""Workers beat in operations' Heartbeat table, beside the scheduler: one model for every process's
sign of life. The beats of workers running during the upgrade move over, so the lease does not mistake
them for dead and hand their tasks to another worker."""

from django.db import migrations


def move_beats(apps, schema_editor):
    WorkerBeat = apps.get_model("delivery", "WorkerBeat")
    Heartbeat = apps.get_model("operations", "Heartbeat")
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=f"worker:{b.worker_id}", at=b.beat_at) for b in WorkerBeat.objects.all()],
        ignore_conflicts=True,
    )


def move_back(apps, schema_editor):
    WorkerBeat = apps.get_model("delivery", "WorkerBeat")
    Heartbeat = apps.get_model("operations", "Heartbeat")
    WorkerBeat.objects.bulk_create(
        WorkerBeat(worker_id=h.name.removeprefix("worker:"), beat_at=h.at)
        for h in Heartbeat.objects.filter(name__startswith="worker:")
    )
    Heartbeat.objects.filter(name__startswith="worker:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0002_housekeeping_chore"),
        ("operations", "0002_heartbeat_names_for_workers"),
    ]

    operations = [
        migrations.RunPython(move_beats, move_back),
        migrations.DeleteModel(name="WorkerBeat"),
    ]
