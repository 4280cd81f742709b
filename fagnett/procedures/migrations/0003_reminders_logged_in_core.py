"""The review reminders sent so far move into the one log of every app's reminders (``core.ReminderLog``).

A reminder is now known by its kind ("procedure_review_due_soon" or "procedure_review_overdue", the names the daily
run already counted it by) and the key "<procedure id>:<review date>", so nothing already sent is sent again.
Going back copies them back (those of procedures that still exist, as sent at the time of going back).
"""

import datetime
from typing import Any

from django.db import migrations

PREFIX = "procedure_review_"


def to_core(apps: Any, schema_editor: Any) -> None:
    old, new = apps.get_model("procedures", "ReviewReminderLog"), apps.get_model("core", "ReminderLog")
    new.objects.bulk_create(
        (
            new(
                kind=f"{PREFIX}{row.kind}",
                object_key=f"{row.procedure_id}:{row.review_date.isoformat()}",
                recipient_id=row.recipient_id,
                sent_at=row.sent_at,
            )
            for row in old.objects.iterator()
        ),
        batch_size=500,
    )


def from_core(apps: Any, schema_editor: Any) -> None:
    old, new = apps.get_model("procedures", "ReviewReminderLog"), apps.get_model("core", "ReminderLog")
    procedures = set(apps.get_model("procedures", "Procedure").objects.values_list("pk", flat=True))
    rows = new.objects.filter(kind__startswith=PREFIX)
    kept = []
    for row in rows.iterator():
        procedure_id, review_date = row.object_key.split(":")
        if int(procedure_id) in procedures:
            kept.append(
                old(
                    kind=row.kind.removeprefix(PREFIX),
                    procedure_id=int(procedure_id),
                    review_date=datetime.date.fromisoformat(review_date),
                    recipient_id=row.recipient_id,
                    sent_at=row.sent_at,
                )
            )
    old.objects.bulk_create(kept, batch_size=500)
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("procedures", "0002_free_text_guard"),
    ]

    operations = [
        migrations.RunPython(to_core, from_core),
        migrations.DeleteModel(name="ReviewReminderLog"),
    ]
