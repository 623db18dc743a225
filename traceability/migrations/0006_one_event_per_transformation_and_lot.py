from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("traceability", "0005_scan_sources_and_public_warning")]

    operations = [
        migrations.AddConstraint(
            model_name="traceevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("transformation_id__isnull", False)),
                fields=("batch", "transformation_id"),
                name="one_event_per_transformation_and_lot",
            ),
        ),
    ]
