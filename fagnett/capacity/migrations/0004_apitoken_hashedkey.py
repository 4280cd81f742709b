"""The trusts' API keys become ``core.models.HashedKey``s: a revoked key has ``revoked_at``, not ``active`` off.

Keys withdrawn before this migration get the time of the migration as ``revoked_at`` (when they were withdrawn was
never recorded). The stored hashes are kept as they are, so every key in use keeps working; keys issued before have
no ``prefix`` (it cannot be recovered from the hash) and are listed without one.
"""

from typing import Any

import django.utils.timezone
from django.db import migrations, models

import fagnett.core.models


def revoked_when_withdrawn(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("capacity", "ApiToken")
    ApiToken.objects.filter(active=False).update(revoked_at=django.utils.timezone.now())


def withdrawn_when_revoked(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("capacity", "ApiToken")
    ApiToken.objects.filter(revoked_at__isnull=False).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("capacity", "0003_free_text_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="prefix",
            field=models.CharField(
                default="",
                editable=False,
                help_text="The first characters of the secret, to recognise it; the rest is never stored.",
                max_length=16,
                verbose_name="begins with",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked"),
        ),
        migrations.RunPython(revoked_when_withdrawn, withdrawn_when_revoked),
        migrations.RemoveField(
            model_name="apitoken",
            name="active",
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="hash of the secret"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="name",
            field=fagnett.core.models.FreeCharField(max_length=100, verbose_name="what the key is for"),
        ),
    ]
