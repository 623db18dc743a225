import uuid

from django.db import migrations, models


def give_each_sample_a_uuid(apps, schema_editor):
    SoilSample = apps.get_model("farms", "SoilSample")
    for sample in SoilSample.objects.only("pk"):
        SoilSample.objects.filter(pk=sample.pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("farms", "0006_public_map_geometry")]

    operations = [
        migrations.AddField(
            model_name="soilsample",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_sample_a_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="soilsample",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
