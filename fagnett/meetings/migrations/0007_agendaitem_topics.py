# AgendaItem.topics takes over Topic.agenda_items (topics 0002) and its table, topics_topic_agenda_items: the
# state changes, the database does not (the columns are agendaitem_id and topic_id either way).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_calendarfeed_hashedkey"),
        ("topics", "0002_relations_on_the_tagged_models"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="agendaitem",
                    name="topics",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="topics_topic_agenda_items",
                        related_name="agenda_items",
                        to="topics.topic",
                        verbose_name="topics",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
