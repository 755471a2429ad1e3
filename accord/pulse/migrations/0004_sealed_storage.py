"""Seal what a reader of the database could link to a person (threat model in accord/pulse/models.py):
per-cell aggregates become one sealed tally per round, answer sets and comments keep their cell only
sealed, and pooled answer sets are sealed. Existing rows are sealed under the current SECRET_KEY."""

import django.db.models.deletion
from django.db import migrations, models

from accord.pulse import sealing


def seal_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    Round = apps.get_model("pulse", "Round")
    CellStat = apps.get_model("pulse", "CellStat")
    CellCount = apps.get_model("pulse", "CellCount")
    RoundTally = apps.get_model("pulse", "RoundTally")
    Response = apps.get_model("pulse", "Response")
    Comment = apps.get_model("pulse", "Comment")
    MixingPool = apps.get_model("pulse", "MixingPool")
    for rnd in Round.objects.all().only("pk", "org_id"):
        counts = list(CellCount.objects.filter(round_id=rnd.pk))
        if not counts:
            continue
        dvars = next((list(c.driver_vars) for c in counts if c.driver_n), [])
        value = {
            "driver_vars": dvars,
            "stats": [
                [s.question_id, s.team_id_snapshot, s.tenure_band, s.region, s.n, s.total, s.total_sq, s.hist]
                for s in CellStat.objects.filter(round_id=rnd.pk)
            ],
            "counts": [
                [c.team_id_snapshot, c.tenure_band, c.region, c.respondents, c.commenters, c.driver_n]
                + [c.driver_sums, c.driver_cross]
                for c in counts
            ],
        }
        RoundTally.objects.create(
            org_id=rnd.org_id, round_id=rnd.pk, sealed=sealing.seal(sealing.TALLY, rnd.pk, value)
        )
    for model in (Response, Comment):
        for row in model.objects.all():
            cell = (row.team_id_snapshot, row.tenure_band, row.region)
            row.sealed_cell = sealing.seal_cell(row.round_id, cell)
            row.save(update_fields=["sealed_cell"])
    for row in MixingPool.objects.all():
        row.sealed_payload = sealing.seal(sealing.POOL, row.round_id, row.payload, block=sealing.POOL_BLOCK)
        row.save(update_fields=["sealed_payload"])


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("pulse", "0003_published_rows"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoundTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sealed", models.BinaryField()),
                (
                    "org",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="orgs.organisation"),
                ),
                (
                    "round",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="tally", to="pulse.round"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["org", "round"], name="pulse_round_org_id_f356a6_idx")]
            },
        ),
        migrations.AddField(model_name="response", name="sealed_cell", field=models.BinaryField(null=True)),
        migrations.AddField(model_name="comment", name="sealed_cell", field=models.BinaryField(null=True)),
        migrations.AddField(
            model_name="mixingpool", name="sealed_payload", field=models.BinaryField(null=True)
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="response", name="team_id_snapshot"),
        migrations.RemoveField(model_name="response", name="tenure_band"),
        migrations.RemoveField(model_name="response", name="region"),
        migrations.RemoveField(model_name="comment", name="team_id_snapshot"),
        migrations.RemoveField(model_name="comment", name="tenure_band"),
        migrations.RemoveField(model_name="comment", name="region"),
        migrations.RemoveField(model_name="mixingpool", name="payload"),
        migrations.RenameField(model_name="mixingpool", old_name="sealed_payload", new_name="payload"),
        migrations.AlterField(model_name="mixingpool", name="payload", field=models.BinaryField()),
        migrations.AlterField(model_name="response", name="sealed_cell", field=models.BinaryField()),
        migrations.AlterField(model_name="comment", name="sealed_cell", field=models.BinaryField()),
        migrations.DeleteModel(name="CellStat"),
        migrations.DeleteModel(name="CellCount"),
    ]
