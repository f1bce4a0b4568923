from django.db import migrations


def load(apps, schema_editor):
    from cascada.indicators.builtins import ensure

    ensure(apps.get_model("indicators", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
