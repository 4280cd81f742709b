# The relations to cases, agenda items and network reports are declared on those models from now on
# (cases 0004, meetings 0005, reports 0002), so topics imports none of them. Only Django's picture of the
# models changes: the three tables stay as they are, with their rows, and the tagged models name them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="topic", name="cases"),
                migrations.RemoveField(model_name="topic", name="agenda_items"),
                migrations.RemoveField(model_name="topic", name="network_reports"),
            ],
            database_operations=[],
        ),
    ]
