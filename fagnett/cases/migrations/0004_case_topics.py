# Case.topics takes over Topic.cases (topics 0002) and its table, topics_topic_cases: the state changes, the
# database does not (the columns are case_id and topic_id either way).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_consultation"),
        ("topics", "0002_relations_on_the_tagged_models"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="case",
                    name="topics",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="topics_topic_cases",
                        related_name="cases",
                        to="topics.topic",
                        verbose_name="topics",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
