# NetworkReport.topics takes over Topic.network_reports (topics 0002) and its table, topics_topic_network_reports:
# the state changes, the database does not (the columns are networkreport_id and topic_id either way).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_free_text_guard"),
        ("topics", "0002_relations_on_the_tagged_models"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="networkreport",
                    name="topics",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="topics_topic_network_reports",
                        related_name="network_reports",
                        to="topics.topic",
                        verbose_name="topics",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
