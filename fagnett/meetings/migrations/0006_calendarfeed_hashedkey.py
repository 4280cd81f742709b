"""Calendar addresses become ``core.models.HashedKey``s: ``token_hash`` is renamed ``key_hash`` (the stored hashes are
kept, so every subscribed calendar keeps working) and the last use is recorded."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_free_text_guard"),
    ]

    operations = [
        migrations.RenameField(
            model_name="calendarfeed",
            old_name="token_hash",
            new_name="key_hash",
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="hash of the secret"),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="last_used_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used"),
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="prefix",
            field=models.CharField(
                editable=False,
                help_text="The first characters of the secret, to recognise it; the rest is never stored.",
                max_length=16,
                verbose_name="begins with",
            ),
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="revoked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked"),
        ),
    ]
