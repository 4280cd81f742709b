"""The reminders sent so far move into the one log of every app's reminders (``core.ReminderLog``).

Kinds and keys stay as they were, so nothing already sent is sent again. Going back copies them back (as sent at
the time of going back: the old log set that time itself).
"""

from typing import Any

from django.db import migrations

KINDS = ("invitation_not_sent", "minutes_not_approved", "action_overdue", "action_due_soon")


def to_core(apps: Any, schema_editor: Any) -> None:
    old, new = apps.get_model("meetings", "ReminderLog"), apps.get_model("core", "ReminderLog")
    new.objects.bulk_create(
        (
            new(kind=row.kind, object_key=row.object_key, recipient_id=row.recipient_id, sent_at=row.sent_at)
            for row in old.objects.iterator()
        ),
        batch_size=500,
    )


def from_core(apps: Any, schema_editor: Any) -> None:
    old, new = apps.get_model("meetings", "ReminderLog"), apps.get_model("core", "ReminderLog")
    rows = new.objects.filter(kind__in=KINDS)
    old.objects.bulk_create(
        (
            old(kind=row.kind, object_key=row.object_key, recipient_id=row.recipient_id, sent_at=row.sent_at)
            for row in rows.iterator()
        ),
        batch_size=500,
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("meetings", "0007_agendaitem_topics"),
    ]

    operations = [
        migrations.RunPython(to_core, from_core),
        migrations.DeleteModel(name="ReminderLog"),
    ]
