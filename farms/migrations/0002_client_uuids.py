"""Client-generated identifiers (offline sync) on producers and plots.

Existing rows each get their own UUID before the column becomes unique.
"""

import uuid

from django.db import migrations, models


def fill_uuids(apps, schema_editor):
    for model_name in ("Producer", "Plot"):
        model = apps.get_model("farms", model_name)
        for row in model.objects.filter(uuid__isnull=True).only("pk"):
            model.objects.filter(pk=row.pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("farms", "0001_initial")]

    operations = [
        migrations.AddField("producer", "uuid", models.UUIDField(null=True, editable=False)),
        migrations.AddField("plot", "uuid", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            "producer", "uuid", models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        ),
        migrations.AlterField(
            "plot", "uuid", models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        ),
    ]
