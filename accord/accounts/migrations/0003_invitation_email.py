from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def existing_invitations_take_the_persons_email(apps, schema_editor):
    # Links sent before this migration carry no address and are refused anyway; the column is filled so
    # that every row says which address it belongs to.
    Invitation = apps.get_model("accounts", "Invitation")
    Person = apps.get_model("orgs", "Person")
    Invitation.objects.update(email=Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("email")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="email",
            field=models.EmailField(default="", max_length=254),
            preserve_default=False,
        ),
        migrations.RunPython(existing_invitations_take_the_persons_email, migrations.RunPython.noop),
    ]
