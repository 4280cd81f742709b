"""The overdue reminders sent so far move into the one log of every app's reminders (``core.ReminderLog``).

A reminder is now known by the kind "progress_overdue" (the name the daily run already counted it by) and the key
"<case id>:<due date>", so nothing already sent is sent again. Going back copies them back (those of cases that
still exist, as sent at the time of going back).
"""

import datetime
from typing import Any

from django.db import migrations

KIND = "progress_overdue"


def to_core(apps: Any, schema_editor: Any) -> None:
    old, new = apps.get_model("progress", "OverdueReminderLog"), apps.get_model("core", "ReminderLog")
    new.objects.bulk_create(
        (
            new(
                kind=KIND,
                object_key=f"{row.case_id}:{row.due.isoformat()}",
                recipient_id=row.recipient_id,
                sent_at=row.sent_at,
            )
            for row in old.objects.iterator()
        ),
        batch_size=500,
    )


def from_core(apps: Any, schema_editor: Any) -> None:
    old, new = apps.get_model("progress", "OverdueReminderLog"), apps.get_model("core", "ReminderLog")
    cases = set(apps.get_model("cases", "Case").objects.values_list("pk", flat=True))
    rows = new.objects.filter(kind=KIND)
    kept = []
    for row in rows.iterator():
        case_id, due = row.object_key.split(":")
        if int(case_id) in cases:
            kept.append(
                old(
                    case_id=int(case_id),
                    due=datetime.date.fromisoformat(due),
                    recipient_id=row.recipient_id,
                    sent_at=row.sent_at,
                )
            )
    old.objects.bulk_create(kept, batch_size=500)
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("progress", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_core, from_core),
        migrations.DeleteModel(name="OverdueReminderLog"),
    ]
