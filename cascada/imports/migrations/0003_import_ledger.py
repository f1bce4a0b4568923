# Issue 8: the commit ledger, the sheet read, kinds registered by the apps, new statuses.

import cascada.core.crypto
import cascada.imports.kinds
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0002_encrypt_upload_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='commit_problem',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='importjob',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='importjob',
            name='last_row',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='importjob',
            name='rows_done',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='importjob',
            name='sheet',
            field=cascada.core.crypto.EncryptedTextField(blank=True, verbose_name='sheet'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='skip_errors',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='importjob',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='importjob',
            name='kind',
            field=models.CharField(choices=cascada.imports.kinds.kind_choices, max_length=12, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='importjob',
            name='status',
            field=models.CharField(choices=[('uploaded', 'Waiting to be checked'), ('validated', 'Checked, waiting for confirmation'), ('importing', 'Importing'), ('stopped', 'Stopped part way'), ('confirmed', 'Imported'), ('rejected', 'Rejected')], default='validated', max_length=10, verbose_name='status'),
        ),
    ]
