"""Statements lose their digest: a statement whose id is taken is compared with the stored one's
body when that happens (collector/xapi/statements.py, Taken), rather than every statement paying
for a canonical encoding and a hash it nearly never needs."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("collector", "0012_statement_pending"),
    ]

    operations = [
        migrations.RemoveField(model_name="statement", name="digest"),
    ]
