"""Calendar addresses keep only the hash of their secret.

Existing addresses are hashed with the function the feed view looks them up with, so every calendar subscribed to
one keeps working. Going back cannot bring the secrets back: it deletes the addresses, and people make new ones.
"""

from typing import Any

from django.db import migrations, models

from fagnett.core.tokens import hash_token


def hash_existing_tokens(apps: Any, schema_editor: Any) -> None:
    CalendarFeed = apps.get_model("meetings", "CalendarFeed")
    feeds = list(CalendarFeed.objects.only("pk", "token"))
    for feed in feeds:
        feed.token_hash = hash_token(feed.token)
        feed.prefix = feed.token[:8]
    CalendarFeed.objects.bulk_update(feeds, ["token_hash", "prefix"], batch_size=500)


def forget_addresses(apps: Any, schema_editor: Any) -> None:
    apps.get_model("meetings", "CalendarFeed").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_document_name_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="token hash"),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="prefix",
            field=models.CharField(
                default="",
                editable=False,
                help_text="The first characters of the secret, to recognise the address; the rest is never stored.",
                max_length=8,
                verbose_name="address begins with",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(hash_existing_tokens, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="calendarfeed",
            name="token",
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="token hash"),
        ),
        # Backwards this runs first, so the old column is added to an empty table.
        migrations.RunPython(migrations.RunPython.noop, forget_addresses),
    ]
