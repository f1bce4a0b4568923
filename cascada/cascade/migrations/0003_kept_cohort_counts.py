"""Each cohort's enrolled and completed counts and its sessions attended kept beside its
headcount; every program is marked whole so that its next read (or the schedule's sweep)
fills them."""

from django.db import migrations, models


def mark_every_program(apps, schema_editor):
    Program = apps.get_model("trainings", "Program")
    FiguresStale = apps.get_model("cascade", "FiguresStale")
    FiguresStale.objects.bulk_create(
        FiguresStale(program_id=pk) for pk in Program.objects.values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cascade", "0002_kept_program_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="cohortheadcount",
            name="completed",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="cohortheadcount",
            name="enrolled",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="cohortheadcount",
            name="attended",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(mark_every_program, migrations.RunPython.noop),
    ]
