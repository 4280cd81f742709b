"""Open-data keys become ``core.models.HashedKey``s: a key works while ``revoked_at`` is empty, and the ``active`` flag
that repeated it goes (the constraint kept the two in step, so no row changes meaning). Going back sets ``active`` off
again for every revoked key before the constraint returns."""

from typing import Any

from django.db import migrations, models


def inactive_when_revoked(apps: Any, schema_editor: Any) -> None:
    for model in ("RegionApiKey", "HistoricalRegionApiKey"):
        apps.get_model("opendata", model).objects.filter(revoked_at__isnull=False).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="regionapikey",
            name="regionapikey_revoked_iff_inactive",
        ),
        # Backwards this runs after ``active`` is back (all True) and before the constraint is.
        migrations.RunPython(migrations.RunPython.noop, inactive_when_revoked),
        migrations.RemoveField(
            model_name="historicalregionapikey",
            name="active",
        ),
        migrations.RemoveField(
            model_name="regionapikey",
            name="active",
        ),
        migrations.AlterField(
            model_name="historicalregionapikey",
            name="key_hash",
            field=models.CharField(db_index=True, editable=False, max_length=64, verbose_name="hash of the secret"),
        ),
        migrations.AlterField(
            model_name="historicalregionapikey",
            name="prefix",
            field=models.CharField(
                editable=False,
                help_text="The first characters of the secret, to recognise it; the rest is never stored.",
                max_length=16,
                verbose_name="begins with",
            ),
        ),
        migrations.AlterField(
            model_name="historicalregionapikey",
            name="revoked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked"),
        ),
        migrations.AlterField(
            model_name="regionapikey",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="hash of the secret"),
        ),
        migrations.AlterField(
            model_name="regionapikey",
            name="prefix",
            field=models.CharField(
                editable=False,
                help_text="The first characters of the secret, to recognise it; the rest is never stored.",
                max_length=16,
                verbose_name="begins with",
            ),
        ),
        migrations.AlterField(
            model_name="regionapikey",
            name="revoked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked"),
        ),
    ]
