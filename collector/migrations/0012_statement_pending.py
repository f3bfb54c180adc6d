"""LRS forwarding keeps pending rows (StatementPending) instead of a cursor over seqs, which could
skip a statement whose transaction committed after higher seqs were sent
(collector/xapi/forwarding.py).

The cursor becomes `send_after`, keeping its value: at its next run a forwarding queues every
statement after it, which is exactly what was waiting, and from then on statements are queued
as they are stored.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('collector', '0011_statement_attachments'),
    ]

    operations = [
        migrations.RenameField(
            model_name='lrsforwarding',
            old_name='cursor',
            new_name='send_after',
        ),
        migrations.AlterField(
            model_name='lrsforwarding',
            name='send_after',
            field=models.BigIntegerField(blank=True, default=0, help_text='Send (again) every statement stored after this sequence number, in order, from the next run on: 0 for the whole history. Cleared once queued.', null=True),
        ),
        migrations.CreateModel(
            name='StatementPending',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('forwarding', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='collector.lrsforwarding')),
                ('statement', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='pending', to='collector.statement')),
            ],
            options={
                'verbose_name': 'pending forwarded statement',
                'constraints': [models.UniqueConstraint(fields=('forwarding', 'statement'), name='statementpending_forwarding_statement')],
            },
        ),
    ]
