"""Tenants: every API key, learner, session, event and data request belongs to one.

Everything that exists goes into the tenant "default" (the embedded set-up's, which the school
side's in-process client uses), so an upgraded collector answers exactly as before to the keys
it had. Opaque ids become a namespace per tenant, event ids unique per tenant, and each learner
known so far gets a row (carrying its revocation, which had a table of its own).
"""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def into_default_tenant(apps, schema_editor):
    alias = schema_editor.connection.alias
    Tenant = apps.get_model("collector", "Tenant")
    Learner = apps.get_model("collector", "Learner")
    default, _ = Tenant.objects.using(alias).get_or_create(name="default")
    for name in ("ApiKey", "DataRequest", "Event", "Session"):
        apps.get_model("collector", name).objects.using(alias).update(tenant=default)
    revoked = dict(
        apps.get_model("collector", "LearnerRevocation")
        .objects.using(alias)
        .values_list("learner", "revoked_ms")
    )
    known = set(revoked)
    for name in ("Event", "Session"):
        model = apps.get_model("collector", name)
        known.update(
            model.objects.using(alias).order_by().values_list("learner", flat=True).distinct()
        )
    rows = [
        Learner(tenant=default, opaque_id=learner, revoked_ms=revoked.get(learner))
        for learner in sorted(known)
    ]
    Learner.objects.using(alias).bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("collector", "0002_session_measures"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tenant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="Learner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("opaque_id", models.CharField(max_length=64)),
                ("revoked_ms", models.BigIntegerField(null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("tenant", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="collector.tenant")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("tenant", "opaque_id"), name="learner_tenant_opaque")],
            },
        ),
        migrations.AddField(
            model_name="apikey",
            name="tenant",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="api_keys", to="collector.tenant"),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="tenant",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="collector.tenant"),
        ),
        migrations.AddField(
            model_name="event",
            name="tenant",
            field=models.ForeignKey(null=True, db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="collector.tenant"),
        ),
        migrations.AddField(
            model_name="session",
            name="tenant",
            field=models.ForeignKey(null=True, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="collector.tenant"),
        ),
        migrations.RunPython(into_default_tenant, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apikey",
            name="tenant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="api_keys", to="collector.tenant"),
        ),
        migrations.AlterField(
            model_name="datarequest",
            name="tenant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="collector.tenant"),
        ),
        migrations.AlterField(
            model_name="event",
            name="tenant",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="collector.tenant"),
        ),
        migrations.AlterField(
            model_name="session",
            name="tenant",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="collector.tenant"),
        ),
        migrations.AlterField(
            model_name="event",
            name="event_id",
            field=models.UUIDField(),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(fields=("tenant", "event_id"), name="event_tenant_event_id"),
        ),
        migrations.RemoveConstraint(
            model_name="session",
            name="session_learner_widget_session",
        ),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.UniqueConstraint(fields=("tenant", "learner", "widget", "session"), name="session_tenant_learner_widget_session"),
        ),
        migrations.DeleteModel(
            name="LearnerRevocation",
        ),
    ]
