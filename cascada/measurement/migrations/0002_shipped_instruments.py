"""Version 1 of the instruments Cascada ships (the GEM Scale, the DHS items): see
``cascada/measurement/shipped.py``. Later changes come as new versions, never as edits."""

from django.db import migrations


def load(apps, schema_editor):
    from cascada.measurement.shipped import load as load_shipped

    load_shipped(apps)


def unload(apps, schema_editor):
    apps.get_model("measurement", "Instrument").objects.filter(organization__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("measurement", "0001_instruments_rounds_responses")]

    operations = [migrations.RunPython(load, unload)]
